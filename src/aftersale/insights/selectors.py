"""Reads of the customer value snapshot, for pages, flows and loyalty."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersale.core.models import Shop
from aftersale.insights.models import CustomerValue, RfmSegment, ShopInsight
from aftersale.orders.models import Customer


def latest_insight(shop: Shop) -> ShopInsight | None:
    return (
        ShopInsight.objects.for_shop(shop)
        .filter(status=ShopInsight.Status.DONE)
        .order_by("-started_at")
        .first()
    )


def customers_in_segment(shop: Shop, segment: str) -> QuerySet[Customer]:
    """Customers whose RFM or value segment is ``segment`` (e.g. "at_risk", "serial_returner")."""
    values = CustomerValue.objects.for_shop(shop)
    ids = values.filter(rfm_segment=segment) | values.filter(value_segment=segment)
    return Customer.objects.for_shop(shop).filter(pk__in=ids.values("customer_id"))


def segment_values(shop: Shop, segment: str) -> QuerySet[CustomerValue]:
    """The snapshot rows of the customers in ``segment`` (an RFM or a value segment), the most
    valuable first, with their customers."""
    field = "rfm_segment" if segment in RfmSegment.values else "value_segment"
    return (
        CustomerValue.objects.for_shop(shop)
        .filter(**{field: segment})
        .select_related("customer")
        .order_by("-clv_cents", "customer_id")
    )


def customer_value(shop: Shop, customer: Customer) -> CustomerValue | None:
    return CustomerValue.objects.for_shop(shop).filter(customer=customer).first()
