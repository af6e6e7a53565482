"""Writes a simulated demo history into the database, fast.

Everything is written in one transaction with ids assigned up front, so no row is read back.
Rows go in through the database driver's ``executemany`` (SQLite), ``COPY`` (PostgreSQL) or
multi-row ``INSERT`` statements (other databases), in large batches: at the default size that
is about a million rows, which ``bulk_create`` needs many times longer for, because it builds a
model instance per row (bench/demo/run.py measures it). Column names and table names come from
the models, so a renamed field breaks loudly here, and the tests read the rows back through
the ORM.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from django.core.management.color import no_style
from django.db import connection, models, transaction

from aftersale.catalog.models import Category, Product, ProductRelation, Variant
from aftersale.core.models import Shop
from aftersale.core.services import create_shop
from aftersale.delivery.models import PickupPoint, Shipment, TrackingEvent
from aftersale.demo import catalogue as catalogue_data
from aftersale.demo.shop_settings import apply_shop_settings
from aftersale.demo.simulation import ShopHistory, ShopSpec
from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund
from aftersale.returns.models import ReturnLine, ReturnRequest
from aftersale.timeline import types
from aftersale.timeline.models import Event

BATCH = 5_000
RETURN_EVENTS = {
    "requested": types.RETURN_REQUESTED,
    "approved": types.RETURN_APPROVED,
    "rejected": types.RETURN_REJECTED,
    "in_transit": types.RETURN_IN_TRANSIT,
    "received": types.RETURN_RECEIVED,
    "inspected": types.RETURN_INSPECTED,
    "refunded": types.RETURN_REFUNDED,
    "exchanged": types.RETURN_EXCHANGED,
    "credited": types.RETURN_CREDITED,
    "closed": types.RETURN_CLOSED,
}
SHOP_SETTINGS = {
    "pohjola-style": {
        "return_window_days": 30,
        "contact_phone": "+358 9 4241 7700",
        "address": "Pohjola Style Oy\nTikkurilantie 10\n01300 Vantaa",
        "website": "https://pohjola-style.example",
    },
    "saaristo-tech": {
        "return_window_days": 14,
        "contact_phone": "+358 2 4588 1200",
        "address": "Saaristo Tech Ab\nStrandgatan 4\n21600 Parainen",
        "website": "https://saaristo-tech.example",
    },
}


class RowWriter:
    """Inserts rows of one model at a time, with the ids the caller assigned."""

    def __init__(self) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.written: dict[str, int] = {}
        self._days: dict[int, str] = {}
        suffix = "" if self.sqlite else "+00:00"
        # Every second of a day as text, so formatting a time is one lookup and one join.
        self._clock = [
            f"{h:02d}:{m:02d}:{s:02d}{suffix}"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]
        if self.sqlite:
            # A page cache big enough for the indexes being filled (256 MB; this connection
            # only), or SQLite spends most of the load re-reading index pages.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")

    def next_id(self, model: type[models.Model]) -> int:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cursor.fetchone()[0]) + 1

    def time(self, seconds: int | None) -> str | None:
        """A UTC time as the database stores it ('2025-11-28 18:03:11', with +00:00 off SQLite)."""
        if seconds is None:
            return None
        day = seconds // 86_400
        prefix = self._days.get(day)
        if prefix is None:
            prefix = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d ")
            self._days[day] = prefix
        return prefix + self._clock[seconds - day * 86_400]

    def insert(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]
    ) -> int:
        opts = model._meta
        names = [opts.get_field(name).column for name in columns]
        quote = connection.ops.quote_name
        head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(n) for n in names)}) VALUES "
        one = "(" + ", ".join(["%s"] * len(names)) + ")"
        count = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    self._flush(cursor, head, one, batch)
                    count += len(batch)
                    batch = []
            if batch:
                self._flush(cursor, head, one, batch)
                count += len(batch)
        self.written[opts.label] = self.written.get(opts.label, 0) + count
        return count

    def _flush(self, cursor, head: str, one: str, batch: list[tuple]) -> None:
        if self.sqlite:
            cursor.executemany(head + one, batch)
            return
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: rows stream in one command, no SQL per row.
            table_and_columns = head.removeprefix("INSERT INTO ").removesuffix(" VALUES ")
            with cursor.cursor.copy(f"COPY {table_and_columns} FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            return
        for start in range(0, len(batch), 500):
            chunk = batch[start : start + 500]
            cursor.execute(
                head + ", ".join([one] * len(chunk)), [value for row in chunk for value in row]
            )

    @contextmanager
    def indexes_built_afterwards(self, models_written: Sequence[type[models.Model]]):
        """On SQLite, drop the tables' plain indexes while loading and build them again after.

        Filling an index row by row costs SQLite about three times as much as building it
        once from the loaded table; inside the transaction, nobody else sees them missing.
        Unique indexes stay (they are part of the tables), so uniqueness is still checked.
        """
        if not self.sqlite:
            yield
            return
        tables = [model._meta.db_table for model in models_written]
        marks = ", ".join(["%s"] * len(tables))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks})",
                tables,
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            for _, sql in indexes:
                cursor.execute(sql)

    def reset_sequences(self, models_written: Sequence[type[models.Model]]) -> None:
        """After inserting explicit ids, move PostgreSQL's id sequences past them."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(models_written))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def create_demo_shop(spec: ShopSpec) -> Shop:
    shop = create_shop(
        name=spec.name,
        slug=spec.slug,
        default_language=spec.default_language,
        languages=["sv", "fi", "en"] if spec.default_language == "sv" else ["fi", "sv", "en"],
        contact_email=spec.email,
        **SHOP_SETTINGS.get(spec.slug, {}),
    )
    apply_shop_settings(shop, spec)
    return shop


WRITTEN_MODELS = (
    Category,
    Product,
    Variant,
    ProductRelation,
    PickupPoint,
    Customer,
    Order,
    OrderLine,
    Payment,
    Shipment,
    TrackingEvent,
    ReturnRequest,
    ReturnLine,
    Refund,
    Event,
)


@transaction.atomic
def write_history(
    shop: Shop, history: ShopHistory, writer: RowWriter, progress: Callable[[str], None]
) -> None:
    """All of one simulated shop's rows, in one transaction."""
    ShopWrite(shop, history, writer, progress).run()


class ShopWrite:
    def __init__(
        self,
        shop: Shop,
        history: ShopHistory,
        writer: RowWriter,
        progress: Callable[[str], None],
    ) -> None:
        self.shop_id = shop.pk
        self.h = history
        self.w = writer
        self.progress = progress
        self.t = writer.time
        self.events: list[tuple] = []

    def run(self) -> None:
        self.catalogue()
        self.pickup_points()
        self.customers()
        self.orders()
        self.shipments()
        self.returns()
        self.refunds()
        self.timeline()

    # -- catalogue ---------------------------------------------------------------------------

    def catalogue(self) -> None:
        w, t, shop, h = self.w, self.t, self.shop_id, self.h
        opened = t(h.start)
        cat = h.catalogue
        first = w.next_id(Category)
        roots = sorted({spec.group for spec in cat.categories})
        root_id = {group: first + i for i, group in enumerate(roots)}
        self.category_id = {
            spec.key: first + len(roots) + i for i, spec in enumerate(cat.categories)
        }
        language = cat.language if cat.language in ("fi", "sv") else "fi"
        rows = [
            (
                root_id[g],
                shop,
                f"root-{g}",
                catalogue_data.ROOTS[g][language],
                None,
                "",
                opened,
                opened,
            )
            for g in roots
        ]
        rows += [
            (
                self.category_id[spec.key],
                shop,
                spec.key,
                spec.name[language],
                root_id[spec.group],
                spec.non_returnable,
                opened,
                opened,
            )
            for spec in cat.categories
        ]
        columns = ["id", "shop", "external_id", "name", "parent", "non_returnable"]
        w.insert(Category, [*columns, "created_at", "updated_at"], rows)

        base = w.next_id(Product)
        self.product_id = [base + p.index for p in cat.products]
        slug = self.h.spec.slug
        w.insert(
            Product,
            [
                "id",
                "shop",
                "external_id",
                "name",
                "description",
                "brand",
                "category",
                "url",
                "image_url",
                "size_advice",
                "size_advice_translations",
                "final_sale",
                "created_at",
                "updated_at",
            ],
            (
                (
                    self.product_id[p.index],
                    shop,
                    p.external_id,
                    p.name,
                    p.description,
                    p.brand,
                    self.category_id[p.category],
                    f"https://{slug}.example/tuotteet/{p.external_id}",
                    "",
                    p.size_advice,
                    json.dumps(p.size_advice_translations),
                    p.final_sale,
                    opened,
                    opened,
                )
                for p in cat.products
            ),
        )
        base = w.next_id(Variant)
        self.variant_id = [base + v.index for v in cat.variants]
        w.insert(
            Variant,
            [
                "id",
                "shop",
                "product",
                "external_id",
                "sku",
                "gtin",
                "mpn",
                "size",
                "colour",
                "price_cents",
                "unit_cost_cents",
                "currency",
                "stock",
                "created_at",
                "updated_at",
            ],
            (
                (
                    self.variant_id[v.index],
                    shop,
                    self.product_id[v.product],
                    v.external_id,
                    v.sku,
                    "",
                    "",
                    v.size,
                    v.colour,
                    v.price_cents,
                    v.unit_cost_cents,
                    "EUR",
                    v.stock,
                    opened,
                    opened,
                )
                for v in cat.variants
            ),
        )
        base = w.next_id(ProductRelation)
        w.insert(
            ProductRelation,
            ["id", "shop", "product", "related", "kind", "position", "created_at", "updated_at"],
            (
                (
                    base + i,
                    shop,
                    self.product_id[product],
                    self.product_id[accessory],
                    "accessory",
                    position,
                    opened,
                    opened,
                )
                for i, (product, accessory, position) in enumerate(cat.accessory_links)
            ),
        )

    def pickup_points(self) -> None:
        w, opened = self.w, self.t(self.h.start)
        base = w.next_id(PickupPoint)
        self.point_id = [base + p.index for p in self.h.pickup_points]
        hours = {}
        w.insert(
            PickupPoint,
            [
                "id",
                "shop",
                "carrier",
                "code",
                "name",
                "kind",
                "street",
                "postcode",
                "city",
                "country",
                "latitude",
                "longitude",
                "opening_hours",
                "active",
                "created_at",
                "updated_at",
            ],
            (
                (
                    self.point_id[p.index],
                    self.shop_id,
                    p.carrier,
                    p.code,
                    p.name,
                    p.kind,
                    p.street,
                    p.postcode,
                    p.city,
                    "FI",
                    p.latitude,
                    p.longitude,
                    hours.setdefault(id(p.opening_hours), json.dumps(p.opening_hours)),
                    True,
                    opened,
                    opened,
                )
                for p in self.h.pickup_points
            ),
        )

    # -- customers and orders ----------------------------------------------------------------

    def customers(self) -> None:
        w, t, shop = self.w, self.t, self.shop_id
        base = w.next_id(Customer)
        self.customer_id = [base + c.index for c in self.h.customers]
        last_activity = [c.first_order_at for c in self.h.customers]
        for order in self.h.orders:
            last_activity[order.customer] = max(last_activity[order.customer], order.placed_at)
        events = self.events
        rows = []
        for c in self.h.customers:
            cid = self.customer_id[c.index]
            joined = t(c.first_order_at - 60)
            rows.append(
                (
                    cid,
                    shop,
                    c.external_id,
                    c.email,
                    c.phone,
                    c.first_name,
                    c.last_name,
                    c.language,
                    c.street,
                    c.postcode,
                    c.city,
                    "FI",
                    c.marketing_consent,
                    t(c.consent_at),
                    "checkout" if c.marketing_consent else "",
                    "2024-01" if c.marketing_consent else "",
                    t(c.first_order_at),
                    joined,
                    t(last_activity[c.index]),
                )
            )
            events.append((cid, types.CUSTOMER_CREATED, "customer", cid, "{}", joined))
            if c.marketing_consent:
                events.append(
                    (
                        cid,
                        types.CUSTOMER_CONSENT_CHANGED,
                        "customer",
                        cid,
                        '{"marketing_consent": true, "source": "checkout", "wording_version": '
                        '"2024-01"}',
                        t(c.consent_at),
                    )
                )
        w.insert(
            Customer,
            [
                "id",
                "shop",
                "external_id",
                "email",
                "phone",
                "first_name",
                "last_name",
                "language",
                "street",
                "postcode",
                "city",
                "country",
                "marketing_consent",
                "consent_at",
                "consent_source",
                "consent_wording_version",
                "first_order_at",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        self.progress(f"  {len(rows):,} customers")

    def orders(self) -> None:
        w, t, shop, h = self.w, self.t, self.shop_id, self.h
        base = w.next_id(Order)
        self.order_id = [base + o.index for o in h.orders]
        events = self.events
        customer_id = self.customer_id
        rows = []
        for o in h.orders:
            oid = self.order_id[o.index]
            cid = customer_id[o.customer]
            placed = t(o.placed_at)
            rows.append(
                (
                    oid,
                    shop,
                    o.number,
                    o.number,
                    cid,
                    placed,
                    o.status,
                    "EUR",
                    o.subtotal_cents,
                    o.shipping_cents,
                    o.discount_cents,
                    o.total_cents,
                    o.vat_cents,
                    o.payment_method,
                    o.delivery_method,
                    o.carrier,
                    self.point_id[o.pickup_point] if o.pickup_point >= 0 else None,
                    o.ship_name,
                    o.ship_street,
                    o.ship_postcode,
                    o.ship_city,
                    "FI",
                    o.ship_phone,
                    o.marketing_consent,
                    "{}",
                    placed,
                    placed,
                )
            )
            events.append(
                (
                    cid,
                    types.ORDER_PLACED,
                    "order",
                    oid,
                    f'{{"number": "{o.number}", "total_cents": {o.total_cents}, '
                    f'"currency": "EUR"}}',
                    placed,
                )
            )
        w.insert(
            Order,
            [
                "id",
                "shop",
                "external_id",
                "number",
                "customer",
                "placed_at",
                "status",
                "currency",
                "subtotal_cents",
                "shipping_cents",
                "discount_cents",
                "total_cents",
                "vat_cents",
                "payment_method",
                "delivery_method",
                "carrier",
                "pickup_point",
                "ship_name",
                "ship_street",
                "ship_postcode",
                "ship_city",
                "ship_country",
                "ship_phone",
                "marketing_consent",
                "address_check",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        self.progress(f"  {len(rows):,} orders")
        base = w.next_id(OrderLine)
        self.line_id = [base + line.index for line in h.lines]
        w.insert(
            OrderLine,
            [
                "id",
                "shop",
                "order",
                "external_id",
                "variant",
                "sku",
                "name",
                "quantity",
                "unit_price_cents",
                "total_cents",
                "vat_rate_bp",
                "vat_cents",
                "unit_cost_cents",
            ],
            (
                (
                    self.line_id[line.index],
                    shop,
                    self.order_id[line.order],
                    line.external_id,
                    self.variant_id[line.variant],
                    line.sku,
                    line.name,
                    line.quantity,
                    line.unit_price_cents,
                    line.total_cents,
                    line.vat_rate_bp,
                    line.vat_cents,
                    line.unit_cost_cents,
                )
                for line in h.lines
            ),
        )
        base = w.next_id(Payment)
        rows = []
        for i, p in enumerate(h.payments):
            paid = t(p.paid_at)
            rows.append(
                (
                    base + i,
                    shop,
                    self.order_id[p.order],
                    p.external_id,
                    p.method,
                    p.amount_cents,
                    "EUR",
                    paid,
                    paid,
                    paid,
                )
            )
            events.append(
                (
                    customer_id[h.orders[p.order].customer],
                    types.PAYMENT_RECEIVED,
                    "payment",
                    base + i,
                    f'{{"amount_cents": {p.amount_cents}, "method": "{p.method}"}}',
                    paid,
                )
            )
        w.insert(
            Payment,
            [
                "id",
                "shop",
                "order",
                "external_id",
                "method",
                "amount_cents",
                "currency",
                "paid_at",
                "created_at",
                "updated_at",
            ],
            rows,
        )

    # -- delivery ----------------------------------------------------------------------------

    def shipments(self) -> None:
        w, t, shop, h = self.w, self.t, self.shop_id, self.h
        base = w.next_id(Shipment)
        shipment_id = [base + s.index for s in h.shipments]
        events = self.events
        rows = []
        for s in h.shipments:
            last = h.tracking_events[s.events[-1]].occurred_at if s.events else s.created_at
            rows.append(
                (
                    shipment_id[s.index],
                    shop,
                    self.order_id[s.order],
                    s.external_id,
                    s.carrier,
                    s.tracking_number,
                    s.status,
                    self.point_id[s.pickup_point] if s.pickup_point >= 0 else None,
                    t(s.held_until),
                    s.expected_delivery.isoformat(),
                    t(s.shipped_at),
                    t(s.ready_at),
                    t(s.received_at),
                    t(s.returned_at),
                    secrets.token_urlsafe(24),
                    t(s.created_at),
                    t(last),
                )
            )
        w.insert(
            Shipment,
            [
                "id",
                "shop",
                "order",
                "external_id",
                "carrier",
                "tracking_number",
                "status",
                "pickup_point",
                "held_until",
                "expected_delivery",
                "shipped_at",
                "ready_at",
                "received_at",
                "returned_at",
                "tracking_token",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        self.progress(f"  {len(rows):,} shipments")
        base = w.next_id(TrackingEvent)
        rows = []
        order_customer = [self.customer_id[o.customer] for o in h.orders]
        shipment_subject = [
            (shipment_id[s.index], order_customer[s.order], s.carrier, s.tracking_number)
            for s in h.shipments
        ]
        held_until = [t(s.held_until) for s in h.shipments]
        for i, e in enumerate(h.tracking_events):
            at = t(e.occurred_at)
            sid, cid, carrier, number = shipment_subject[e.shipment]
            rows.append(
                (
                    base + i,
                    shop,
                    sid,
                    e.carrier_code,
                    e.status,
                    e.description,
                    e.location,
                    at,
                    "{}",
                    at,
                )
            )
            extra = ""
            if e.status == "ready_for_pickup":
                extra = f', "held_until": "{held_until[e.shipment]}"'
            events.append(
                (
                    cid,
                    "shipment." + e.status,
                    "shipment",
                    sid,
                    f'{{"carrier": "{carrier}", "tracking_number": "{number}", '
                    f'"status": "{e.status}"{extra}}}',
                    at,
                )
            )
        w.insert(
            TrackingEvent,
            [
                "id",
                "shop",
                "shipment",
                "carrier_code",
                "status",
                "description",
                "location",
                "occurred_at",
                "payload",
                "created_at",
            ],
            rows,
        )
        self.progress(f"  {len(rows):,} tracking events")

    # -- returns and refunds -----------------------------------------------------------------

    def returns(self) -> None:
        w, t, shop, h = self.w, self.t, self.shop_id, self.h
        base = w.next_id(ReturnRequest)
        self.return_id = [base + r.index for r in h.returns]
        events = self.events
        rows = []
        for r in h.returns:
            rid = self.return_id[r.index]
            cid = self.customer_id[r.customer]
            for state, at in r.states:
                events.append(
                    (
                        cid,
                        RETURN_EVENTS[state],
                        "returnrequest",
                        rid,
                        f'{{"code": "{r.code}"}}',
                        t(at),
                    )
                )
            rows.append(
                (
                    rid,
                    shop,
                    self.order_id[r.order],
                    cid,
                    r.code,
                    r.kind,
                    r.state,
                    r.resolution,
                    r.return_method,
                    r.fee_cents,
                    r.refund_cents,
                    r.return_shipping_cost_cents,
                    t(r.requested_at),
                    t(r.closed_at),
                    "",
                    t(r.requested_at),
                    t(r.states[-1][1]),
                )
            )
        w.insert(
            ReturnRequest,
            [
                "id",
                "shop",
                "order",
                "customer",
                "code",
                "kind",
                "state",
                "resolution",
                "return_method",
                "fee_cents",
                "refund_cents",
                "return_shipping_cost_cents",
                "requested_at",
                "closed_at",
                "note",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        base = w.next_id(ReturnLine)
        w.insert(
            ReturnLine,
            [
                "id",
                "shop",
                "return_request",
                "order_line",
                "quantity",
                "reason",
                "comment",
                "exchange_variant",
                "inspection",
                "inspection_note",
            ],
            (
                (
                    base + i,
                    shop,
                    self.return_id[rl.return_request],
                    self.line_id[rl.order_line],
                    rl.quantity,
                    rl.reason,
                    rl.comment,
                    self.variant_id[rl.exchange_variant] if rl.exchange_variant >= 0 else None,
                    rl.inspection,
                    "",
                )
                for i, rl in enumerate(h.return_lines)
            ),
        )
        self.progress(f"  {len(rows):,} returns")

    def refunds(self) -> None:
        w, t, shop, h = self.w, self.t, self.shop_id, self.h
        base = w.next_id(Refund)
        rows = []
        for i, r in enumerate(h.refunds):
            at = t(r.refunded_at)
            order = h.orders[r.order]
            rows.append(
                (
                    base + i,
                    shop,
                    self.order_id[r.order],
                    r.external_id,
                    r.amount_cents,
                    "EUR",
                    r.reason,
                    at,
                    self.return_id[r.return_request] if r.return_request >= 0 else None,
                    at,
                    at,
                )
            )
            if order.status == "cancelled":
                self.events.append(
                    (
                        self.customer_id[order.customer],
                        types.ORDER_CANCELLED,
                        "order",
                        self.order_id[r.order],
                        f'{{"number": "{order.number}"}}',
                        at,
                    )
                )
            self.events.append(
                (
                    self.customer_id[order.customer],
                    types.REFUND_ISSUED,
                    "refund",
                    base + i,
                    f'{{"amount_cents": {r.amount_cents}, "currency": "EUR"}}',
                    at,
                )
            )
        w.insert(
            Refund,
            [
                "id",
                "shop",
                "order",
                "external_id",
                "amount_cents",
                "currency",
                "reason",
                "refunded_at",
                "return_request",
                "created_at",
                "updated_at",
            ],
            rows,
        )

    # -- the timeline ------------------------------------------------------------------------

    def timeline(self) -> None:
        """One Event per thing that happened: ``timeline.services.record_events`` in bulk.

        Flows and webhooks skip events older than their trigger lag, so the history starts none.
        """
        base = self.w.next_id(Event)
        shop = self.shop_id
        self.w.insert(
            Event,
            [
                "id",
                "shop",
                "customer",
                "type",
                "subject_type",
                "subject_id",
                "payload",
                "occurred_at",
                "created_at",
            ],
            (
                (base + i, shop, cid, kind, subject, sid, payload, at, at)
                for i, (cid, kind, subject, sid, payload, at) in enumerate(self.events)
            ),
        )
        self.progress(f"  {len(self.events):,} timeline events")
