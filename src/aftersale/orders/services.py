"""Ingest of customers, orders, payments and refunds: idempotent, set-based upserts.

The shop's external id is the natural key, so a replay changes nothing and a newer version
updates the stored row. A batch takes a fixed number of queries whatever its size: existing rows
are fetched once per model, new ones are bulk-created, changed ones bulk-updated, and the
timeline events of the whole batch are recorded together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from aftersale.catalog.models import Variant
from aftersale.core.bulk import insert_rows
from aftersale.core.models import Shop
from aftersale.delivery.addresses import check_address
from aftersale.delivery.services import upsert_pickup_points
from aftersale.orders.ingest import (
    FieldError,
    InvalidPayload,
    RowChanges,
    UnknownReference,
    Upserted,
    assign_changed,
    duplicates,
    is_stale,
    parse_all,
    pointer,
    retry_on_conflict,
)
from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund
from aftersale.orders.payloads import CustomerIn, OrderIn, PaymentIn, RefundIn
from aftersale.timeline import types
from aftersale.timeline.services import EventRow, event_row, record_events

MAX_BATCH = 1000

# Customer fields copied from the payload when the sender included them.
CUSTOMER_FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "language",
    "street",
    "postcode",
    "city",
    "country",
)


def _event(shop: Shop, type: str, subject, *, customer_id=None, payload=None, at=None) -> EventRow:
    return event_row(
        shop.pk,
        type,
        subject._meta.model_name,
        subject.pk,
        customer_id=customer_id,
        payload=payload,
        occurred_at=at,
    )


def _check_unique(items: list, field: str = "external_id") -> None:
    errors = duplicates([getattr(item, field) for item in items], field)
    if errors:
        raise InvalidPayload(errors)


# --- customers -----------------------------------------------------------------------------


def upsert_customers(shop: Shop, payloads: Iterable[Any], *, source: str = "api") -> list[Upserted]:
    """Create or update customers by external id; fields left out of a payload are kept."""
    items = parse_all(CustomerIn, list(payloads))
    _check_unique(items)

    def write():
        events: list[EventRow] = []
        customers = _save_customers(shop, items, events, source=source)
        record_events(events)
        return [
            Upserted(c.external_id, c.pk, c._created, c._changed)
            for c in (customers[item.external_id] for item in items)
        ]

    return retry_on_conflict(write)


def upsert_customer(shop: Shop, payload: Any, *, source: str = "api") -> Upserted:
    return upsert_customers(shop, [payload], source=source)[0]


def _save_customers(
    shop: Shop,
    items: list[CustomerIn],
    events: list[EventRow],
    *,
    source: str,
    first_orders: dict[str, datetime] | None = None,
) -> dict[str, Customer]:
    """Upsert ``items`` (the last one wins for a repeated id); returns them by external id."""
    by_id = {item.external_id: item for item in items}
    existing = {
        c.external_id: c
        for c in Customer.objects.for_shop(shop).filter(external_id__in=list(by_id))
    }
    now = timezone.now()
    first_orders = first_orders or {}
    changes = RowChanges(Customer)
    for external_id, item in by_id.items():
        sent = item.model_fields_set
        values = {name: getattr(item, name) for name in CUSTOMER_FIELDS if name in sent}
        values = {k: ("" if v is None else v) for k, v in values.items()}
        if values.get("language") == "":
            values.pop("language")
        customer = existing.get(external_id)
        consent = item.marketing_consent if "marketing_consent" in sent else None
        first_order = first_orders.get(external_id)
        if customer is None:
            customer = Customer(
                shop=shop,
                external_id=external_id,
                **{"language": shop.default_language, **values},
            )
            if consent is not None:
                customer.marketing_consent = consent
                customer.consent_at = now
                customer.consent_source = source
            customer.first_order_at = first_order
            customer._created, customer._changed, customer._consent_changed = True, True, False
            changes.create(customer)
        else:
            fields = assign_changed(customer, values)
            customer._consent_changed = False
            if consent is not None and consent != customer.marketing_consent:
                customer.marketing_consent = consent
                customer.consent_at = now
                customer.consent_source = source
                fields += ["marketing_consent", "consent_at", "consent_source"]
                customer._consent_changed = True
            if first_order and (
                customer.first_order_at is None or first_order < customer.first_order_at
            ):
                customer.first_order_at = first_order
                fields.append("first_order_at")
            customer._created, customer._changed = False, bool(fields)
            changes.mark(customer, fields)
        existing[external_id] = customer
    changes.save(now)
    for customer in changes.new:
        events.append(
            _event(
                shop,
                types.CUSTOMER_CREATED,
                customer,
                customer_id=customer.pk,
                payload={"external_id": customer.external_id},
                # A customer first seen in imported history became one then, not now.
                at=min(now, customer.first_order_at or now),
            )
        )
        if customer.marketing_consent:
            events.append(_consent_event(shop, customer, source))
    for customer in changes.changed:
        if customer._consent_changed:
            events.append(_consent_event(shop, customer, source))
    return existing


def _consent_event(shop: Shop, customer: Customer, source: str) -> EventRow:
    return _event(
        shop,
        types.CUSTOMER_CONSENT_CHANGED,
        customer,
        customer_id=customer.pk,
        payload={"marketing_consent": customer.marketing_consent, "source": source},
        at=customer.consent_at,
    )


# --- orders --------------------------------------------------------------------------------


def upsert_orders(shop: Shop, payloads: Iterable[Any], *, source: str = "api") -> list[Upserted]:
    """Create or update orders with their customer, lines, address and pickup point.

    Lines are matched by their external id within the order; a line no longer sent is removed
    unless a return refers to it. ``order.placed`` is recorded for a new order,
    ``order.updated`` for a changed one and ``order.cancelled`` when it becomes cancelled.
    """
    items = parse_all(OrderIn, list(payloads))
    _check_unique(items)
    return retry_on_conflict(lambda: _save_orders(shop, items, source))


def upsert_order(shop: Shop, payload: Any, *, source: str = "api") -> Upserted:
    return upsert_orders(shop, [payload], source=source)[0]


def _order_values(shop: Shop, item: OrderIn) -> dict[str, Any]:
    subtotal = item.subtotal_cents
    if subtotal is None:
        subtotal = sum(line.line_total() for line in item.lines)
    total = item.total_cents
    if total is None:
        total = subtotal + item.shipping_cents - item.discount_cents
    address = item.shipping_address
    return {
        "number": item.number or item.external_id,
        "placed_at": item.placed_at,
        "status": item.status.value,
        "currency": item.currency or shop.currency,
        "subtotal_cents": subtotal,
        "shipping_cents": item.shipping_cents,
        "discount_cents": item.discount_cents,
        "total_cents": total,
        "vat_cents": item.vat_cents,
        "payment_method": item.payment_method.value,
        "delivery_method": item.delivery_method.value,
        "carrier": item.carrier or (item.pickup_point.carrier if item.pickup_point else ""),
        "ship_name": address.name,
        "ship_street": address.street,
        "ship_postcode": address.postcode,
        "ship_city": address.city,
        "ship_country": address.country,
        "ship_phone": address.phone,
        "marketing_consent": item.marketing_consent,
    }


def address_check_of(values: dict[str, Any], point) -> dict[str, Any]:
    """The address check stored on the order for the merchant to see before shipping.

    Orders without any shipping address (nothing to deliver) are not checked.
    """
    if not any(values[f] for f in ("ship_street", "ship_postcode", "ship_city")) and point is None:
        return {}
    check = check_address(
        values["ship_street"],
        values["ship_postcode"],
        values["ship_city"],
        values["ship_country"] or "FI",
        pickup_point=point,
    ).to_dict()
    # The check's own time would make every replay look like a change.
    check.pop("checked_at", None)
    return check


def _save_orders(shop: Shop, items: list[OrderIn], source: str) -> list[Upserted]:
    existing = {
        o.external_id: o
        for o in Order.objects.for_shop(shop).filter(external_id__in=[i.external_id for i in items])
    }
    stale = {
        item.external_id: Upserted(item.external_id, order.pk, False, False, stale=True)
        for item in items
        if is_stale(order := existing.get(item.external_id), item.updated_at)
    }
    if stale:  # an older version than the stored one changes nothing, its customer included
        fresh = [item for item in items if item.external_id not in stale]
        saved = _save_fresh_orders(shop, fresh, source, existing) if fresh else []
        stored = {result.external_id: result for result in saved}
        return [stale.get(item.external_id) or stored[item.external_id] for item in items]
    return _save_fresh_orders(shop, items, source, existing)


def _save_fresh_orders(
    shop: Shop, items: list[OrderIn], source: str, existing: dict[str, Order]
) -> list[Upserted]:
    now = timezone.now()
    events: list[EventRow] = []

    first_orders: dict[str, datetime] = {}
    for item in items:
        cid = item.customer.external_id
        if cid not in first_orders or item.placed_at < first_orders[cid]:
            first_orders[cid] = item.placed_at
    customers = _save_customers(
        shop, [item.customer for item in items], events, source=source, first_orders=first_orders
    )
    points = upsert_pickup_points(shop, [item.pickup_point for item in items if item.pickup_point])
    skus = {line.sku for item in items for line in item.lines if line.sku}
    variants = dict(
        Variant.objects.for_shop(shop).filter(sku__in=skus).values_list("sku", "id") if skus else []
    )
    changes = RowChanges(Order)
    results: list[tuple[OrderIn, Order, bool, bool, str]] = []
    for item in items:
        values = _order_values(shop, item)
        values["customer_id"] = customers[item.customer.external_id].pk
        pp = item.pickup_point
        point = points[(pp.carrier, pp.code)] if pp else None
        values["pickup_point_id"] = point.pk if point else None
        values["address_check"] = address_check_of(values, point)
        if item.updated_at is not None:
            values["source_updated_at"] = item.updated_at
        order = existing.get(item.external_id)
        if order is None:
            order = changes.create(Order(shop_id=shop.pk, external_id=item.external_id, **values))
            results.append((item, order, True, True, ""))
        else:
            old_status = order.status
            changed = bool(changes.update(order, values))
            results.append((item, order, False, changed, old_status))
    changes.save(now)

    lines_changed = _save_lines(shop, results, variants, now)
    # An order whose lines alone changed is newer too (one query for the whole batch).
    lines_only = lines_changed - {order.pk for order in changes.changed}
    if lines_only:
        Order.objects.for_shop(shop).filter(pk__in=lines_only).update(updated_at=now)

    out = []
    for item, order, created, changed, old_status in results:
        changed = changed or order.pk in lines_changed
        payload = {
            "external_id": order.external_id,
            "number": order.number,
            "total_cents": order.total_cents,
            "currency": order.currency,
            "source": source,
        }
        payload.update(_checkout_facts(shop, item))
        if created:
            events.append(
                _event(
                    shop,
                    types.ORDER_PLACED,
                    order,
                    customer_id=order.customer_id,
                    payload=payload,
                    at=order.placed_at,
                )
            )
            if order.status == Order.Status.CANCELLED:
                events.append(
                    _event(shop, types.ORDER_CANCELLED, order, customer_id=order.customer_id)
                )
        elif changed:
            became_cancelled = (
                order.status == Order.Status.CANCELLED and old_status != Order.Status.CANCELLED
            )
            events.append(
                _event(
                    shop,
                    types.ORDER_CANCELLED if became_cancelled else types.ORDER_UPDATED,
                    order,
                    customer_id=order.customer_id,
                    payload=payload,
                )
            )
        out.append(Upserted(order.external_id, order.pk, created, changed))
    record_events(events)
    return out


def _checkout_facts(shop: Shop, item: OrderIn) -> dict[str, Any]:
    """What the order's event tells loyalty: the discount codes used (a reward's code is then
    settled) and a keyed hash of the payment fingerprint (referral fraud checks)."""
    facts: dict[str, Any] = {}
    if item.discount_codes:
        facts["discount_codes"] = sorted({code.strip() for code in item.discount_codes})
    if item.payment_fingerprint.strip():
        facts["payment_fingerprint"] = salted_hmac(
            "aftersale.orders.payment-fingerprint",
            f"{shop.pk}:{item.payment_fingerprint.strip()}",
            algorithm="sha256",
        ).hexdigest()
    return facts


def _save_lines(shop: Shop, results, variants: dict[str, int], now: datetime) -> set[int]:
    """Upsert every order's lines in a few queries; returns the ids of orders whose lines
    changed."""
    updated_ids = [order.pk for _, order, created, _, _ in results if not created]
    existing: dict[tuple[int, str], OrderLine] = {}
    if updated_ids:
        for line in OrderLine.objects.filter(order_id__in=updated_ids):
            existing[(line.order_id, line.external_id)] = line
    new, changes, touched = [], RowChanges(OrderLine), set()
    kept: set[int] = set()
    for item, order, _created, _, _ in results:
        for line_in in item.lines:
            values = {
                "sku": line_in.sku,
                "name": line_in.name,
                "quantity": line_in.quantity,
                "unit_price_cents": line_in.unit_price_cents,
                "total_cents": line_in.line_total(),
                "vat_rate_bp": line_in.vat_rate_bp,
                "vat_cents": line_in.vat_cents,
                "unit_cost_cents": line_in.unit_cost_cents,
                "variant_id": variants.get(line_in.sku),
            }
            line = existing.get((order.pk, line_in.external_id))
            if line is None:
                new.append(
                    {
                        "shop_id": shop.pk,
                        "order_id": order.pk,
                        "external_id": line_in.external_id,
                        **values,
                    }
                )
                touched.add(order.pk)
            else:
                kept.add(line.pk)
                if changes.update(line, values):
                    touched.add(order.pk)
    insert_rows(OrderLine, new)
    changes.save(now)
    gone = [line for line in existing.values() if line.pk not in kept]
    if gone:
        removable = OrderLine.objects.filter(pk__in=[line.pk for line in gone]).filter(
            return_lines__isnull=True
        )
        touched.update(removable.values_list("order_id", flat=True))
        removable.delete()
    return touched & set(updated_ids)


# --- payments and refunds ------------------------------------------------------------------


def _orders_by_external_id(shop: Shop, items: list) -> dict[str, Order]:
    wanted = {item.order_external_id for item in items}
    orders = {o.external_id: o for o in Order.objects.for_shop(shop).filter(external_id__in=wanted)}
    errors = [
        FieldError(pointer(index, "order_external_id"), "no order with this external id")
        for index, item in enumerate(items)
        if item.order_external_id not in orders
    ]
    if errors:
        raise UnknownReference(errors)
    return orders


def upsert_payments(shop: Shop, payloads: Iterable[Any]) -> list[Upserted]:
    """Create or update payments of existing orders; ``payment.received`` for a new one."""
    items = parse_all(PaymentIn, list(payloads))
    _check_unique(items)

    def write():
        orders = _orders_by_external_id(shop, items)

        def values(item, order):
            return {
                "order_id": order.pk,
                "method": item.method.value,
                "amount_cents": item.amount_cents,
                "currency": item.currency or order.currency,
                "paid_at": item.paid_at,
            }

        return _save_simple(
            shop, Payment, items, orders, values, types.PAYMENT_RECEIVED, "paid_at", "amount_cents"
        )

    return retry_on_conflict(write)


def upsert_payment(shop: Shop, payload: Any) -> Upserted:
    return upsert_payments(shop, [payload])[0]


def upsert_refunds(shop: Shop, payloads: Iterable[Any]) -> list[Upserted]:
    """Create or update refunds of existing orders; ``refund.issued`` for a new one."""
    items = parse_all(RefundIn, list(payloads))
    _check_unique(items)

    def write():
        orders = _orders_by_external_id(shop, items)

        def values(item, order):
            return {
                "order_id": order.pk,
                "amount_cents": item.amount_cents,
                "currency": item.currency or order.currency,
                "reason": item.reason,
                "refunded_at": item.refunded_at,
            }

        return _save_simple(
            shop, Refund, items, orders, values, types.REFUND_ISSUED, "refunded_at", "amount_cents"
        )

    return retry_on_conflict(write)


def upsert_refund(shop: Shop, payload: Any) -> Upserted:
    return upsert_refunds(shop, [payload])[0]


def _save_simple(shop, model, items, orders, values_of, event_type, time_field, amount_field):
    """Upsert rows that hang off an order and record ``event_type`` for the new ones."""
    now = timezone.now()
    existing = {
        row.external_id: row
        for row in model.objects.for_shop(shop).filter(
            Q(external_id__in=[item.external_id for item in items])
        )
    }
    changes, results = RowChanges(model), []
    for item in items:
        order = orders[item.order_external_id]
        values = values_of(item, order)
        row = existing.get(item.external_id)
        if row is None:
            row = changes.create(model(shop=shop, external_id=item.external_id, **values))
            results.append((row, order, True, True))
        else:
            results.append((row, order, False, bool(changes.update(row, values))))
    changes.save(now)
    events = [
        _event(
            shop,
            event_type,
            row,
            customer_id=order.customer_id,
            payload={
                "external_id": row.external_id,
                "order_external_id": order.external_id,
                "amount_cents": getattr(row, amount_field),
                "currency": row.currency,
            },
            at=getattr(row, time_field),
        )
        for row, order, created, _ in results
        if created
    ]
    record_events(events)
    return [Upserted(row.external_id, row.pk, created, ch) for row, _, created, ch in results]
