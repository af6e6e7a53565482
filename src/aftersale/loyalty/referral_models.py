"""Referral codes per customer, each friend who claimed one, and what the fraud rules found.

A friend's e-mail, IP, delivery address, phone and payment fingerprint are kept only as keyed
hashes (``aftersale.loyalty.fraud``): enough to compare, nothing to read back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class ReferralCode(models.Model):
    """A customer's own code; their link is the portal's /r/<code>/."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.OneToOneField(
        "orders.Customer", on_delete=models.CASCADE, related_name="referral_code"
    )
    code = models.CharField(_("code"), max_length=16)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="referralcode_unique_code")
        ]

    def __str__(self) -> str:
        return self.code


class Referral(TimeStamped):
    """A friend who opened an advocate's link, from the claim to the advocate's reward."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("Waiting for the friend's first order")
        REVIEW = "review", _("Waiting for staff review")
        REWARDED = "rewarded", _("Rewarded; the points vest when the order is kept")
        REJECTED = "rejected", _("Rejected")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    advocate = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="referrals_made"
    )
    code = models.CharField(_("referral code"), max_length=16)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CLAIMED
    )
    reasons = models.JSONField(_("reasons for review"), default=list, blank=True)
    friend_email_digest = models.CharField(max_length=64)
    ip_digest = models.CharField(max_length=64, blank=True)
    address_digest = models.CharField(max_length=64, blank=True)
    friend = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_by",
    )
    friend_order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    welcome = models.OneToOneField(
        "loyalty.Redemption",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    rewarded_at = models.DateTimeField(_("rewarded at"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            # A friend is referred once per shop: the first link they opened counts.
            models.UniqueConstraint(
                fields=["shop", "friend_email_digest"], name="referral_friend_once"
            )
        ]
        indexes = [
            models.Index(fields=["shop", "state", "-created_at"], name="referral_queue"),
            models.Index(fields=["shop", "ip_digest", "created_at"], name="referral_ip_week"),
            models.Index(
                fields=["shop", "address_digest", "created_at"], name="referral_address_week"
            ),
            models.Index(fields=["shop", "advocate", "-created_at"], name="referral_advocate"),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.friend_id or '?'}"


class PaymentFingerprint(models.Model):
    """A (hashed) payment method a customer has paid with, for the same-payment rule."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="payment_fingerprints"
    )
    digest = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField()

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["customer", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "digest"], name="paymentfingerprint_once")
        ]
        indexes = [models.Index(fields=["shop", "digest"], name="paymentfingerprint_digest")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.digest[:8]}"


class FriendReferral(Referral):
    """The same rows seen from the referred friend (their export and erasure)."""

    class Meta:
        proxy = True
        verbose_name = _("referral of a friend")
        verbose_name_plural = _("referrals of friends")
