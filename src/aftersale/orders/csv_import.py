"""Import orders from a CSV file: one row per order line, all-or-nothing.

Rows with the same ``order_id`` form one order; the order's own columns are read from its first
row. Every row is checked before anything is stored; if any is wrong, nothing is stored and the
report names each bad row, column and reason. docs/developers/csv.md documents the columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    Column("discount_codes", False, "/discount_codes", "Codes used at the checkout: CODE1 CODE2"),
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


# Columns holding whole numbers and yes/no values: read here, so that a file's own way of writing
# them (decimal comma, thousands spaces, "kyllä") is understood and a bad cell named exactly.
NUMBER_COLUMNS = frozenset(
    column.name for column in COLUMNS if column.name.endswith("_cents") or column.name in
    ("quantity", "vat_rate_bp")
)  # fmt: skip
YES = frozenset({"yes", "y", "true", "1", "kyllä", "k", "ja", "x"})
NO = frozenset({"no", "n", "false", "0", "ei", "e", "nej"})
DELIMITERS = (",", ";", "\t")
SAVE_AS_UTF8 = gettext_lazy(
    "Save the file as UTF-8: in Excel choose File › Save As › “CSV UTF-8 (Comma delimited)”; "
    "in LibreOffice tick “Edit filter settings” and choose the character set Unicode (UTF-8)."
)


@dataclass(frozen=True)
class RowProblem:
    row: int  # line number in the file as an editor shows it; the header is line 1
    column: str  # "" when the problem is about the whole file or row
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.row} if self.row else _("file")
        return f"{where}, {self.column or '-'}: {self.message}"


class ImportFailed(Exception):
    """Nothing was imported; ``problems`` says which lines and columns to fix."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ImportSummary:
    orders: int
    rows: int
    created: int
    updated: int
    encoding: str = "UTF-8"
    delimiter: str = ","


@dataclass
class _Order:
    payload: dict
    first_row: int
    line_rows: list[int]
    cells: list[str]  # the order-level cells of its first row, to compare later rows with


class _BadCell(ValueError):
    """A cell that cannot be read as its column's kind of value (the message says why)."""


def _set(target: dict, pointer: str, value) -> None:
    parts = pointer.strip("/").split("/")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


FINNISH_TIME = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?", re.ASCII
)
# At most 30 digits: more is out of every column's range anyway (and int() refuses thousands).
WHOLE = re.compile(r"[+-]?[0-9]{1,30}", re.ASCII)
DECIMAL = {
    ",": re.compile(r"([+-]?[0-9]{1,30})\.([0-9]{1,30})", re.ASCII),
    ";": re.compile(r"([+-]?[0-9]{1,30}),([0-9]{1,30})", re.ASCII),
    "\t": re.compile(r"([+-]?[0-9]{1,30})[.,]([0-9]{1,30})", re.ASCII),
}


def _aware(value: str, zone: ZoneInfo) -> str:
    """Give a time without an offset the shop's time zone (also Excel's 2.11.2026 10.00); leave
    anything else to validation."""
    match = FINNISH_TIME.fullmatch(value)
    try:
        if match:
            day, month, year, hour, minute, second = (int(part or 0) for part in match.groups())
            moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def _whole_number(value: str, column: str, delimiter: str) -> int:
    """A whole number as a spreadsheet writes it: ``1990``, ``1 990``, ``1990,00`` (``;``
    files) or ``1990.00`` (``,`` files)."""
    if WHOLE.fullmatch(value):
        return int(value)
    compact = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if WHOLE.fullmatch(compact):
        return int(compact)
    decimal = DECIMAL[delimiter].fullmatch(compact)
    if decimal and not decimal[2].strip("0"):
        return int(decimal[1])
    if decimal and column.endswith("_cents"):
        raise _BadCell(
            _("must be a whole number of cents: write 1990 for 19.90, not %(value)s")
            % {"value": value}
        )
    raise _BadCell(_("must be a whole number"))


CODE_SEPARATORS = re.compile(r"[\s,;|]+")
MAX_CODES = 20


def _codes(value: str) -> list[str]:
    """The discount codes of one cell, separated by spaces, commas, semicolons or ``|``."""
    codes = [code for code in CODE_SEPARATORS.split(value) if code]
    if len(codes) > MAX_CODES:
        raise _BadCell(
            _("has %(count)s codes; an order takes at most %(max)s")
            % {"count": len(codes), "max": MAX_CODES}
        )
    too_long = next((code for code in codes if len(code) > 64), None)
    if too_long is not None:
        raise _BadCell(
            _("“%(code)s…” is longer than 64 characters; check the separators between codes")
            % {"code": too_long[:20]}
        )
    return codes


def _yes_no(value: str) -> bool:
    word = value.lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise _BadCell(_("must be yes or no"))


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in: UTF-8 (with or without a byte-order
    mark), UTF-16 with a byte-order mark (Excel's "Unicode text"), else Windows-1252 (Excel's
    "CSV (semicolon delimited)" in Finland and Sweden)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise ImportFailed([RowProblem(0, "", str(SAVE_AS_UTF8))]) from None
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
        encoding = "UTF-8"
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError:
            message = _("is neither UTF-8 nor Windows-1252 text (byte %(byte)s).") % {
                "byte": f"0x{body[error.start]:02X}"
            }
            raise ImportFailed([RowProblem(line, "", f"{message} {SAVE_AS_UTF8}")]) from None
        encoding = "Windows-1252"
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        message = _("holds NUL characters: this is not a text file.")
        raise ImportFailed([RowProblem(line, "", f"{message} {SAVE_AS_UTF8}")])
    return text, encoding


def _delimiter(text: str) -> str:
    """``,``, ``;`` or a tab: whichever splits the header into the most known column names."""
    header = text.partition("\n")[0]
    return max(
        DELIMITERS,
        key=lambda d: sum(name.strip().strip('"').strip() in BY_NAME for name in header.split(d)),
    )


def _header_problems(header: list[str]) -> list[RowProblem]:
    problems = []
    first: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name not in BY_NAME:
            problems.append(RowProblem(1, name, _("unknown column")))
        elif name in first:
            problems.append(
                RowProblem(
                    1,
                    name,
                    _("appears twice in the header (columns %(first)s and %(again)s); keep one")
                    % {"first": first[name], "again": position},
                )
            )
        else:
            first[name] = position
    problems += [
        RowProblem(1, column.name, _("required column is missing"))
        for column in COLUMNS
        if column.required and column.name not in header
    ]
    return problems


@dataclass(frozen=True)
class _Read:
    orders: list[_Order]
    rows: int
    encoding: str
    delimiter: str
    bad_cells: list[RowProblem]  # cells left out of the payloads; reported with its errors


def _in_order(problems: list[RowProblem]) -> list[RowProblem]:
    return sorted(problems, key=lambda p: (p.row, p.column))


def read_orders(shop: Shop, stream: IO[bytes]) -> _Read:
    """Group the CSV rows into order payloads. Raises ImportFailed naming each bad line and
    column of the file's layout; cells that cannot be read are returned for the report."""
    text, encoding = _decode(stream.read())
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFailed([RowProblem(0, "", _("The file is empty."))]) from None
    except csv.Error as exc:
        raise ImportFailed([RowProblem(1, "", _("Not a readable CSV file: %s") % exc)]) from None
    problems = _header_problems(header)
    if problems:
        raise ImportFailed(problems)
    zone = ZoneInfo(shop.time_zone)

    def reader_of(name: str):
        if name in NUMBER_COLUMNS:
            return lambda value: _whole_number(value, name, delimiter)
        if name == "marketing_consent":
            return _yes_no
        if name == "placed_at":
            return lambda value: _aware(value, zone)
        if name == "discount_codes":
            return _codes
        return None

    order_fields = [
        (i, BY_NAME[n], reader_of(n))
        for i, n in enumerate(header)
        if "/lines/" not in BY_NAME[n].pointer
    ]
    line_fields = [
        (i, BY_NAME[n].pointer.rsplit("/", 1)[1], n, reader_of(n))
        for i, n in enumerate(header)
        if "/lines/" in BY_NAME[n].pointer
    ]
    id_index = header.index("order_id")
    orders: dict[str, _Order] = {}
    bad_cells: list[RowProblem] = []
    rows = 0
    last_line = reader.line_num
    try:
        for values in reader:
            # A record starts on the line after the last one read: a quoted cell may span lines.
            line_number, last_line = last_line + 1, reader.line_num
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
            order_id = values[id_index].strip()
            order = orders.get(order_id)
            if order is None:
                payload: dict = {"customer": {}, "lines": []}
                cells = []
                for index, column, read in order_fields:
                    value = values[index].strip()
                    cells.append(value)
                    if value:
                        if read is not None:
                            try:
                                value = read(value)
                            except _BadCell as bad:
                                bad_cells.append(RowProblem(line_number, column.name, str(bad)))
                                continue
                        _set(payload, column.pointer, value)
                if "pickup_point" in payload:
                    payload["pickup_point"].setdefault("carrier", payload.get("carrier", ""))
                orders[order_id] = order = _Order(payload, line_number, [], cells)
            else:
                problems += _disagreements(order, values, order_fields, line_number)
            line: dict = {}
            for index, key, name, read in line_fields:
                value = values[index].strip()
                if value:
                    if read is not None:
                        try:
                            value = read(value)
                        except _BadCell as bad:
                            bad_cells.append(RowProblem(line_number, name, str(bad)))
                            continue
                    line[key] = value
            order.payload["lines"].append(line)
            order.line_rows.append(line_number)
    except csv.Error as exc:
        problems.append(RowProblem(last_line + 1, "", _("Not a readable CSV file: %s") % exc))
    if problems:
        raise ImportFailed(_in_order(problems + bad_cells))
    return _Read(list(orders.values()), rows, encoding, delimiter, bad_cells)


def _disagreements(order: _Order, values: list[str], order_fields, line_number: int):
    """A later line of an order may leave the order's cells empty or repeat them; a different
    value would otherwise be dropped, so it is an error."""
    problems = []
    for (index, column, _read), first in zip(order_fields, order.cells, strict=True):
        value = values[index].strip()
        if value and value != first:
            problems.append(
                RowProblem(
                    line_number,
                    column.name,
                    _(
                        "is “%(value)s” here but “%(first)s” on line %(line)s, the first line "
                        "of order %(order)s; an order's lines must agree (or leave it empty)"
                    )
                    % {
                        "value": value,
                        "first": first,
                        "line": order.first_row,
                        "order": order.payload.get("external_id", ""),
                    },
                )
            )
    return problems


def _problem_for(order: _Order, pointer: str, message: str) -> RowProblem:
    """Turn a pointer into one order's payload into the row and column of the file."""
    parts = pointer.strip("/").split("/")
    if parts and parts[0] == "lines" and len(parts) > 1 and parts[1].isdigit():
        row = order.line_rows[int(parts[1])]
        column = BY_POINTER.get("/lines/*/" + "/".join(parts[2:]), "")
        return RowProblem(row, column, message)
    column = BY_POINTER.get(pointer, "")
    if not column and parts and parts[0] == "discount_codes":
        column = "discount_codes"
    if not column and parts and parts[0] == "pickup_point":
        column = "carrier" if parts[-1] == "carrier" else "pickup_point_code"
    return RowProblem(order.first_row, column, message)


def _problems(orders: list[_Order], errors, offset: int = 0) -> list[RowProblem]:
    problems = []
    for error in errors:
        index, _slash, rest = error.pointer.lstrip("/").partition("/")
        order = orders[offset + int(index)]
        problems.append(_problem_for(order, "/" + rest if rest else "", error.message))
    return _in_order(problems)


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
    read = read_orders(shop, stream)
    orders = read.orders
    try:
        parsed = parse_all(OrderIn, [order.payload for order in orders])
    except InvalidPayload as exc:
        bad = {(p.row, p.column) for p in read.bad_cells}
        problems = [p for p in _problems(orders, exc.errors) if (p.row, p.column) not in bad]
        raise ImportFailed(_in_order(problems + read.bad_cells)) from None
    if read.bad_cells:
        raise ImportFailed(read.bad_cells)
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
    return ImportSummary(
        orders=len(parsed),
        rows=read.rows,
        created=created,
        updated=updated,
        encoding=read.encoding,
        delimiter=read.delimiter,
    )
