"""The things a run is about (an order, a shipment, a return, a review request), looked up
from the timeline's ``subject_type``/``subject_id`` pair within the run's shop."""

from __future__ import annotations

from aftersale.delivery.models import Shipment
from aftersale.loyalty.models import CustomerPoints, LedgerEntry
from aftersale.orders.models import Order
from aftersale.returns.models import ReturnRequest
from aftersale.reviews.models import ReviewRequest

SUBJECT_MODELS = {
    "order": Order,
    "shipment": Shipment,
    "returnrequest": ReturnRequest,
    "ledgerentry": LedgerEntry,
    "customerpoints": CustomerPoints,
    "reviewrequest": ReviewRequest,
}


def load_subject(shop_id: int, subject_type: str, subject_id: int):
    """The subject instance, or None if it is gone or of a kind flows don't know."""
    model = SUBJECT_MODELS.get(subject_type)
    if model is None:
        return None
    return model.objects.for_shop(shop_id).filter(pk=subject_id).first()


def load_subjects(keys: set[tuple[int, str, int]]) -> dict[tuple[int, str, int], object]:
    """Many subjects at once, by (shop id, subject type, subject id): one query per type."""
    wanted: dict[str, set[int]] = {}
    for _shop_id, subject_type, subject_id in keys:
        if subject_type in SUBJECT_MODELS:
            wanted.setdefault(subject_type, set()).add(subject_id)
    found: dict[tuple[int, str, int], object] = {}
    for subject_type, ids in wanted.items():
        model = SUBJECT_MODELS[subject_type]
        queryset = model.objects.filter(pk__in=ids)
        if subject_type == "shipment":
            queryset = queryset.select_related("order")
        for subject in queryset.iterator(chunk_size=2000):
            found[(subject.shop_id, subject_type, subject.pk)] = subject
    return {key: found.get(key) for key in keys}


def order_id_of(subject_type: str, subject) -> int | None:
    """The order a subject belongs to, so that an order's events can end runs about its parts."""
    if subject is None:
        return None
    if subject_type == "order":
        return subject.pk
    return getattr(subject, "order_id", None)


def customer_id_of(subject_type: str, subject) -> int | None:
    if subject is None:
        return None
    if subject_type == "shipment":
        return subject.order.customer_id
    return getattr(subject, "customer_id", None)
