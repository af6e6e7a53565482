"""Starter articles written from the shop's own settings, so they never contradict the policy.

The return window, fees and exchanges come from the return policy engine
(``aftersale.returns.policy``), the withdrawal period and refund deadline from
``aftersale.returns.deadlines``, the unclaimed-parcel fee from the withdrawal settings, and
holding and delivery times from the shop's own recent parcels. ``create_starter_articles`` adds
them once (the demo shops get them); ``refresh_starter_articles`` rewrites every translation
that the merchant has not edited after a setting changes (the worker runs it every hour, the
help centre when an article is opened). An edited translation is the merchant's from then on.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersale.core.models import Shop
from aftersale.core.money import format_money
from aftersale.delivery.carriers import display_name
from aftersale.delivery.models import Shipment
from aftersale.returns import deadlines, policy
from aftersale.returns.models import ReturnMethod
from aftersale.service.help.models import (
    LANGUAGES,
    HelpArticle,
    HelpArticleTranslation,
    HelpCategory,
    Topic,
)

# Parcels of the last half year tell how long carriers hold and deliver this shop's parcels.
SAMPLE_DAYS = 180
SAMPLE_LIMIT = 2000
MIN_SAMPLES = 5


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def _median_days(pairs: list[tuple[str, datetime, datetime]]) -> dict[str, int]:
    """{carrier: median whole days, rounded up} for carriers with enough parcels."""
    by_carrier: dict[str, list[float]] = defaultdict(list)
    for carrier, start, end in pairs:
        if end > start:
            by_carrier[display_name(carrier)].append((end - start).total_seconds() / 86400)
    return {
        carrier: max(1, math.ceil(statistics.median(values)))
        for carrier, values in sorted(by_carrier.items())
        if len(values) >= MIN_SAMPLES
    }


def holding_days(shop, now: datetime) -> dict[str, int]:
    """How many days each carrier held this shop's parcels at the pickup point lately."""
    rows = (
        Shipment.objects.for_shop(shop)
        .filter(ready_at__gte=now - timedelta(days=SAMPLE_DAYS), held_until__isnull=False)
        .order_by("-ready_at")
        .values_list("carrier", "ready_at", "held_until")[:SAMPLE_LIMIT]
    )
    return _median_days(list(rows))


def delivery_days(shop, now: datetime) -> dict[str, int]:
    """How many days this shop's parcels took from dispatch to delivery or pickup lately."""
    rows = (
        Shipment.objects.for_shop(shop)
        .filter(shipped_at__gte=now - timedelta(days=SAMPLE_DAYS), received_at__isnull=False)
        .order_by("-shipped_at")
        .values_list("carrier", "shipped_at", "received_at")[:SAMPLE_LIMIT]
    )
    return _median_days(list(rows))


def _fee(shop, cents: int | None) -> str:
    return _("free") if not cents else format_money(cents, shop.currency)


# --- the articles ---------------------------------------------------------------------------


def returns_article(shop, now: datetime) -> tuple[str, str]:
    days = policy.window_days(shop)
    current = policy.policy_for(shop)
    fees = {
        ReturnMethod.DROP_OFF: current.drop_off_fee_cents,
        ReturnMethod.HOME_PICKUP: current.home_pickup_fee_cents,
        ReturnMethod.STORE: current.store_fee_cents,
    }
    methods = "\n".join(
        f"- {ReturnMethod(method).label}: {_fee(shop, fees[method])}"
        for method in policy.offered_methods(shop)
    )
    if days > policy.STATUTORY_WITHDRAWAL_DAYS:
        window = _(
            "You can return items within %(days)d days of receiving the parcel. That is longer "
            "than the 14 days the law gives you to withdraw from an online purchase."
        ) % {"days": days}
    else:
        window = _(
            "You can return items within 14 days of receiving the parcel: that is your "
            "statutory right to withdraw from an online purchase."
        )
    body = _paragraphs(
        window,
        _(
            "Start the return on your order page in this portal: choose the items and the "
            "reason, and you get a return code and slip right away."
        ),
        _("How you can send the items back, and the return fee:") + "\n" + methods,
        _(
            "A defective or wrong item is not bound by the return window: report it as a "
            "complaint with a photo, and you pay no return fee."
        ),
    )
    return _("How long do I have to return an item?"), body


def exchanges_article(shop, now: datetime) -> tuple[str, str]:
    free = policy.policy_for(shop).free_exchanges
    body = _paragraphs(
        _(
            "Yes. Start a return on your order page and choose an exchange instead of a "
            "refund: the portal offers the sizes and colours that are in stock."
        ),
        _("Exchanges are free: you pay no return fee.")
        if free
        else _("An exchange has the same return fee as a return."),
        _("We send the new item when the returned one has reached us."),
    )
    return _("Can I exchange an item for another size or colour?"), body


def withdrawal_article(shop, now: datetime) -> tuple[str, str]:
    informed = deadlines.settings_for(shop).informed_of_withdrawal_right
    body = _paragraphs(
        _(
            "You may withdraw from an online purchase within 14 days of receiving the goods, "
            "without giving a reason."
        ),
        ""
        if informed
        else _(
            "We did not tell you about this right when you bought, so by law your period is "
            "12 months longer."
        ),
        _(
            "Use the withdrawal function linked below: give your order number and e-mail, "
            "choose the items and confirm. You get an acknowledgement by e-mail at once."
        ),
        ngettext(
            "We refund your payment within %(count)d day of receiving your notice. We may wait "
            "until the goods are back with us or you show that you have sent them.",
            "We refund your payment within %(count)d days of receiving your notice. We may wait "
            "until the goods are back with us or you show that you have sent them.",
            deadlines.REFUND_DAYS,
        )
        % {"count": deadlines.REFUND_DAYS},
    )
    return _("How do I withdraw from a purchase?"), body


# The parcel figures read up to 2,000 recent parcels twice (about a second at 500,000 parcels
# on a busy machine) and change slowly: kept in the shared cache for an hour, so that opening
# the help centre in the back-office or an article in the portal reads them at most hourly.
PARCEL_FIGURES_KEPT_SECONDS = 3600


def _kept_figures(
    name: str, compute: Callable[[Shop, datetime], dict[str, int]], shop, now: datetime
) -> dict[str, int]:
    key = f"help-starter-figures:{name}:{shop.pk}:{shop.created_at.timestamp():.6f}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(shop, now)
        cache.set(key, figures, PARCEL_FIGURES_KEPT_SECONDS)
    return figures


def pickup_article(shop, now: datetime) -> tuple[str, str]:
    held = _kept_figures("holding", holding_days, shop, now)
    if held:
        lines = "\n".join(f"- {carrier}: {_days(days)}" for carrier, days in held.items())
        holding = _("How long the carriers have held our parcels lately:") + "\n" + lines
    else:
        holding = _("Each carrier sets its own holding time; the notice tells you the last day.")
    body = _paragraphs(
        _(
            "When your parcel is ready for pickup, the carrier tells you, and the tracking "
            "page shows the pickup point and the last day to pick it up."
        ),
        holding,
        _("After the last day the parcel comes back to us."),
    )
    return _("How long is my parcel held at the pickup point?"), body


def unclaimed_article(shop, now: datetime) -> tuple[str, str]:
    fee = deadlines.settings_for(shop).unclaimed_fee_cents
    refund = (
        _(
            "When it is back, we tell you by e-mail and refund what you paid, minus %(fee)s for "
            "the shipping and handling it cost us."
        )
        % {"fee": format_money(fee, shop.currency)}
        if fee
        else _("When it is back, we tell you by e-mail and refund everything you paid.")
    )
    body = _paragraphs(
        _("A parcel that is not picked up in time goes back to us."),
        refund,
        _("If you still want the goods, contact us before the last pickup day."),
    )
    return _("What happens if I do not pick up my parcel?"), body


def delivery_article(shop, now: datetime) -> tuple[str, str]:
    took = _kept_figures("delivery", delivery_days, shop, now)
    if took:
        lines = "\n".join(f"- {carrier}: {_days(days)}" for carrier, days in took.items())
        times = (
            _("Our parcels have lately taken this long from dispatch to delivery or pickup:")
            + "\n"
            + lines
        )
    else:
        times = ngettext(
            "Most parcels reach you within %(count)d day of dispatch.",
            "Most parcels reach you within %(count)d days of dispatch.",
            policy.ESTIMATED_DAYS_FROM_SHIPPING,
        ) % {"count": policy.ESTIMATED_DAYS_FROM_SHIPPING}
    body = _paragraphs(
        times,
        _(
            "Your order page in this portal shows each parcel with its tracking: where it is, "
            "and when it is expected."
        ),
    )
    return _("How long does delivery take?"), body


# (key, category key, topic, writer)
ARTICLES: list[tuple[str, str, str, Callable[[Shop, datetime], tuple[str, str]]]] = [
    ("returns", "returns", Topic.RETURNS, returns_article),
    ("exchanges", "returns", Topic.EXCHANGES, exchanges_article),
    ("withdrawal", "returns", Topic.WITHDRAWAL, withdrawal_article),
    ("delivery", "delivery", Topic.DELIVERY, delivery_article),
    ("pickup", "delivery", Topic.PICKUP, pickup_article),
    ("unclaimed", "delivery", Topic.UNCLAIMED, unclaimed_article),
]
WRITERS = {key: writer for key, _category, _topic, writer in ARTICLES}


def category_names(key: str) -> dict[str, str]:
    names = {}
    for language in LANGUAGES:
        with translation.override(language):
            names[language] = (
                _("Returns and exchanges") if key == "returns" else _("Delivery and pickup")
            )
    return names


def write(shop, key: str, language: str, now: datetime) -> tuple[str, str]:
    """The generated (title, text) of starter article ``key`` in ``language``."""
    with translation.override(language):
        title, body = WRITERS[key](shop, now)
        return str(title), str(body)


def _languages(shop) -> list[str]:
    return [code for code in LANGUAGES if code in (shop.languages or LANGUAGES)] or list(LANGUAGES)


@transaction.atomic
def create_starter_articles(shop, *, now: datetime | None = None) -> int:
    """Add the starter articles the shop does not have yet (published); returns how many."""
    now = now or timezone.now()
    created = 0
    categories = {}
    for key in ("returns", "delivery"):
        names = category_names(key)
        category, _new = HelpCategory.objects.get_or_create(
            shop=shop,
            starter_key=key,
            defaults={
                "position": 0 if key == "returns" else 1,
                **{f"name_{code}": name for code, name in names.items()},
            },
        )
        categories[key] = category
    for position, (key, category_key, topic, _writer) in enumerate(ARTICLES):
        article, new = HelpArticle.objects.get_or_create(
            shop=shop,
            starter_key=key,
            defaults={
                "category": categories[category_key],
                "topic": topic,
                "position": position,
                "published": True,
            },
        )
        if not new:
            continue
        created += 1
        for language in _languages(shop):
            title, body = write(shop, key, language, now)
            HelpArticleTranslation.objects.create(
                article=article,
                shop=shop,
                language=language,
                title=title,
                body=body,
                generated=True,
            )
    return created


@transaction.atomic
def refresh_starter_articles(
    shop, *, now: datetime | None = None, article: HelpArticle | None = None
) -> int:
    """Rewrite the generated, unedited translations whose settings changed; returns how many."""
    now = now or timezone.now()
    rows = HelpArticleTranslation.objects.for_shop(shop).filter(generated=True)
    rows = rows.exclude(article__starter_key="").select_related("article")
    if article is not None:
        rows = rows.filter(article=article)
    changed = 0
    for row in rows:
        if row.article.starter_key not in WRITERS:
            continue
        title, body = write(shop, row.article.starter_key, row.language, now)
        if (row.title, row.body) != (title, body):
            row.title, row.body = title, body
            row.save(update_fields=["title", "body", "updated_at"])
            changed += 1
    return changed


def refresh_all_shops() -> int:
    """The worker's hourly pass over the shops that have starter articles."""
    shop_ids = (
        HelpArticleTranslation.objects.filter(generated=True)
        .values_list("shop_id", flat=True)
        .distinct()
    )
    return sum(refresh_starter_articles(shop) for shop in Shop.objects.filter(pk__in=shop_ids))
