"""Ingest of the catalogue: products with their category, variants and accessory links.

Set-based like the order ingest: a batch costs a fixed number of queries. Variants are matched
by external id; a SKU already used by another variant of the shop is refused, naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from aftersale.catalog.models import AccessoryLink, Category, Product, Variant
from aftersale.catalog.payloads import ProductIn
from aftersale.core.models import Shop
from aftersale.orders.ingest import (
    FieldError,
    InvalidPayload,
    RowChanges,
    UnknownReference,
    Upserted,
    duplicates,
    parse_all,
    pointer,
    retry_on_conflict,
)


def upsert_products(shop: Shop, payloads: Iterable[Any]) -> list[Upserted]:
    """Create or update products; their variants and accessory lists are replaced by what is
    sent (a variant that is no longer sent stays, since orders may refer to it)."""
    items = parse_all(ProductIn, list(payloads))
    errors = duplicates([item.external_id for item in items], "external_id")
    seen_skus: dict[str, str] = {}
    for index, item in enumerate(items):
        for vindex, variant in enumerate(item.variants):
            where = pointer(index, "variants", vindex, "sku")
            if variant.sku in seen_skus:
                errors.append(FieldError(where, f"SKU repeats {seen_skus[variant.sku]}"))
            seen_skus.setdefault(variant.sku, where)
        if item.external_id in item.accessories:
            errors.append(FieldError(pointer(index, "accessories"), "lists the product itself"))
    if errors:
        raise InvalidPayload(errors)
    return retry_on_conflict(lambda: _save_products(shop, items))


def upsert_product(shop: Shop, payload: Any) -> Upserted:
    return upsert_products(shop, [payload])[0]


def _save_categories(shop: Shop, items: list[ProductIn]) -> dict[str, Category]:
    sent = {item.category.external_id: item.category for item in items if item.category}
    if not sent:
        return {}
    existing = {
        c.external_id: c for c in Category.objects.for_shop(shop).filter(external_id__in=list(sent))
    }
    changes = RowChanges(Category)
    for external_id, item in sent.items():
        values = {"name": item.name, "non_returnable": item.non_returnable.value}
        category = existing.get(external_id)
        if category is None:
            existing[external_id] = changes.create(
                Category(shop=shop, external_id=external_id, **values)
            )
        else:
            changes.update(category, values)
    changes.save(timezone.now())
    return existing


def _save_products(shop: Shop, items: list[ProductIn]) -> list[Upserted]:
    now = timezone.now()
    categories = _save_categories(shop, items)
    accessory_ids = {aid for item in items for aid in item.accessories}
    wanted = {item.external_id for item in items} | accessory_ids
    products = {
        p.external_id: p for p in Product.objects.for_shop(shop).filter(external_id__in=wanted)
    }
    missing = [
        FieldError(pointer(index, "accessories", aindex), "no product with this external id")
        for index, item in enumerate(items)
        for aindex, aid in enumerate(item.accessories)
        if aid not in products and aid not in {i.external_id for i in items}
    ]
    if missing:
        raise UnknownReference(missing)

    changes, results = RowChanges(Product), []
    for item in items:
        values = {
            "name": item.name,
            "description": item.description,
            "brand": item.brand,
            "category_id": categories[item.category.external_id].pk if item.category else None,
            "url": item.url,
            "image_url": item.image_url,
            "size_advice": item.size_advice,
            "size_advice_translations": dict(item.size_advice_translations),
            "final_sale": item.final_sale,
        }
        product = products.get(item.external_id)
        if product is None:
            products[item.external_id] = product = changes.create(
                Product(shop=shop, external_id=item.external_id, **values)
            )
            results.append([item, product, True, True])
        else:
            results.append([item, product, False, bool(changes.update(product, values))])
    changes.save(now)

    touched = _save_variants(shop, results, now) | _save_accessories(shop, results, products)
    return [
        Upserted(product.external_id, product.pk, created, changed or product.pk in touched)
        for item, product, created, changed in results
    ]


def _save_variants(shop: Shop, results, now) -> set[int]:
    sent = [(index, item, product) for index, (item, product, _, _) in enumerate(results)]
    external_ids = [v.external_id for _, item, _ in sent for v in item.variants]
    skus = [v.sku for _, item, _ in sent for v in item.variants]
    if not external_ids:
        return set()
    existing = {
        v.external_id: v
        for v in Variant.objects.for_shop(shop).filter(external_id__in=external_ids)
    }
    sku_owner = dict(
        Variant.objects.for_shop(shop).filter(sku__in=skus).values_list("sku", "external_id")
    )
    errors = [
        FieldError(pointer(index, "variants", vindex, "sku"), "is used by another variant")
        for index, item, _ in sent
        for vindex, v in enumerate(item.variants)
        if sku_owner.get(v.sku, v.external_id) != v.external_id
    ]
    if errors:
        raise InvalidPayload(errors)
    changes, touched = RowChanges(Variant), set()
    for _, item, product in sent:
        for v in item.variants:
            values = {
                "product_id": product.pk,
                "sku": v.sku,
                "size": v.size,
                "colour": v.colour,
                "price_cents": v.price_cents,
                "unit_cost_cents": v.unit_cost_cents,
                "currency": v.currency or shop.currency,
                "stock": v.stock,
            }
            variant = existing.get(v.external_id)
            if variant is None:
                changes.create(Variant(shop=shop, external_id=v.external_id, **values))
                touched.add(product.pk)
            elif changes.update(variant, values):
                touched.add(product.pk)
    changes.save(now)
    return touched


def _save_accessories(shop: Shop, results, products: dict[str, Product]) -> set[int]:
    product_ids = [product.pk for _, product, _, _ in results]
    existing: dict[int, list[tuple[int, int]]] = {}
    for pid, aid, pos in (
        AccessoryLink.objects.for_shop(shop)
        .filter(product_id__in=product_ids)
        .order_by("product_id", "position")
        .values_list("product_id", "accessory_id", "position")
    ):
        existing.setdefault(pid, []).append((aid, pos))
    touched, stale, new = set(), [], []
    for item, product, _, _ in results:
        wanted = [
            (products[aid].pk, pos) for pos, aid in enumerate(dict.fromkeys(item.accessories))
        ]
        if existing.get(product.pk, []) != wanted:
            touched.add(product.pk)
            stale.append(product.pk)
            new.extend(
                AccessoryLink(shop=shop, product=product, accessory_id=aid, position=pos)
                for aid, pos in wanted
            )
    if stale:
        AccessoryLink.objects.for_shop(shop).filter(product_id__in=stale).delete()
    AccessoryLink.objects.bulk_create(new, batch_size=1000)
    return touched
