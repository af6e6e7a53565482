"""Product blocks in marketing e-mails: which products, and how they are shown and tracked.

A template that prints ``{{ product_block }}`` (or loops over ``products``) gets up to
``LIMIT`` products chosen for the run's flow (``products_for``): compatible accessories for
what the customer kept from the order, new arrivals in the categories they buy from, or what to
reorder. Each product is shown with its image, name and price in the customer's language and
number format, and links through our click redirect (``/c/<signed token>/``), which records
the click and sends the customer on to the product page. The token is signed, so the redirect
only ever leads to a product page the shop's own e-mail named (no open redirect).

The plain-text part lists the products as lines; the HTML part shows them as cards
(``html_block``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils.html import escape

from aftersale.core.money import format_money

LIMIT = 4
CLICK_SALT = "aftersale.flows.click"
CLICK_MAX_AGE = timedelta(days=365)
NEW_ARRIVALS_DAYS = 30
# The HTML part replaces this line of the plain-text body with the product cards.
HTML_MARKER = "\u2063PRODUCT-BLOCK\u2063"

# Flows whose messages carry product blocks, by built-in key, and where their products come
# from. Other flows whose template prints products get accessories for the run's order.
ACCESSORIES = "accessories"
NEW_ARRIVALS = "new_arrivals"
REORDER = "reorder"
SOURCE_BY_FLOW = {
    "post_purchase_accessories": ACCESSORIES,
    "post_purchase_new_arrivals": NEW_ARRIVALS,
    "post_purchase_replenishment": REORDER,
    "win_back_lapsing": ACCESSORIES,
}


@dataclass(frozen=True)
class ProductCard:
    product_id: int
    name: str
    price: str
    image_url: str
    url: str  # the tracked link (empty when the product has no page)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "price": self.price,
            "image_url": self.image_url,
            "url": self.url,
        }


def click_token(message_key: str, product_id: int, url: str) -> str:
    return signing.dumps({"k": message_key, "p": product_id, "u": url}, salt=CLICK_SALT)


def tracked_url(message_key: str, product_id: int, url: str) -> str:
    return f"{settings.SITE_URL}/c/{click_token(message_key, product_id, url)}/"


def read_click(token: str) -> dict | None:
    """The click's message key, product id and destination, or None if the token is forged,
    damaged or older than a year."""
    try:
        data = signing.loads(token, salt=CLICK_SALT, max_age=CLICK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not str(data.get("u", "")).startswith(("https://", "http://")):
        return None
    return data


def cards(products, *, message_key: str, language: str) -> list[ProductCard]:
    """Cards for (product, variant) pairs, prices in ``language``."""
    return [
        ProductCard(
            product_id=product.pk,
            name=product.name,
            price=format_money(variant.price_cents, variant.currency, language),
            image_url=product.image_url,
            url=tracked_url(message_key, product.pk, product.url) if product.url else "",
        )
        for product, variant in products
    ]


def text_block(items: list[ProductCard]) -> str:
    """The products as plain text: name and price, then the link."""
    lines = []
    for card in items:
        lines.append(f"- {card.name} – {card.price}")
        if card.url:
            lines.append(f"  {card.url}")
    return "\n".join(lines)


def html_block(items: list[ProductCard]) -> str:
    """The products as cards: image, name, price and a link (table layout for mail clients)."""
    cells = []
    for card in items:
        image = (
            f'<img src="{escape(card.image_url)}" alt="{escape(card.name)}" width="160" '
            'style="display:block;max-width:100%;height:auto;border:0">'
            if card.image_url
            else ""
        )
        name = escape(card.name)
        if card.url:
            link = escape(card.url)
            image = f'<a href="{link}">{image}</a>' if image else ""
            name = f'<a href="{link}">{name}</a>'
        cells.append(
            '<td style="padding:8px;vertical-align:top;width:160px">'
            f'{image}<p style="margin:8px 0 0">{name}</p>'
            f'<p style="margin:4px 0 0;font-weight:bold">{escape(card.price)}</p></td>'
        )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" style="border:0">'
        f"<tr>{''.join(cells)}</tr></table>"
    )


USES_PRODUCTS = re.compile(r"\{\{\s*product_block\b|\{%\s*for\s+\w+\s+in\s+products\b")


def uses_products(template) -> bool:
    """Whether a template prints a product block or loops over ``products`` (only then are
    products chosen, and a message with none to show is not sent)."""
    return bool(USES_PRODUCTS.search(template.body))


def _in_stock_variant(product):
    variants = [v for v in product.variants.all() if v.stock > 0]
    return min(variants, key=lambda v: v.price_cents) if variants else None


def new_arrivals(shop, customer, now: datetime, *, limit: int = LIMIT) -> list[tuple]:
    """Products added in the last ``NEW_ARRIVALS_DAYS`` in the categories the customer has
    bought from, in stock, that they have not bought, newest first; none with a poor rating
    (``reviews.figures.RatingScore.poor``, one query)."""
    from aftersale.catalog.models import Product
    from aftersale.orders.models import OrderLine
    from aftersale.reviews.figures import rating_scores

    bought = OrderLine.objects.for_shop(shop).filter(order__customer=customer)
    categories = bought.exclude(variant__product__category=None).values(
        "variant__product__category_id"
    )
    products = (
        Product.objects.for_shop(shop)
        .filter(
            category_id__in=categories,
            created_at__gte=now - timedelta(days=NEW_ARRIVALS_DAYS),
            variants__stock__gt=0,
        )
        .exclude(pk__in=bought.exclude(variant=None).values("variant__product_id"))
        .distinct()
        .prefetch_related("variants")
        .order_by("-created_at", "-pk")[: limit * 3]
    )
    ratings = rating_scores(shop, [product.pk for product in products])
    products = [product for product in products if not ratings[product.pk].poor]
    chosen = []
    for product in products:
        variant = _in_stock_variant(product)
        if variant is not None:
            chosen.append((product, variant))
        if len(chosen) == limit:
            break
    return chosen


def accessories(shop, customer, order, *, limit: int = LIMIT) -> list[tuple]:
    """What goes with what the customer kept from ``order`` (the recommendations service)."""
    from aftersale.recommendations.services import recommend_for_customer

    return [
        (r.product, r.variant)
        for r in recommend_for_customer(shop, customer, limit=limit, for_order=order)
    ]


def recommendations(shop, customer, *, limit: int = LIMIT) -> list[tuple]:
    """What goes with everything the customer kept, recent purchases first."""
    from aftersale.recommendations.services import recommend_for_customer

    return [(r.product, r.variant) for r in recommend_for_customer(shop, customer, limit=limit)]


def reorder(shop, customer, order, *, limit: int = LIMIT) -> list[tuple]:
    """The consumables of ``order``, to buy again, if still sold and in stock."""
    from aftersale.flows.replenishment import consumables_of

    chosen = []
    for product in consumables_of(shop, order)[:limit]:
        variant = _in_stock_variant(product)
        if variant is not None:
            chosen.append((product, variant))
    return chosen


def products_for(run, now: datetime) -> list[tuple]:
    """The (product, variant) pairs a run's product block shows."""
    source = SOURCE_BY_FLOW.get(run.flow.key, ACCESSORIES)
    order = run.order if run.order_id else None
    if source == NEW_ARRIVALS:
        return new_arrivals(run.shop, run.customer, now)
    if order is None:  # about the customer (a win-back): what goes with all they kept
        return recommendations(run.shop, run.customer)
    if source == REORDER:
        return reorder(run.shop, run.customer, order)
    return accessories(run.shop, run.customer, order)
