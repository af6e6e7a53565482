"""Referrals: a code and link per customer, a friend claiming it, the friend's first order, and
the advocate's reward that vests when that order is kept.

1. ``referral_code_for`` gives a customer their code (made once).
2. ``claim_referral``: a friend opens the link and gives their e-mail. Their own link, or an
   e-mail that already ordered from the shop, is refused; otherwise the claim is kept with
   what the fraud rules can already see (the IP, the e-mail). A clean claim gives the friend
   the shop's welcome reward (a code for their first order) at once; a suspicious one waits
   for staff review first, and the code is given when they approve it.
3. ``attribute_order``: the friend's first order arrives (it used the welcome code, or came
   from the claimed e-mail). The rules compare it with the advocate (aftersale.loyalty.fraud);
   a clean referral earns the advocate's and the friend's points at once, pending until the
   friend's order is kept (the same deadline as the order's own points); a suspicious one
   waits for staff review with its reasons shown.
4. ``approve_referral`` / ``reject_referral``: staff decide, with a note.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.models import Shop
from aftersale.loyalty import earning, fraud, rewards, services
from aftersale.loyalty.models import LedgerEntry
from aftersale.loyalty.referral_models import PaymentFingerprint, Referral, ReferralCode
from aftersale.loyalty.reward_models import Redemption, Reward
from aftersale.orders.models import Customer, Order
from aftersale.timeline import types
from aftersale.timeline.services import record_event

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class ReferralRefused(Exception):
    """The claim was not taken; the message says why to the friend."""


# --- The advocate's code -------------------------------------------------------------------


def referral_code_for(shop: Shop, customer: Customer) -> ReferralCode:
    """The customer's referral code, made the first time it is asked for."""
    if customer.shop_id != shop.pk:
        raise Customer.DoesNotExist
    existing = ReferralCode.objects.for_shop(shop).filter(customer=customer).first()
    if existing is not None:
        return existing
    for _attempt in range(10):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(shop=shop, customer=customer, code=code)
        except IntegrityError:
            existing = ReferralCode.objects.for_shop(shop).filter(customer=customer).first()
            if existing is not None:  # made by a request at the same moment
                return existing
    raise RuntimeError("no free referral code after 10 draws")


def referral_url(shop: Shop, code: str) -> str:
    path = reverse("portal:referral", kwargs={"shop_slug": shop.slug, "code": code})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def referral_share_text(shop: Shop, url: str) -> str:
    return _("I shop at %(shop)s — here is a welcome gift for your first order: %(url)s") % {
        "shop": shop.name,
        "url": url,
    }


# --- A friend claims a link ----------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    referral: Referral
    welcome: Redemption | None
    created: bool


def claim_referral(shop: Shop, code: str, *, email: str, ip: str) -> Claim:
    """The friend with ``email`` claims the link with ``code`` from ``ip``. Raises
    ``ReferralRefused`` for their own link, an unknown code, an e-mail that already ordered,
    or a friend already referred by someone else; the same friend again gets the same claim."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Enter your e-mail address, like name@example.com.")}
        ) from None
    if not services.programme_for(shop).is_running():
        raise ReferralRefused(_("This shop's referral programme is not running at the moment."))
    referral_code = (
        ReferralCode.objects.for_shop(shop).select_related("customer").filter(code=code).first()
    )
    if referral_code is None:
        raise ReferralRefused(_("This referral link is not valid; ask your friend for theirs."))
    advocate = referral_code.customer
    if fraud.email_reasons(email, advocate.email) == [fraud.SELF_REFERRAL]:
        raise ReferralRefused(
            _("This is your own referral link: share it with friends, they get the welcome gift.")
        )
    if (
        Customer.objects.for_shop(shop)
        .filter(email__iexact=email, first_order_at__isnull=False)
        .exists()
    ):
        raise ReferralRefused(
            _("The welcome gift is for a first order, and you have ordered before.")
        )
    email_digest = fraud.email_digest(shop.pk, email)
    existing = (
        Referral.objects.for_shop(shop)
        .select_related("welcome")
        .filter(friend_email_digest=email_digest)
        .first()
    )
    if existing is not None:
        if existing.advocate_id != advocate.pk:
            raise ReferralRefused(_("A friend referred you already; use the gift they gave you."))
        return Claim(existing, existing.welcome, created=False)
    reasons = fraud.email_reasons(email, advocate.email)
    ip_digest = fraud.ip_digest(shop.pk, ip)
    now = timezone.now()
    if ip_digest and fraud.busy(
        Referral.objects.for_shop(shop)
        .filter(ip_digest=ip_digest, created_at__gte=now - fraud.WEEK)
        .count()
    ):
        reasons.append(fraud.BUSY_IP)
    welcome_reward = (
        Reward.objects.for_shop(shop).filter(for_referred_friends=True, active=True).first()
    )
    try:
        with transaction.atomic():
            # A claim the rules already find suspicious waits for staff before the friend
            # gets anything: the welcome code is given when it is approved.
            referral = Referral.objects.create(
                shop=shop,
                advocate=advocate,
                code=referral_code.code,
                state=Referral.State.REVIEW if reasons else Referral.State.CLAIMED,
                reasons=reasons,
                friend_email_digest=email_digest,
                ip_digest=ip_digest,
            )
            welcome = None if reasons else _give_welcome(shop, referral, welcome_reward)
            record_event(
                shop,
                types.LOYALTY_REFERRAL_CLAIMED,
                subject=referral,
                customer=advocate,
                payload={"code": referral.code, "reasons": reasons},
            )
            if reasons:
                record_event(
                    shop,
                    types.LOYALTY_REFERRAL_HELD,
                    subject=referral,
                    customer=advocate,
                    payload={"code": referral.code, "reasons": reasons},
                )
    except IntegrityError:  # the same friend at the same moment
        referral = Referral.objects.for_shop(shop).get(friend_email_digest=email_digest)
        return Claim(referral, referral.welcome, created=False)
    return Claim(referral, welcome, created=True)


def _give_welcome(shop: Shop, referral: Referral, reward: Reward | None) -> Redemption | None:
    """The friend's welcome code (the shop's welcome reward), kept on the referral."""
    if reward is None:
        return None
    try:
        welcome = rewards.welcome_redemption(shop, reward)
    except rewards.CannotRedeem:
        return None  # the pool ran dry: the referral still counts
    referral.welcome = welcome
    referral.save(update_fields=["welcome", "updated_at"])
    return welcome


# --- The friend's first order --------------------------------------------------------------


def advocate_digests(shop: Shop, advocate: Customer) -> dict[str, set[str]]:
    """Every address, phone and payment digest the advocate has used with the shop."""
    addresses = {
        fraud.address_digest(shop.pk, advocate.street, advocate.postcode, advocate.country)
    }
    phones = {fraud.phone_digest(shop.pk, advocate.phone)}
    for street, postcode, country, phone in (
        Order.objects.for_shop(shop)
        .filter(customer=advocate)
        .values_list("ship_street", "ship_postcode", "ship_country", "ship_phone")
    ):
        addresses.add(fraud.address_digest(shop.pk, street, postcode, country))
        phones.add(fraud.phone_digest(shop.pk, phone))
    payments = set(
        PaymentFingerprint.objects.for_shop(shop)
        .filter(customer=advocate)
        .values_list("digest", flat=True)
    )
    return {"address": addresses - {""}, "phone": phones - {""}, "payment": payments}


def order_reasons(
    shop: Shop, referral: Referral, order: Order, payment_digest: str
) -> tuple[list[str], str]:
    """The fraud rules' reasons about ``order`` as the friend's first order, and the order's
    address digest."""
    friend = order.customer
    advocate = referral.advocate
    reasons = fraud.email_reasons(
        friend.email, advocate.email, same_customer=friend.pk == advocate.pk
    )
    if (
        Order.objects.for_shop(shop)
        .filter(customer=friend, placed_at__lt=order.placed_at)
        .exclude(pk=order.pk)
        .exists()
    ):
        reasons.append(fraud.NOT_FIRST_ORDER)
    address = fraud.address_digest(
        shop.pk, order.ship_street, order.ship_postcode, order.ship_country
    )
    friend_digests = {
        "address": address,
        "phone": fraud.phone_digest(shop.pk, order.ship_phone or friend.phone),
        "payment": payment_digest,
    }
    reasons += fraud.matching_reasons(friend_digests, advocate_digests(shop, advocate))
    if address and fraud.busy(
        Referral.objects.for_shop(shop)
        .filter(address_digest=address, created_at__gte=order.placed_at - fraud.WEEK)
        .exclude(pk=referral.pk)
        .count()
    ):
        reasons.append(fraud.BUSY_ADDRESS)
    return reasons, address


def attribute_order(shop: Shop, referral: Referral, order: Order, *, payment_digest: str = ""):
    """The friend's first order arrived: reward a clean referral, hold a suspicious one."""
    with transaction.atomic():
        referral = (
            Referral.objects.for_shop(shop)
            .select_for_update(of=("self",))
            .select_related("advocate")
            .get(pk=referral.pk)
        )
        if referral.state != Referral.State.CLAIMED:
            return referral
        found, address = order_reasons(shop, referral, order, payment_digest)
        reasons = list(dict.fromkeys([*referral.reasons, *found]))
        referral.friend = order.customer
        referral.friend_order = order
        referral.address_digest = address
        referral.reasons = reasons
        if reasons:
            referral.state = Referral.State.REVIEW
            referral.save()
            record_event(
                shop,
                types.LOYALTY_REFERRAL_HELD,
                subject=referral,
                customer=referral.advocate,
                payload={"code": referral.code, "reasons": reasons},
            )
            return referral
        referral.save()
        _reward(shop, referral)
    return referral


def _vests_on(shop: Shop, order: Order) -> date:
    """The advocate's reward vests with the friend's order: the day after its real return
    deadline (the vesting job moves it on, or reverses it, with the order's own points)."""
    return earning.vesting_day(order)


def _reward(shop: Shop, referral: Referral) -> None:
    """Earn the advocate's and the friend's points, pending until the friend's order vests."""
    rule = services.current_rule(shop)
    order = referral.friend_order
    now = timezone.now()
    vests_on = _vests_on(shop, order) if order is not None else None
    earned = {}
    if rule is not None and order is not None:
        for who, customer, points in (
            ("advocate", referral.advocate, rule.referral_advocate_points),
            ("friend", referral.friend, rule.referral_friend_points),
        ):
            if points and customer is not None:
                earned[who] = services.earn(
                    shop,
                    customer,
                    points=points,
                    source_type=LedgerEntry.Source.REFERRAL,
                    source_id=referral.pk,
                    rule=rule,
                    vests_on=vests_on,
                    order=order,
                    natural_key=f"earn:referral:{referral.pk}:{who}",
                    at=now,
                )
    referral.state = Referral.State.REWARDED
    referral.rewarded_at = now
    referral.save(update_fields=["state", "rewarded_at", "updated_at"])
    advocate_entry = earned.get("advocate")
    if advocate_entry is None:
        # Nothing for the advocate (the rules give 0 points): nothing to tell them, and no
        # event a flow or webhook would turn into a message.
        return
    record_event(
        shop,
        types.LOYALTY_REFERRAL_REWARDED,
        subject=referral,
        customer=referral.advocate,
        payload={
            "code": referral.code,
            "points": advocate_entry.pending_points,
            "vests_on": vests_on.isoformat() if vests_on else None,
            "order_external_id": order.external_id if order else None,
        },
    )


def _review(shop: Shop, referral: Referral) -> Referral:
    locked = Referral.objects.for_shop(shop).select_for_update().get(pk=referral.pk)
    if locked.state != Referral.State.REVIEW:
        raise ValidationError(
            {
                "state": _("This referral is no longer waiting for review (it is %(state)s).")
                % {"state": locked.get_state_display().lower()}
            }
        )
    return locked


def approve_referral(shop: Shop, referral: Referral, *, staff_user, note: str = "") -> Referral:
    """Staff found the referral genuine. One held at the claim gets its welcome code now (the
    friend sees it when they open the link again) and waits for the friend's first order;
    one held at that order earns its rewards as a clean one does."""
    with transaction.atomic():
        referral = _review(shop, referral)
        referral.reviewed_by = staff_user
        referral.reviewed_at = timezone.now()
        referral.review_note = (note or "").strip()[:300]
        if referral.friend_order_id is None:
            referral.state = Referral.State.CLAIMED
            referral.save()
            if referral.welcome_id is None:
                _give_welcome(
                    shop,
                    referral,
                    Reward.objects.for_shop(shop)
                    .filter(for_referred_friends=True, active=True)
                    .first(),
                )
            return referral
        referral.save()
        _reward(shop, referral)
    return referral


def reject_referral(shop: Shop, referral: Referral, *, staff_user, note: str) -> Referral:
    """Staff found the referral not genuine: no one earns anything. A note is required."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the referral is rejected.")})
    with transaction.atomic():
        referral = _review(shop, referral)
        referral.state = Referral.State.REJECTED
        referral.reviewed_by = staff_user
        referral.reviewed_at = timezone.now()
        referral.review_note = note[:300]
        referral.save()
        record_event(
            shop,
            types.LOYALTY_REFERRAL_REJECTED,
            subject=referral,
            customer=referral.advocate,
            payload={"code": referral.code, "reasons": referral.reasons, "note": note[:300]},
        )
    return referral


def remember_payment(shop_id: int, customer_id: int, digest_value: str, at) -> None:
    """Keep the (hashed) payment fingerprint a customer paid with, for the same-payment rule."""
    if digest_value:
        PaymentFingerprint.objects.bulk_create(
            [
                PaymentFingerprint(
                    shop_id=shop_id, customer_id=customer_id, digest=digest_value, first_seen_at=at
                )
            ],
            ignore_conflicts=True,
        )
