"""Return requests and their lines, with the states a return moves through."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped
from aftersale.delivery.carriers import display_name

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
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by staff"),
        help_text=_("The staff member who registered it for the customer; empty for the portal."),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        indexes = [models.Index(fields=["shop", "state", "requested_at"], name="return_queue")]

    def __str__(self) -> str:
        return self.code

    def get_return_method_display(self) -> str:
        """The method in the reader's language (the field keeps the code, e.g. ``drop_off``)."""
        if self.return_method in ReturnMethod.values:
            return str(ReturnMethod(self.return_method).label)
        return display_name(self.return_method)


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


class ReturnMethod(models.TextChoices):
    """How the parcel travels back to the shop."""

    DROP_OFF = "drop_off", _("Drop-off at a pickup point or parcel locker")
    HOME_PICKUP = "home_pickup", _("Collected from home")
    STORE = "store", _("Brought to the shop")


class ReturnPolicy(TimeStamped):
    """A shop's own return terms on top of the law: fees by method and the store-credit bonus.

    The return window itself is ``Shop.return_window_days`` (never less than the statutory 14).
    A method whose fee is empty is not offered; drop-off is always offered.
    """

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="return_policy")
    drop_off_fee_cents = models.PositiveIntegerField(_("drop-off fee (cents)"), default=0)
    home_pickup_fee_cents = models.PositiveIntegerField(
        _("home pickup fee (cents)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the shop does not collect returns from home."),
    )
    store_fee_cents = models.PositiveIntegerField(
        _("in-store return fee (cents)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if customers cannot bring returns to the shop."),
    )
    free_exchanges = models.BooleanField(
        _("exchanges are free"),
        default=True,
        help_text=_("No return fee when the customer takes another size or colour instead."),
    )
    store_credit_bonus_bp = models.PositiveIntegerField(
        _("store credit bonus (basis points)"),
        default=1000,
        help_text=_("Extra value for choosing store credit over a refund; 1000 is 10 %."),
    )
    auto_approve_withdrawals = models.BooleanField(
        _("approve returns within the policy automatically"),
        default=True,
        help_text=_("Complaints always wait for a person to look at the photos."),
    )
    return_address = models.TextField(
        _("return address"), blank=True, help_text=_("Printed on the return slip.")
    )
    drop_off_carrier = models.CharField(
        _("carrier for drop-off returns"),
        max_length=40,
        blank=True,
        help_text=_("The carrier the shop has a return contract with, if any."),
    )
    drop_off_code = models.CharField(
        _("carrier's return code"),
        max_length=40,
        blank=True,
        help_text=_(
            "The code customers give at the carrier's pickup point or locker to send a return "
            "on the shop's contract. Leave empty if the shop has none: customers are then told "
            "to write the return code and the return address on the parcel."
        ),
    )

    class Meta:
        verbose_name = _("return policy")
        verbose_name_plural = _("return policies")

    def __str__(self) -> str:
        return f"{self.shop} return policy"


def return_photo_path(photo: ReturnPhoto, filename: str) -> str:
    """Random names under the shop's folder; the customer's file name is never used on disk."""
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
        photo.content_type, "bin"
    )
    return f"return-photos/{photo.shop_id}/{secrets.token_hex(16)}.{extension}"


class ReturnPhoto(models.Model):
    """A customer's photo of a returned item, stored under MEDIA_ROOT and served only by views
    that check the viewer is the shop's staff or the customer."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    return_line = models.ForeignKey(ReturnLine, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=return_photo_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["return_line", "id"]
        verbose_name = _("return photo")
        verbose_name_plural = _("return photos")

    def __str__(self) -> str:
        return self.original_name or self.file.name


def new_credit_code() -> str:
    return "SC" + "".join(secrets.choice(RETURN_CODE_ALPHABET) for _ in range(10))


class StoreCredit(TimeStamped):
    """Store credit issued for a return: the refund's value plus the shop's bonus."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="store_credits")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="store_credits"
    )
    return_request = models.OneToOneField(
        ReturnRequest, on_delete=models.CASCADE, related_name="store_credit"
    )
    code = models.CharField(_("credit code"), max_length=14, unique=True, default=new_credit_code)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    bonus_cents = models.BigIntegerField(_("of which bonus (cents)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    issued_at = models.DateTimeField(_("issued at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("store credit")
        verbose_name_plural = _("store credits")

    def __str__(self) -> str:
        return f"{self.code} {self.amount_cents / 100:.2f} {self.currency}"


# --- The statutory right of withdrawal (CRD Art. 9-11a) and unclaimed parcels -----------


class WithdrawalSettings(TimeStamped):
    """A shop's settings for withdrawals and unclaimed parcels (one row per shop, optional)."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="withdrawal_settings")
    informed_of_withdrawal_right = models.BooleanField(
        _("customers are informed of the right of withdrawal"),
        default=True,
        help_text=_(
            "Untick if the shop's checkout or order confirmation did not tell customers about "
            "their 14-day right of withdrawal: the law then extends the period by 12 months."
        ),
    )
    unclaimed_fee_cents = models.PositiveIntegerField(
        _("fee for an unclaimed parcel (cents)"),
        default=0,
        help_text=_(
            "Deducted from the refund of a parcel returned unclaimed. It must match the shop's "
            "actual shipping and handling costs on average."
        ),
    )

    class Meta:
        verbose_name = _("withdrawal settings")
        verbose_name_plural = _("withdrawal settings")

    def __str__(self) -> str:
        return f"{self.shop} withdrawal settings"


def new_withdrawal_code() -> str:
    return "W" + "".join(secrets.choice(RETURN_CODE_ALPHABET) for _ in range(9))


class Withdrawal(TimeStamped):
    """A consumer's notice of withdrawal from a contract, given through the online function.

    ``notified_at`` is the exact moment the notice reached the shop (the confirmation click);
    the refund is due 14 days later. The acknowledgement e-mail with its PDF copy is sent after
    the notice is recorded, and re-sent by the worker until ``acknowledged_at`` is set.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="withdrawals")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="withdrawals")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="withdrawals"
    )
    code = models.CharField(
        _("withdrawal code"), max_length=12, unique=True, default=new_withdrawal_code
    )
    whole_order = models.BooleanField(_("the whole order"), default=True)
    notified_at = models.DateTimeField(_("notice received at"))
    period_ends_at = models.DateTimeField(_("withdrawal period ended at"))
    period_extended = models.BooleanField(
        _("period extended by 12 months"),
        default=False,
        help_text=_("The customer was not informed of the right of withdrawal."),
    )
    refund_due_at = models.DateTimeField(_("refund due by"))
    goods_back_at = models.DateTimeField(
        _("goods back or proof of sending at"), null=True, blank=True
    )
    refund = models.OneToOneField(
        "orders.Refund",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="withdrawal",
    )
    refunded_on_time = models.BooleanField(_("refunded on time"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledgement sent at"), null=True, blank=True)
    acknowledgement_message_id = models.CharField(max_length=200, blank=True)
    acknowledgement_attempts = models.PositiveSmallIntegerField(default=0)
    acknowledgement_error = models.CharField(max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fi")

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-notified_at", "-id"]
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        indexes = [
            models.Index(fields=["shop", "refund_due_at"], name="withdrawal_due"),
            models.Index(fields=["acknowledged_at"], name="withdrawal_unacknowledged"),
        ]

    def __str__(self) -> str:
        return self.code


class WithdrawalLine(models.Model):
    """An order line the customer withdrew from (all of its quantity)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    withdrawal = models.ForeignKey(Withdrawal, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.CASCADE, related_name="withdrawal_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["withdrawal", "id"]
        verbose_name = _("withdrawn line")
        verbose_name_plural = _("withdrawn lines")
        constraints = [models.UniqueConstraint(fields=["order_line"], name="withdrawal_line_once")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.name}"


class UnclaimedCase(TimeStamped):
    """A parcel that came back unclaimed: not a withdrawal, but the order is refunded less the
    shop's fee for its actual shipping and handling costs."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REFUNDED = "refunded", _("Refunded")
        CLOSED = "closed", _("Closed")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="unclaimed_cases")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="unclaimed_cases"
    )
    shipment = models.OneToOneField(
        "delivery.Shipment", on_delete=models.CASCADE, related_name="unclaimed_case"
    )
    opened_at = models.DateTimeField(_("opened at"))
    paid_cents = models.BigIntegerField(_("paid (cents)"))
    refunded_before_cents = models.BigIntegerField(_("refunded before the case (cents)"), default=0)
    fee_cents = models.BigIntegerField(_("shipping and handling fee (cents)"))
    refund_cents = models.BigIntegerField(_("refund (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    refund = models.OneToOneField(
        "orders.Refund",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unclaimed_case",
    )
    customer_notified_at = models.DateTimeField(_("customer notified at"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("unclaimed parcel case")
        verbose_name_plural = _("unclaimed parcel cases")

    def __str__(self) -> str:
        return f"{self.order} ({self.get_state_display()})"
