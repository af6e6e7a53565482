"""Ingest of the catalogue: products with their category, variants and related products.

Set-based like the order ingest: a batch costs a fixed number of queries. Variants are matched
by external id; a SKU already used by another variant of the shop is refused, naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from aftersale.catalog.models import Category, Product, ProductRelation, Variant
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
    """Create or update products; their variants and relations are replaced by what is sent (a
    variant that is no longer sent stays, since orders may refer to it; relations stay when
    neither ``accessories`` nor ``relations`` is sent)."""
    items = parse_all(ProductIn, list(payloads))
    errors = duplicates([item.external_id for item in items], "external_id")
    seen_skus: dict[str, str] = {}
    for index, item in enumerate(items):
        for vindex, variant in enumerate(item.variants):
            where = pointer(index, "variants", vindex, "sku")
            if variant.sku in seen_skus:
                errors.append(FieldError(where, f"SKU repeats {seen_skus[variant.sku]}"))
            seen_skus.setdefault(variant.sku, where)
        for where, relation in item.all_relations():
            if relation.product == item.external_id:
                errors.append(
                    FieldError(pointer(index, *_field(where, "product")), "is the product itself")
                )
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
    related_ids = {r.product for item in items for _, r in item.all_relations()}
    sent_ids = {item.external_id for item in items}
    products = {
        p.external_id: p
        for p in Product.objects.for_shop(shop).filter(external_id__in=sent_ids | related_ids)
    }
    missing = [
        FieldError(pointer(index, *_field(where, "product")), "no product with this external id")
        for index, item in enumerate(items)
        for where, relation in item.all_relations()
        if relation.product not in products and relation.product not in sent_ids
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

    touched = _save_variants(shop, results, now) | _save_relations(shop, results, products)
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
                "gtin": v.gtin,
                "mpn": v.mpn,
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


def _field(where: tuple[str, int], field: str) -> tuple:
    """Where a relation's ``field`` is: an accessory is its own entry, a relation an object."""
    return where if where[0] == "accessories" else (*where, field)


def _save_relations(shop: Shop, results, products: dict[str, Product]) -> set[int]:
    """Replace the relations of every product that sent some; variants named by a relation must
    belong to the product they are given for."""
    sending = [(i, item, product) for i, (item, product, _, _) in enumerate(results)]
    sending = [(i, item, product) for i, item, product in sending if item.sends_relations]
    if not sending:
        return set()
    variant_ids = {
        vid
        for _, item, _ in sending
        for _, r in item.all_relations()
        for vid in (r.variant, r.for_variant)
        if vid
    }
    variants = {
        external_id: (pk, product_id)
        for external_id, pk, product_id in Variant.objects.for_shop(shop)
        .filter(external_id__in=variant_ids)
        .values_list("external_id", "pk", "product_id")
    }
    errors: list[FieldError] = []
    wanted: dict[int, list[tuple]] = {}
    for index, item, product in sending:
        rows: dict[tuple, None] = {}
        for where, relation in item.all_relations():
            related = products[relation.product]
            source = target = None
            for field, external_id, owner in (
                ("for_variant", relation.for_variant, product),
                ("variant", relation.variant, related),
            ):
                if not external_id:
                    continue
                pk, product_id = variants.get(external_id, (None, None))
                if product_id != owner.pk:
                    errors.append(
                        FieldError(
                            pointer(index, *where, field),
                            f"no variant of product {owner.external_id} with this external id",
                        )
                    )
                elif field == "variant":
                    target = pk
                else:
                    source = pk
            rows.setdefault((related.pk, str(relation.kind), source, target))
        wanted[product.pk] = list(rows)
    if errors:
        raise InvalidPayload(errors)

    existing: dict[int, list[tuple]] = {}
    for pid, *row in (
        ProductRelation.objects.for_shop(shop)
        .filter(product_id__in=list(wanted))
        .order_by("product_id", "position", "pk")
        .values_list("product_id", "related_id", "kind", "source_variant_id", "related_variant_id")
    ):
        existing.setdefault(pid, []).append(tuple(row))
    stale = [pid for pid, rows in wanted.items() if existing.get(pid, []) != rows]
    if stale:
        ProductRelation.objects.for_shop(shop).filter(product_id__in=stale).delete()
        ProductRelation.objects.bulk_create(
            [
                ProductRelation(
                    shop=shop,
                    product_id=pid,
                    related_id=related,
                    kind=kind,
                    source_variant_id=source,
                    related_variant_id=target,
                    position=position,
                )
                for pid in stale
                for position, (related, kind, source, target) in enumerate(wanted[pid])
            ],
            batch_size=1000,
        )
    return set(stale)
