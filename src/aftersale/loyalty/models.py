"""The loyalty programme: a shop's settings, its versioned earning rules, tiers, the append-only
points ledger and the reconciled cache of each member's balances.

The ledger is the truth. ``LedgerEntry`` rows are only ever added, by ``loyalty.services``; an
entry's amounts, kind, source and rule never change afterwards (a model guard here and a
database trigger in migration 0002 refuse it). The only columns that move are an earn entry's
``state`` and ``vests_on`` while it is pending, and ``reason`` when an erasure blanks it.
``CustomerPoints`` caches the sums; ``aftersale loyalty-check`` compares it with the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class TierBasis(models.TextChoices):
    NET_SPEND = "net_spend", _("Net spend over the last 12 months")
    VESTED_POINTS = "vested_points", _("Points vested over the last 12 months")


class LoyaltyProgramme(TimeStamped):
    """One per shop. Nothing that happened before ``starts_at`` earns points."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="loyalty_programme")
    enabled = models.BooleanField(_("enabled"), default=False)
    starts_at = models.DateTimeField(
        _("starts at"),
        null=True,
        blank=True,
        help_text=_("Orders placed before this earn nothing."),
    )
    tier_basis = models.CharField(
        _("tiers by"), max_length=16, choices=TierBasis.choices, default=TierBasis.NET_SPEND
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"),
        default=30,
        help_text=_("How long a member keeps a tier after falling below its threshold."),
    )
    expiry_months = models.PositiveSmallIntegerField(
        _("points expire after (months without activity)"), default=12
    )
    point_value_cents = models.DecimalField(
        _("value of one point (cents)"),
        max_digits=8,
        decimal_places=3,
        default=1,
        help_text=_("What a point is worth when redeemed; the liability report uses it."),
    )

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")

    def __str__(self) -> str:
        return f"{self.shop} loyalty"

    def is_running(self) -> bool:
        return self.enabled and self.starts_at is not None


class EarningRule(models.Model):
    """One version of a shop's earning rules. Rows are never changed: a change is a new version,
    and every earn entry names the version that computed it."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    points_per_euro = models.PositiveIntegerField(
        _("points per euro"), default=1, help_text=_("Of each line's amount without VAT.")
    )
    first_order_bonus = models.PositiveIntegerField(_("first-order bonus (points)"), default=0)
    review_bonus = models.PositiveIntegerField(
        _("written review bonus (points)"),
        default=0,
        help_text=_("The same for every written review, whatever its rating."),
    )
    referral_advocate_points = models.PositiveIntegerField(
        _("referral reward for the advocate (points)"), default=0
    )
    referral_friend_points = models.PositiveIntegerField(
        _("welcome reward for the referred friend (points)"), default=0
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "-version"]
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        constraints = [
            models.UniqueConstraint(fields=["shop", "version"], name="earningrule_unique_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableEntry(_("An earning rule version cannot be changed: add a new one."))
        super().save(*args, **kwargs)


class Tier(TimeStamped):
    """A level members reach by net spend or vested points over a rolling 12 months."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    threshold = models.PositiveBigIntegerField(
        _("threshold"),
        help_text=_("Net spend in cents, or vested points, over the last 12 months."),
    )
    multiplier_percent = models.PositiveSmallIntegerField(
        _("points multiplier (%)"), default=100, help_text=_("150 earns one and a half times.")
    )
    free_returns = models.BooleanField(_("free returns"), default=False)
    free_exchanges = models.BooleanField(_("free exchanges"), default=False)
    early_access = models.BooleanField(_("early access to sales"), default=False)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "threshold"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["shop", "threshold"], name="tier_unique_threshold")
        ]

    def __str__(self) -> str:
        return self.name


class ImmutableEntry(Exception):
    """Someone tried to change or delete a ledger entry (or a rule version) after it was made."""


# What may change on an entry after it was written; everything else is fixed for good.
MUTABLE_FIELDS = frozenset({"state", "vests_on", "reason"})


class LedgerQuerySet(ShopOwnedQuerySet):
    def update(self, **kwargs):
        fixed = set(kwargs) - MUTABLE_FIELDS
        if fixed:
            raise ImmutableEntry(f"ledger entries are append-only: cannot update {sorted(fixed)}")
        return super().update(**kwargs)

    def delete(self):
        raise ImmutableEntry("ledger entries are append-only: they are never deleted")


class LedgerEntry(models.Model):
    """One change of a member's points. ``points`` moves the available balance and
    ``pending_points`` the pending one: an earn is pending (+p pending), its vest moves it to
    available (+p available, −p pending), a reversal takes it back from wherever it is."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        VEST = "vest", _("Vested")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")
        REVERSE = "reverse", _("Reversed")
        ADJUST = "adjust", _("Adjusted by staff")

    class State(models.TextChoices):
        NONE = "", _("—")
        PENDING = "pending", _("Pending")
        VESTED = "vested", _("Vested")
        REVERSED = "reversed", _("Reversed")

    class Source(models.TextChoices):
        ORDER = "order", _("Order")
        ORDER_LINE = "order_line", _("Order line")
        REVIEW = "review", _("Review")
        REFERRAL = "referral", _("Referral")
        STAFF = "staff", _("Staff")
        REWARD = "reward", _("Reward")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="loyalty_entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    points = models.BigIntegerField(_("available points"), default=0)
    pending_points = models.BigIntegerField(_("pending points"), default=0)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.NONE, blank=True
    )
    vests_on = models.DateField(_("vests on"), null=True, blank=True)
    source_type = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount_cents = models.BigIntegerField(
        _("amount (cents)"), default=0, help_text=_("The net amount that earned the points.")
    )
    earned = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
        help_text=_("The earn entry a vest or reversal applies to."),
    )
    rule = models.ForeignKey(
        EarningRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    natural_key = models.CharField(max_length=120)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["shop", "natural_key"], name="ledger_natural_key"),
            models.CheckConstraint(
                condition=~Q(kind="earn") | Q(state__in=["pending", "vested", "reversed"]),
                name="ledger_earn_has_state",
            ),
            models.CheckConstraint(
                condition=Q(kind="earn") | Q(state=""), name="ledger_state_only_on_earn"
            ),
        ]
        indexes = [
            # A member's history, newest first (portal, back-office, API).
            models.Index(fields=["shop", "customer", "-created_at", "-id"], name="ledger_history"),
            # What is due to vest (the worker): pending earns by date.
            models.Index(
                fields=["shop", "vests_on"],
                condition=Q(state="pending"),
                name="ledger_pending_by_date",
            ),
            # The entries of one order (reversals, unclaimed parcels).
            models.Index(fields=["shop", "order"], name="ledger_order"),
            # A member's pending earns (their balance's vesting days): a member has a few,
            # however long their history.
            models.Index(
                fields=["shop", "customer"],
                condition=Q(state="pending"),
                name="ledger_pending_by_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+}/{self.pending_points:+}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) - MUTABLE_FIELDS:
                raise ImmutableEntry("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEntry("ledger entries are append-only: they are never deleted")

    @property
    def shown_points(self) -> int:
        """The amount as the customer reads it in the history."""
        return (
            self.pending_points
            if self.kind == self.Kind.EARN
            else (self.points or self.pending_points)
        )


class CustomerPoints(TimeStamped):
    """A member: the cached sums of their ledger and their tier. Created when they join."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.OneToOneField(
        "orders.Customer", on_delete=models.CASCADE, related_name="loyalty"
    )
    available = models.BigIntegerField(_("available points"), default=0)
    pending = models.BigIntegerField(_("pending points"), default=0)
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    tier_since = models.DateTimeField(_("in tier since"), null=True, blank=True)
    below_tier_since = models.DateField(
        _("below the tier's threshold since"), null=True, blank=True
    )
    joined_at = models.DateTimeField(_("joined"))
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "-joined_at", "-id"]
        verbose_name = _("loyalty member")
        verbose_name_plural = _("loyalty members")
        indexes = [
            models.Index(fields=["shop", "-joined_at", "-id"], name="loyalty_members"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.available} (+{self.pending})"


class LiabilitySlot(models.Model):
    """A share of a shop's outstanding points: the members' cached balances summed, kept by
    the ledger's writer in the same transaction as each entry (``loyalty.services``). A
    writer adds to whichever slot no other transaction holds (a new one if all are held), so
    writers never queue on one row; the liability report sums the shop's few slots, however
    many members there are. ``aftersale loyalty-check`` compares them with the members."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveIntegerField()
    members = models.BigIntegerField(default=0)
    available = models.BigIntegerField(default=0)
    pending = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["shop", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "slot"], name="liabilityslot_unique_slot")
        ]

    def __str__(self) -> str:
        return f"{self.shop_id}#{self.slot}: {self.available} (+{self.pending})"


class TimelineCursor(models.Model):
    """How far the loyalty worker has read the timeline: a durable position."""

    name = models.CharField(max_length=50, unique=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_event_id}"


class EffectReport(models.Model):
    """The latest effect report of a shop's programme (members against matched non-members),
    computed by the worker: the page reads it, never the shop's whole history."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.shop_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


# Rewards and referrals live in their own modules (owned by their feature); imported here so
# that Django finds them.
from aftersale.loyalty.referral_models import (  # noqa: E402, F401
    FriendReferral,
    PaymentFingerprint,
    Referral,
    ReferralCode,
)
from aftersale.loyalty.reward_models import (  # noqa: E402, F401
    ExpiryNotice,
    Redemption,
    Reward,
    RewardCode,
)
