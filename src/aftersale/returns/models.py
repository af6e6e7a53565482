"""Return requests and their lines, with the states a return moves through."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped

RETURN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_return_code() -> str:
    return "R" + "".join(secrets.choice(RETURN_CODE_ALPHABET) for _ in range(9))


class ReturnReason(models.TextChoices):
    TOO_SMALL = "too_small", _("Too small")
    TOO_LARGE = "too_large", _("Too large")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    QUALITY = "quality", _("Quality not as expected")
    CHANGED_MIND = "changed_mind", _("Changed my mind")
    ARRIVED_DAMAGED = "arrived_damaged", _("Arrived damaged or defective")
    WRONG_ITEM = "wrong_item", _("Wrong item delivered")
    OTHER = "other", _("Other")


SIZE_REASONS = (ReturnReason.TOO_SMALL, ReturnReason.TOO_LARGE)
COMPLAINT_REASONS = (ReturnReason.ARRIVED_DAMAGED, ReturnReason.WRONG_ITEM)


class ReturnState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_TRANSIT = "in_transit", _("On its way back")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    REFUNDED = "refunded", _("Refunded")
    EXCHANGED = "exchanged", _("Exchanged")
    CREDITED = "credited", _("Store credit issued")
    CLOSED = "closed", _("Closed")


class Resolution(models.TextChoices):
    REFUND = "refund", _("Refund")
    EXCHANGE = "exchange", _("Exchange")
    STORE_CREDIT = "store_credit", _("Store credit")


class ReturnRequest(TimeStamped):
    class Kind(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Return (right of withdrawal)")
        COMPLAINT = "complaint", _("Complaint (defective or wrong item)")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="return_requests")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="returns")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="returns"
    )
    code = models.CharField(_("return code"), max_length=12, unique=True, default=new_return_code)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.WITHDRAWAL)
    state = models.CharField(
        _("state"), max_length=12, choices=ReturnState.choices, default=ReturnState.REQUESTED
    )
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, default=Resolution.REFUND
    )
    return_method = models.CharField(_("return method"), max_length=40, blank=True)
    fee_cents = models.BigIntegerField(_("return fee (cents)"), default=0)
    refund_cents = models.BigIntegerField(_("refund (cents)"), null=True, blank=True)
    return_shipping_cost_cents = models.BigIntegerField(
        _("return shipping cost to the shop (cents)"), default=0
    )
    requested_at = models.DateTimeField(_("requested at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        indexes = [models.Index(fields=["shop", "state", "requested_at"], name="return_queue")]

    def __str__(self) -> str:
        return self.code


class ReturnLine(models.Model):
    class Inspection(models.TextChoices):
        PENDING = "", _("Not inspected")
        RESTOCK = "restock", _("Restock")
        DAMAGED = "damaged", _("Damaged")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="return_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    comment = models.TextField(_("comment"), blank=True)
    exchange_variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspection = models.CharField(
        _("inspection"), max_length=10, choices=Inspection.choices, blank=True, default=""
    )
    inspection_note = models.TextField(_("inspection note"), blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["return_request", "id"]
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.name} ({self.get_reason_display()})"
