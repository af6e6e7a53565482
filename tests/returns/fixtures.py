"""Orders the return stories start from: a customer, an order with lines, a delivered parcel."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import segno
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersale.returns.models import ReturnPolicy
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    OrderLineFactory,
    PaymentFactory,
    ProductFactory,
    ShipmentFactory,
    VariantFactory,
)

DELIVERED_AT = datetime(2026, 11, 5, 14, 0, tzinfo=UTC)


def delivered_order(shop, *, delivered_at=DELIVERED_AT, email="aino@example.fi", lines=2, **kw):
    """An order of ``lines`` shirts (49.90 each, one a size M with an L in stock), paid and
    delivered at ``delivered_at``."""
    order = OrderFactory(
        shop=shop,
        customer__email=email,
        subtotal_cents=4990 * lines,
        shipping_cents=0,
        total_cents=4990 * lines,
        **kw,
    )
    product = ProductFactory(
        shop=shop,
        name="Merino shirt",
        size_advice="Pieni malli: valitse kokoa suurempi.",
        size_advice_translations={
            "en": "Runs small: take one size up.",
            "sv": "Liten i storleken: välj en storlek större.",
        },
    )
    medium = VariantFactory(shop=shop, product=product, size="M", stock=3)
    VariantFactory(shop=shop, product=product, size="L", stock=2)
    VariantFactory(shop=shop, product=product, size="XL", stock=0)
    OrderLineFactory(order=order, variant=medium, name="Merino shirt M")
    for n in range(lines - 1):
        other = VariantFactory(shop=shop, product__name=f"Wool socks {n}", product__shop=shop)
        OrderLineFactory(order=order, variant=other, name=f"Wool socks {n}")
    PaymentFactory(order=order, amount_cents=order.total_cents)
    if delivered_at is not None:
        ShipmentFactory(
            order=order, status="delivered", shipped_at=delivered_at, received_at=delivered_at
        )
    return order


def non_returnable_line(order, kind):
    category = CategoryFactory(shop=order.shop, non_returnable=kind)
    variant = VariantFactory(shop=order.shop, product__category=category, product__shop=order.shop)
    return OrderLineFactory(order=order, variant=variant, name=f"Item ({kind})")


def photo(name="damage.png", *, size=None, content_type="image/png"):
    """A real PNG image (a QR code), optionally padded to ``size`` bytes."""
    out = io.BytesIO()
    segno.make("damage").save(out, kind="png", scale=4)
    data = out.getvalue()
    if size is not None:
        data = data + b"\0" * (size - len(data))
    return SimpleUploadedFile(name, data, content_type=content_type)


def set_policy(shop, **values):
    policy, _ = ReturnPolicy.objects.update_or_create(shop=shop, defaults=values)
    return policy
