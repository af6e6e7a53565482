"""Rewards: the catalogue, its code pools, redeeming a reward for points, cancelling it, and
settling it when an ingested order uses its code.

A redemption debits the ledger (``services.redeem`` locks the member's balance row, so two
redemptions at once never spend more than there is) and reserves one code in the same
transaction: a pool code is taken with ``SELECT … FOR UPDATE SKIP LOCKED`` (two redemptions
never wait for or take the same code), a code made here is unique per shop. Either both
happen or neither.

Codes made here reach the shop's platform through the ``loyalty.reward_redeemed`` webhook,
whose data carries a Shopify price rule and a WooCommerce coupon ready to create
(docs/developers/webhooks.md).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.models import Shop
from aftersale.core.money import format_money
from aftersale.loyalty import services
from aftersale.loyalty.models import LedgerEntry
from aftersale.loyalty.reward_models import Redemption, Reward, RewardCode
from aftersale.orders.csv_import import ImportFailed, RowProblem, _decode
from aftersale.orders.models import Customer, Order
from aftersale.timeline import types
from aftersale.timeline.services import record_event

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{2,63}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MAX_CODES_PER_UPLOAD = 100_000
HANDED_OUT = -1  # in ``known``: a code some customer holds that is in no pool
# An order placed this long before a redemption is not its use (clocks differ a little).
CLOCK_SLACK = timedelta(hours=1)

REWARD_FIELDS = (
    "name",
    "description",
    "kind",
    "amount_cents",
    "percent",
    "product_sku",
    "minimum_order_cents",
    "points_cost",
    "code_source",
    "cancel_days",
    "for_referred_friends",
    "active",
)


class CannotRedeem(Exception):
    """Nothing was written; ``code`` says why (for the API), the message says it to a person."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


# --- The catalogue -------------------------------------------------------------------------


def _check_reward(reward: Reward) -> None:
    errors: dict[str, str] = {}
    if not reward.name.strip():
        errors["name"] = _("Give the reward a name the customer understands.")
    if reward.kind not in Reward.Kind.values:
        errors["kind"] = _("Choose a fixed discount, a percentage, free shipping or a product.")
    if reward.kind == Reward.Kind.FIXED_AMOUNT and reward.amount_cents <= 0:
        errors["amount_cents"] = _("A fixed discount needs an amount above zero.")
    if reward.kind == Reward.Kind.PERCENTAGE and not 1 <= reward.percent <= 100:
        errors["percent"] = _("A percentage discount is from 1 to 100 %.")
    if reward.kind == Reward.Kind.PRODUCT and not reward.product_sku.strip():
        errors["product_sku"] = _("Give the SKU of the product the customer gets.")
    if reward.points_cost <= 0 and not reward.for_referred_friends:
        errors["points_cost"] = _("A reward costs at least one point.")
    if reward.code_source not in Reward.CodeSource.values:
        errors["code_source"] = _("Choose where the codes come from.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_reward(shop: Shop, reward: Reward | None = None, **values) -> Reward:
    """Create a reward, or change one of the shop's (a redemption keeps what it was given)."""
    if reward is None:
        reward = Reward(shop=shop)
    elif reward.shop_id != shop.pk:
        raise Reward.DoesNotExist
    for name, value in values.items():
        if name in REWARD_FIELDS:
            setattr(reward, name, value)
    _check_reward(reward)
    if reward.for_referred_friends and reward.active:
        # One welcome reward per shop: the newest chosen one.
        Reward.objects.for_shop(shop).exclude(pk=reward.pk).update(for_referred_friends=False)
    reward.save()
    return reward


def pool_counts(shop: Shop, rewards: list[Reward]) -> dict[int, dict[str, int]]:
    """Codes per reward and state, for a page of rewards: one grouped query."""
    counts: dict[int, dict[str, int]] = {r.pk: {} for r in rewards}
    rows = (
        RewardCode.objects.for_shop(shop)
        .filter(reward__in=rewards)
        .values("reward_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["reward_id"]][row["state"]] = row["n"]
    return counts


def offer_text(reward: Reward, currency: str) -> str:
    """What the reward gives, in the reader's language ("5,00 € off", "10 % off")."""
    if reward.kind == Reward.Kind.FIXED_AMOUNT:
        return _("%(amount)s off") % {"amount": format_money(reward.amount_cents, currency)}
    if reward.kind == Reward.Kind.PERCENTAGE:
        return _("%(percent)s %% off") % {"percent": reward.percent}
    if reward.kind == Reward.Kind.FREE_SHIPPING:
        return _("Free shipping")
    return _("Free product %(sku)s") % {"sku": reward.product_sku}


# --- Code pools ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AddedCodes:
    added: int
    already_there: int


def _code_problem(shop: Shop, reward: Reward, code: str, known: dict[str, int]) -> str:
    if not CODE_PATTERN.match(code):
        return _(
            "%(code)s is not a usable code: 3 to 64 letters, digits, - or _, starting with a "
            "letter or digit."
        ) % {"code": repr(code[:80])}
    owner = known.get(code.upper())
    if owner == HANDED_OUT:
        return _("%(code)s was already given to a customer; use a new code.") % {"code": code}
    if owner is not None and owner != reward.pk:
        return _("%(code)s is already a code of another reward; each code belongs to one.") % {
            "code": code
        }
    return ""


def add_codes(shop: Shop, reward: Reward, codes: list[str], *, lines: list[int] | None = None):
    """Add ``codes`` to the reward's pool, all or none. A code already in this pool is left as
    it is (an upload can be sent again); a bad code or one of another reward raises
    ``ImportFailed`` naming its line (``lines[i]``, else its position from 1)."""
    if reward.shop_id != shop.pk:
        raise Reward.DoesNotExist
    lines = lines or list(range(1, len(codes) + 1))
    problems: list[RowProblem] = []
    if len(codes) > MAX_CODES_PER_UPLOAD:
        raise ImportFailed(
            [
                RowProblem(
                    0,
                    "code",
                    _("At most %(max)s codes at a time; split the file.")
                    % {"max": MAX_CODES_PER_UPLOAD},
                )
            ]
        )
    cleaned = [code.strip() for code in codes]
    known: dict[str, int] = {}
    for chunk_start in range(0, len(cleaned), 1000):
        chunk = cleaned[chunk_start : chunk_start + 1000]
        upper = Q()
        for code in chunk:
            upper |= Q(code__iexact=code)
        if chunk:
            for code, reward_id in (
                RewardCode.objects.for_shop(shop).filter(upper).values_list("code", "reward_id")
            ):
                known[code.upper()] = reward_id
            # A code made here (or a friend's welcome code) that is in no pool.
            for code in (
                Redemption.objects.for_shop(shop).filter(upper).values_list("code", flat=True)
            ):
                known.setdefault(code.upper(), HANDED_OUT)
    seen: dict[str, int] = {}
    for code, line in zip(cleaned, lines, strict=True):
        message = _code_problem(shop, reward, code, known)
        if not message and code.upper() in seen:
            message = _("%(code)s appears twice (first on line %(line)s).") % {
                "code": code,
                "line": seen[code.upper()],
            }
        if message:
            problems.append(RowProblem(line, "code", message))
        seen.setdefault(code.upper(), line)
    if problems:
        raise ImportFailed(problems)
    new = [code for code in dict.fromkeys(cleaned) if code.upper() not in known]
    with transaction.atomic():
        RewardCode.objects.bulk_create(
            [RewardCode(shop=shop, reward=reward, code=code) for code in new], batch_size=1000
        )
    return AddedCodes(added=len(new), already_there=len(cleaned) - len(new))


def import_codes_csv(shop: Shop, reward: Reward, stream: IO[bytes]) -> AddedCodes:
    """A CSV file with a ``code`` column (other columns are ignored), or one code per line
    without a header. All or nothing; ``ImportFailed`` lists each bad line."""
    text, _encoding = _decode(stream.read())
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text[:200] else ","))
    if not rows:
        raise ImportFailed([RowProblem(0, "", _("The file is empty: put one code per line."))])
    header = [cell.strip().lower() for cell in rows[0]]
    if "code" in header:
        column, first = header.index("code"), 1
    elif len(header) == 1:
        column, first = 0, 0
    else:
        raise ImportFailed(
            [RowProblem(1, "", _("Name the column of codes 'code' in the first line."))]
        )
    codes: list[str] = []
    lines: list[int] = []
    problems: list[RowProblem] = []
    for number, row in enumerate(rows[first:], start=first + 1):
        if not any(cell.strip() for cell in row):
            continue
        if column >= len(row) or not row[column].strip():
            problems.append(RowProblem(number, "code", _("The code is missing.")))
            continue
        codes.append(row[column])
        lines.append(number)
    if problems:
        raise ImportFailed(problems)
    return add_codes(shop, reward, codes, lines=lines)


# --- Redeeming -----------------------------------------------------------------------------


def _new_code(shop: Shop) -> str:
    prefix = re.sub(r"[^A-Z0-9]", "", shop.slug.upper())[:6] or "AS"
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{prefix}-{body[:5]}-{body[5:]}"


def _take_pool_code(shop: Shop, reward: Reward) -> str | None:
    """The reward's oldest available code, locked and marked handed out (inside the caller's
    transaction); another redemption at the same moment skips it and takes the next."""
    codes = RewardCode.objects.for_shop(shop).filter(
        reward=reward, state=RewardCode.State.AVAILABLE
    )
    if connection.features.has_select_for_update_skip_locked:
        codes = codes.select_for_update(skip_locked=True)
    code = codes.order_by("id").first()
    if code is None:
        return None
    RewardCode.objects.filter(pk=code.pk).update(state=RewardCode.State.HANDED_OUT)
    return code.code


def _reserve(shop: Shop, reward: Reward, **fields) -> Redemption:
    """A redemption with its code, inside the caller's transaction."""
    if reward.code_source == Reward.CodeSource.POOL:
        code = _take_pool_code(shop, reward)
        if code is None:
            raise CannotRedeem(
                "no_codes_left",
                _("This reward has run out for now; the shop has been told. Try another one."),
            )
        return Redemption.objects.create(shop=shop, reward=reward, code=code, **fields)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    shop=shop, reward=reward, code=_new_code(shop), **fields
                )
        except IntegrityError:  # the same random code twice: draw again
            continue
    raise CannotRedeem("no_codes_left", _("No free code could be made; try again."))


def redeem_reward(shop: Shop, customer: Customer, reward: Reward, *, channel: str) -> Redemption:
    """Spend the reward's points and give the customer one of its codes. Raises
    ``CannotRedeem`` (nothing written) when the reward is not active, the customer lacks the
    points, or the pool is empty."""
    if reward.shop_id != shop.pk or customer.shop_id != shop.pk:
        raise Reward.DoesNotExist
    if not reward.active or reward.points_cost <= 0:
        raise CannotRedeem("inactive", _("This reward is not offered at the moment."))
    programme = services.programme_for(shop)
    if not programme.is_running():
        raise CannotRedeem("no_programme", _("The shop's loyalty programme is not running."))
    try:
        with transaction.atomic():
            # The balance row first: redemptions of one member queue here, so the check of
            # their balance and the debit are one step.
            member = services.join(shop, customer)
            if member.available < reward.points_cost:
                raise services.NotEnoughPoints(member.available, reward.points_cost)
            redemption = _reserve(
                shop, reward, customer=customer, points=reward.points_cost, channel=channel
            )
            services.redeem(
                shop,
                customer,
                points=reward.points_cost,
                source_type=LedgerEntry.Source.REWARD,
                source_id=redemption.pk,
                reason=reward.name,
            )
            record_event(
                shop,
                types.LOYALTY_REWARD_REDEEMED,
                subject=redemption,
                customer=customer,
                payload=redemption_payload(redemption),
            )
    except services.NotEnoughPoints as short:
        raise CannotRedeem(
            "not_enough_points",
            _("This reward costs %(cost)s points; you have %(available)s.")
            % {"cost": reward.points_cost, "available": short.available},
        ) from None
    return redemption


def give_reward(
    shop: Shop, customer: Customer, reward: Reward, *, reason: str, staff_user=None, actor: str = ""
) -> Redemption:
    """Give the customer one of the reward's codes without taking points (goodwill: a late
    parcel, a complaint), with the reason required. Nothing is written to the ledger; the
    redemption keeps the reason and who gave it, and ``loyalty.reward_redeemed`` (channel
    ``goodwill``, with the reason and the giver) is on the customer's timeline, so the
    platform gets the code as for any reward. The reward may be one not offered for points
    (inactive, or the friends' welcome reward). Raises ``ValidationError`` naming
    ``reason``, or ``CannotRedeem`` when the pool is empty."""
    if reward.shop_id != shop.pk or customer.shop_id != shop.pk:
        raise Reward.DoesNotExist
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the customer gets this reward.")})
    with transaction.atomic():
        redemption = _reserve(
            shop,
            reward,
            customer=customer,
            points=0,
            channel=Redemption.Channel.GOODWILL,
            reason=reason[:300],
            issued_by=staff_user,
        )
        given_by = actor or (staff_user.get_username() if staff_user else "")
        record_event(
            shop,
            types.LOYALTY_REWARD_REDEEMED,
            subject=redemption,
            customer=customer,
            payload={**redemption_payload(redemption), "reason": redemption.reason, "by": given_by},
        )
    return redemption


def welcome_redemption(shop: Shop, reward: Reward) -> Redemption:
    """A referred friend's welcome reward: a code without points and (yet) without a customer;
    the order that uses it makes them one."""
    with transaction.atomic():
        redemption = _reserve(shop, reward, points=0, channel=Redemption.Channel.REFERRAL)
        record_event(
            shop,
            types.LOYALTY_REWARD_REDEEMED,
            subject=redemption,
            payload=redemption_payload(redemption),
        )
    return redemption


def may_customer_cancel(redemption: Redemption, now=None) -> bool:
    now = now or timezone.now()
    return (
        redemption.state == Redemption.State.RESERVED
        and redemption.points > 0
        and now - redemption.created_at <= timedelta(days=redemption.reward.cancel_days)
    )


def cancel_redemption(
    shop: Shop, redemption: Redemption, *, reason: str, by_customer: bool = False
) -> Redemption:
    """Give an unused reward back: its points return to the member, a pool code is withdrawn
    (the customer has seen it; withdraw it in your platform too), and
    ``loyalty.reward_cancelled`` tells the platform to delete a code made here. A customer may
    do this within the reward's ``cancel_days``; staff and the API while it is unused."""
    if redemption.shop_id != shop.pk:
        raise Redemption.DoesNotExist
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the reward is cancelled.")})
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Redemption.objects.for_shop(shop)
            .select_for_update(of=("self",))
            .select_related("reward", "customer")
            .get(pk=redemption.pk)
        )
        if locked.state != Redemption.State.RESERVED:
            raise ValidationError(
                {
                    "state": _("Only an unused reward can be cancelled; this one is %(state)s.")
                    % {"state": locked.get_state_display().lower()}
                }
            )
        if by_customer and not may_customer_cancel(locked, now):
            raise ValidationError(
                {"state": _("This reward can no longer be given back; ask the shop.")}
            )
        locked.state = Redemption.State.CANCELLED
        locked.cancelled_at = now
        locked.cancel_reason = reason[:300]
        locked.save(update_fields=["state", "cancelled_at", "cancel_reason", "updated_at"])
        RewardCode.objects.for_shop(shop).filter(reward=locked.reward, code=locked.code).update(
            state=RewardCode.State.VOID
        )
        if locked.points and locked.customer is not None:
            _give_points_back(shop, locked, now)
        record_event(
            shop,
            types.LOYALTY_REWARD_CANCELLED,
            subject=locked,
            customer=locked.customer,
            payload={**redemption_payload(locked), "reason": locked.cancel_reason},
        )
    return locked


def _give_points_back(shop: Shop, redemption: Redemption, now) -> LedgerEntry:
    """The ledger entry that returns a cancelled redemption's points (once)."""
    return services.unredeem(
        shop,
        redemption.customer,
        points=redemption.points,
        source_type=LedgerEntry.Source.REWARD,
        source_id=redemption.pk,
        reason=_("Reward %(name)s cancelled") % {"name": redemption.reward.name},
        at=now,
    )


# --- Settling: an ingested order used the code ---------------------------------------------


def settle_codes(shop_id: int, order: Order, codes: list[str], used_at) -> list[Redemption]:
    """Mark the shop's reserved redemptions whose code ``order`` used as settled (once; an
    order placed before the redemption was made is not its use)."""
    if not codes:
        return []
    matches = Q()
    for code in codes:
        matches |= Q(code__iexact=code)
    settled = []
    with transaction.atomic():
        for redemption in (
            Redemption.objects.for_shop(shop_id)
            .filter(matches, state=Redemption.State.RESERVED)
            .select_for_update(of=("self",))
            .select_related("reward")
        ):
            if order.placed_at < redemption.created_at - CLOCK_SLACK:
                continue
            redemption.state = Redemption.State.SETTLED
            redemption.settled_order = order
            redemption.settled_at = used_at
            if redemption.customer_id is None:
                redemption.customer_id = order.customer_id
            redemption.save(
                update_fields=["state", "settled_order", "settled_at", "customer", "updated_at"]
            )
            record_event(
                order.shop,
                types.LOYALTY_REWARD_USED,
                subject=redemption,
                customer=order.customer,
                payload={
                    "code": redemption.code,
                    "reward_id": redemption.reward_id,
                    "order_external_id": order.external_id,
                    "order_number": order.number,
                },
                occurred_at=used_at,
            )
            settled.append(redemption)
    return settled


# --- What the webhook carries --------------------------------------------------------------


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}"


def shopify_price_rule(redemption: Redemption) -> dict:
    """A Shopify Admin API price rule and discount code for the redemption's code."""
    reward = redemption.reward
    rule: dict = {
        "title": redemption.code,
        "target_selection": "all",
        "customer_selection": "all",
        "once_per_customer": True,
        "usage_limit": 1,
        "starts_at": redemption.created_at.isoformat(),
    }
    if reward.kind == Reward.Kind.FIXED_AMOUNT:
        rule.update(
            target_type="line_item",
            value_type="fixed_amount",
            value=f"-{_euros(reward.amount_cents)}",
            allocation_method="across",
        )
    elif reward.kind == Reward.Kind.PERCENTAGE:
        rule.update(
            target_type="line_item",
            value_type="percentage",
            value=f"-{reward.percent}.0",
            allocation_method="across",
        )
    elif reward.kind == Reward.Kind.FREE_SHIPPING:
        rule.update(
            target_type="shipping_line",
            value_type="percentage",
            value="-100.0",
            allocation_method="each",
        )
    else:
        rule.update(
            target_type="line_item",
            target_selection="entitled",
            value_type="percentage",
            value="-100.0",
            allocation_method="each",
            allocation_limit=1,
            entitled_variant_skus=[reward.product_sku],
        )
    if reward.minimum_order_cents:
        rule["prerequisite_subtotal_range"] = {
            "greater_than_or_equal_to": _euros(reward.minimum_order_cents)
        }
    return {"price_rule": rule, "discount_code": {"code": redemption.code}}


def woocommerce_coupon(redemption: Redemption) -> dict:
    """A WooCommerce REST API coupon for the redemption's code."""
    reward = redemption.reward
    coupon: dict = {
        "code": redemption.code,
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        "individual_use": False,
        "description": reward.name,
        "meta_data": [{"key": "aftersale_redemption_id", "value": redemption.pk}],
    }
    if reward.kind == Reward.Kind.FIXED_AMOUNT:
        coupon.update(discount_type="fixed_cart", amount=_euros(reward.amount_cents))
    elif reward.kind == Reward.Kind.PERCENTAGE:
        coupon.update(discount_type="percent", amount=f"{reward.percent}")
    elif reward.kind == Reward.Kind.FREE_SHIPPING:
        coupon.update(discount_type="fixed_cart", amount="0", free_shipping=True)
    else:
        coupon.update(discount_type="percent", amount="100", limit_usage_to_x_items=1)
        coupon["meta_data"].append({"key": "aftersale_product_sku", "value": reward.product_sku})
    if reward.minimum_order_cents:
        coupon["minimum_amount"] = _euros(reward.minimum_order_cents)
    if redemption.customer is not None and redemption.customer.email:
        coupon["email_restrictions"] = [redemption.customer.email]
    return coupon


def redemption_payload(redemption: Redemption) -> dict:
    """The event's data: what was redeemed, and for a code made here, the coupon to create."""
    reward = redemption.reward
    payload = {
        "redemption_id": redemption.pk,
        "code": redemption.code,
        "code_source": reward.code_source,
        "points": redemption.points,
        "channel": redemption.channel,
        "reward": {
            "id": reward.pk,
            "name": reward.name,
            "kind": reward.kind,
            "amount_cents": reward.amount_cents,
            "percent": reward.percent,
            "product_sku": reward.product_sku,
            "minimum_order_cents": reward.minimum_order_cents,
            "currency": reward.shop.currency,
        },
    }
    if reward.code_source == Reward.CodeSource.PLATFORM:
        payload["shopify"] = shopify_price_rule(redemption)
        payload["woocommerce"] = woocommerce_coupon(redemption)
    return payload
