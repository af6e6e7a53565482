"""Import orders from a CSV file: one row per order line, all-or-nothing.

Rows with the same ``order_id`` form one order; the order's own columns are read from its first
row. Every row is checked before anything is stored; if any is wrong, nothing is stored and the
report names each bad row, column and reason. docs/developers/csv.md documents the columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from aftersale.core.bulk import analyze, gc_paused
from aftersale.core.models import Shop
from aftersale.orders.ingest import ConflictingWrite, InvalidPayload, parse_all
from aftersale.orders.models import Customer, Order, OrderLine
from aftersale.orders.payloads import OrderIn
from aftersale.orders.services import upsert_orders
from aftersale.timeline.models import Event

CHUNK = 1000


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    pointer: str  # where the value goes in the order payload ("" for the grouping id)
    help: str


# (column, required, payload pointer, what it holds)
COLUMNS = [
    Column("order_id", True, "/external_id", "Your order id; rows with the same id are one order"),
    Column("order_number", False, "/number", "Order number shown to the customer"),
    Column("placed_at", True, "/placed_at", "2026-11-02T10:00:00+02:00; no offset: shop time"),
    Column("status", False, "/status", "open, fulfilled or cancelled"),
    Column("currency", False, "/currency", "EUR, SEK …; empty: the shop's currency"),
    Column("customer_id", True, "/customer/external_id", "Your customer id"),
    Column("email", False, "/customer/email", "Customer's e-mail"),
    Column("first_name", False, "/customer/first_name", "Customer's first name"),
    Column("last_name", False, "/customer/last_name", "Customer's last name"),
    Column("phone", False, "/customer/phone", "Customer's phone"),
    Column("language", False, "/customer/language", "fi, sv or en"),
    Column("marketing_consent", False, "/customer/marketing_consent", "yes or no"),
    Column("delivery_method", False, "/delivery_method", "pickup_point, parcel_locker, home …"),
    Column("carrier", False, "/carrier", "posti, matkahuolto, db_schenker …"),
    Column("pickup_point_code", False, "/pickup_point/code", "Carrier's pickup point code"),
    Column("pickup_point_name", False, "/pickup_point/name", "Pickup point name"),
    Column("ship_name", False, "/shipping_address/name", "Recipient"),
    Column("ship_street", False, "/shipping_address/street", "Street address"),
    Column("ship_postcode", False, "/shipping_address/postcode", "Postcode"),
    Column("ship_city", False, "/shipping_address/city", "City"),
    Column("ship_country", False, "/shipping_address/country", "FI, SE … (two letters)"),
    Column("shipping_cents", False, "/shipping_cents", "Shipping in cents"),
    Column("discount_cents", False, "/discount_cents", "Discount in cents"),
    Column("total_cents", False, "/total_cents", "Order total in cents; empty: computed"),
    Column("vat_cents", False, "/vat_cents", "VAT of the order in cents"),
    Column("payment_method", False, "/payment_method", "card, bank, mobile, invoice, cod, other"),
    Column("line_id", True, "/lines/*/external_id", "Your id of the line, unique in the order"),
    Column("sku", False, "/lines/*/sku", "SKU of the variant"),
    Column("product_name", True, "/lines/*/name", "Product name on the line"),
    Column("quantity", False, "/lines/*/quantity", "Quantity (default 1)"),
    Column("unit_price_cents", True, "/lines/*/unit_price_cents", "Unit price in cents, VAT incl."),
    Column("line_total_cents", False, "/lines/*/total_cents", "Line total; empty: qty × price"),
    Column("vat_rate_bp", False, "/lines/*/vat_rate_bp", "VAT rate in basis points: 2550"),
    Column("line_vat_cents", False, "/lines/*/vat_cents", "VAT of the line in cents"),
    Column("unit_cost_cents", False, "/lines/*/unit_cost_cents", "Your unit cost (for margin)"),
]  # fmt: skip
BY_NAME = {column.name: column for column in COLUMNS}
BY_POINTER = {column.pointer: column.name for column in COLUMNS}


@dataclass(frozen=True)
class RowProblem:
    row: int  # line number in the file; the header is line 1
    column: str  # "" when the problem is about the whole file or row
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row else _("file")
        return f"{where}, {self.column or '-'}: {self.message}"


class ImportFailed(Exception):
    """Nothing was imported; ``problems`` says which rows and columns to fix."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ImportSummary:
    orders: int
    rows: int
    created: int
    updated: int


@dataclass
class _Order:
    payload: dict
    first_row: int
    line_rows: list[int]


def _set(target: dict, pointer: str, value) -> None:
    parts = pointer.strip("/").split("/")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _aware(value: str, zone: ZoneInfo) -> str:
    """Give a time without an offset the shop's time zone; leave anything else to validation."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def read_orders(shop: Shop, stream: IO[bytes]) -> tuple[list[_Order], int]:
    """Group the CSV rows into order payloads; raises ImportFailed for a bad header."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFailed([RowProblem(0, "", _("The file is empty."))]) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed([RowProblem(1, "", _("Not a UTF-8 CSV file: %s") % exc)]) from None
    problems = [RowProblem(1, name, _("unknown column")) for name in header if name not in BY_NAME]
    problems += [
        RowProblem(1, column.name, _("required column is missing"))
        for column in COLUMNS
        if column.required and column.name not in header
    ]
    if problems:
        raise ImportFailed(problems)
    zone = ZoneInfo(shop.time_zone)
    order_fields = [
        (i, BY_NAME[n]) for i, n in enumerate(header) if "/lines/" not in BY_NAME[n].pointer
    ]
    line_fields = [(i, BY_NAME[n]) for i, n in enumerate(header) if "/lines/" in BY_NAME[n].pointer]
    orders: dict[str, _Order] = {}
    rows = 0
    try:
        for line_number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            rows += 1
            if len(values) != len(header):
                problems.append(
                    RowProblem(
                        line_number,
                        "",
                        _("has %(got)s values, the header has %(want)s")
                        % {"got": len(values), "want": len(header)},
                    )
                )
                continue
            order_id = values[header.index("order_id")].strip()
            order = orders.get(order_id)
            if order is None:
                payload: dict = {"customer": {}, "lines": []}
                for index, column in order_fields:
                    value = values[index].strip()
                    if value:
                        if column.name == "placed_at":
                            value = _aware(value, zone)
                        _set(payload, column.pointer, value)
                if "pickup_point" in payload:
                    payload["pickup_point"].setdefault("carrier", payload.get("carrier", ""))
                orders[order_id] = order = _Order(payload, line_number, [])
            line: dict = {}
            for index, column in line_fields:
                value = values[index].strip()
                if value:
                    line[column.pointer.rsplit("/", 1)[1]] = value
            order.payload["lines"].append(line)
            order.line_rows.append(line_number)
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(RowProblem(0, "", _("Not a readable UTF-8 CSV file: %s") % exc))
    if problems:
        raise ImportFailed(problems)
    return list(orders.values()), rows


def _problem_for(order: _Order, pointer: str, message: str) -> RowProblem:
    """Turn a pointer into one order's payload into the row and column of the file."""
    parts = pointer.strip("/").split("/")
    if parts and parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
        row = order.line_rows[int(parts[1])]
        column = BY_POINTER.get("/lines/*/" + "/".join(parts[2:]), "")
        return RowProblem(row, column, message)
    column = BY_POINTER.get(pointer, "")
    if not column and parts and parts[0] == "pickup_point":
        column = "carrier" if parts[-1] == "carrier" else "pickup_point_code"
    return RowProblem(order.first_row, column, message)


def _problems(orders: list[_Order], errors, offset: int = 0) -> list[RowProblem]:
    problems = []
    for error in errors:
        index, _slash, rest = error.pointer.lstrip("/").partition("/")
        order = orders[offset + int(index)]
        problems.append(_problem_for(order, "/" + rest if rest else "", error.message))
    return sorted(problems, key=lambda p: (p.row, p.column))


def import_orders_csv(
    shop: Shop,
    stream: IO[bytes],
    *,
    source: str = "import",
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Check every row, then store every order in one transaction, or nothing; then refresh
    the query planner's statistics of the tables it filled (a bulk load changes them)."""
    with gc_paused():
        summary = _import(shop, stream, source, progress, on_start)
    analyze([Customer, Order, OrderLine, Event])
    return summary


def _import(shop, stream, source, progress, on_start) -> ImportSummary:
    orders, rows = read_orders(shop, stream)
    try:
        parsed = parse_all(OrderIn, [order.payload for order in orders])
    except InvalidPayload as exc:
        raise ImportFailed(_problems(orders, exc.errors)) from None
    if on_start:
        on_start(len(parsed))
    created = updated = 0
    try:
        with transaction.atomic():
            for start in range(0, len(parsed), CHUNK):
                chunk = parsed[start : start + CHUNK]
                try:
                    results = upsert_orders(shop, chunk, source=source)
                except InvalidPayload as exc:
                    raise ImportFailed(_problems(orders, exc.errors, offset=start)) from None
                created += sum(r.created for r in results)
                updated += sum(r.changed and not r.created for r in results)
                if progress:
                    progress(len(chunk))
    except ConflictingWrite as exc:
        raise ImportFailed(
            [RowProblem(0, "", _("Conflicting write, try again: %s") % exc)]
        ) from None
    return ImportSummary(orders=len(parsed), rows=rows, created=created, updated=updated)
