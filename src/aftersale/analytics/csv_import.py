"""Read order and return exports (CSV) into :class:`OrderLines` and :class:`Returns`.

The format is documented in docs/analytics.md. In short:

orders: ``order_id, customer_id, ordered_at`` and ``amount`` (currency units, e.g. ``12.50``)
or ``amount_cents`` (``1250``); optional ``cost``/``cost_cents`` (cost of goods of the line) or
``margin``/``margin_cents`` (gross margin of the line), ``sku`` (or ``product``), ``quantity``.

returns: ``order_id`` and ``returned_amount``/``returned_amount_cents``; optional ``sku``,
``reason``, ``quantity``, ``return_shipping``/``return_shipping_cents`` (paid by the shop),
``unclaimed`` (true/false: the parcel was never picked up) and
``unclaimed_cost``/``unclaimed_cost_cents``. For an unclaimed parcel the returned amount may be
left empty: the whole order's value is then refunded.

Column names are case-insensitive; the delimiter may be ``,`` ``;`` or a tab; with ``;`` or a
tab a decimal comma (``12,50``) is accepted. Rows are numbered as a spreadsheet shows them:
the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aftersale.analytics.orders import OrderLines, Returns

ORDER_REQUIRED = ("order_id", "customer_id", "ordered_at")
TRUE_WORDS = {"1", "true", "yes", "y", "t", "x", "kyllä", "ja"}
FALSE_WORDS = {"", "0", "false", "no", "n", "f", "ei", "nej"}
_DECIMAL_COMMA = re.compile(r"^-?\d+(\s?\d{3})*,\d+$")


class CsvFormatError(ValueError):
    """A CSV file that cannot be read, with the file, row and column to fix."""

    def __init__(
        self, path: str, message: str, *, row: int | None = None, column: str = ""
    ) -> None:
        where = path
        if row is not None:
            where += f", row {row}"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.row = row
        self.column = column


@dataclass
class _Table:
    path: str
    header: dict[str, int]
    rows: Iterator[tuple[int, list[str]]]
    decimal_comma: bool


def _open_table(path: Path) -> tuple[_Table, Callable[[], None]]:
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise CsvFormatError(name, f"cannot open the file ({error.strerror}).") from None
    try:
        sample = handle.read(65536)
    except UnicodeDecodeError:
        handle.close()
        raise CsvFormatError(
            name, "the file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
        ) from None
    handle.seek(0)
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        raw_header = next(reader)
    except StopIteration:
        handle.close()
        raise CsvFormatError(name, "the file is empty; it needs a header row.") from None
    header: dict[str, int] = {}
    for index, column in enumerate(raw_header):
        key = column.strip().lower().replace(" ", "_")
        if key:
            header.setdefault(key, index)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(reader, start=2):
            if row and any(cell.strip() for cell in row):
                yield number, row

    return _Table(name, header, rows(), delimiter != ","), handle.close


def _column(table: _Table, *names: str) -> str | None:
    return next((name for name in names if name in table.header), None)


def _cell(table: _Table, number: int, row: list[str], column: str) -> str:
    index = table.header[column]
    if index >= len(row):
        raise CsvFormatError(
            table.path,
            f"the row has {len(row)} fields but the header has more; check for a missing "
            "delimiter or an unquoted line break.",
            row=number,
            column=column,
        )
    return row[index].strip()


def _number(table: _Table, number: int, text: str, column: str, *, allow_empty: bool) -> float:
    if text == "":
        if allow_empty:
            return float("nan")
        raise CsvFormatError(
            table.path, "the value is empty; give a number.", row=number, column=column
        )
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if table.decimal_comma and _DECIMAL_COMMA.match(text.replace("\u00a0", " ")):
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise CsvFormatError(
            table.path,
            f"'{text}' is not a number. Use digits with a decimal point, like 12.50 "
            "(no currency signs).",
            row=number,
            column=column,
        ) from None
    if not np.isfinite(value):
        raise CsvFormatError(
            table.path, f"'{text}' is not a finite number.", row=number, column=column
        )
    return value


def _money(
    table: _Table,
    number: int,
    row: list[str],
    units: str | None,
    cents: str | None,
    *,
    allow_empty: bool,
) -> float:
    if units is not None:
        return _number(
            table, number, _cell(table, number, row, units), units, allow_empty=allow_empty
        )
    if cents is not None:
        return (
            _number(table, number, _cell(table, number, row, cents), cents, allow_empty=allow_empty)
            / 100.0
        )
    return float("nan")


def _day(table: _Table, number: int, text: str, column: str) -> dt.date:
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise CsvFormatError(
            table.path,
            f"'{text}' is not a date. Use ISO dates like 2024-03-31 or date-times like "
            "2024-03-31T14:05:00 (optionally with a time zone such as +02:00).",
            row=number,
            column=column,
        ) from None


def _require(table: _Table, columns: tuple[str, ...], hint: str) -> None:
    missing = [column for column in columns if column not in table.header]
    if missing:
        found = ", ".join(table.header) or "none"
        raise CsvFormatError(
            table.path,
            f"missing column(s) {', '.join(missing)} (found: {found}). {hint}",
        )


def read_orders(path: str | Path, *, progress: Callable[[int], None] | None = None) -> OrderLines:
    """Read an orders CSV; raises :class:`CsvFormatError` naming the row and column."""
    table, close = _open_table(Path(path))
    try:
        _require(
            table,
            ORDER_REQUIRED,
            "The orders file needs order_id, customer_id, ordered_at and amount (or amount_cents).",
        )
        amount = _column(table, "amount")
        amount_cents = _column(table, "amount_cents")
        if amount is None and amount_cents is None:
            raise CsvFormatError(
                table.path, "missing column amount (or amount_cents) with the value of each line."
            )
        cost = _column(table, "cost")
        cost_cents = _column(table, "cost_cents")
        margin = _column(table, "margin")
        margin_cents = _column(table, "margin_cents")
        sku = _column(table, "sku", "product", "product_id")
        quantity = _column(table, "quantity", "qty")
        order_ids: list[str] = []
        customers: list[str] = []
        days: list[dt.date] = []
        amounts: list[float] = []
        costs: list[float] = []
        skus: list[str] = []
        quantities: list[float] = []
        for number, row in table.rows:
            order_id = _cell(table, number, row, "order_id")
            customer = _cell(table, number, row, "customer_id")
            for column, text in (("order_id", order_id), ("customer_id", customer)):
                if not text:
                    raise CsvFormatError(
                        table.path,
                        "the value is empty; every line needs it.",
                        row=number,
                        column=column,
                    )
            day = _day(table, number, _cell(table, number, row, "ordered_at"), "ordered_at")
            value = _money(table, number, row, amount, amount_cents, allow_empty=False)
            line_cost = _money(table, number, row, cost, cost_cents, allow_empty=True)
            if np.isnan(line_cost) and (margin or margin_cents):
                line_cost = value - _money(
                    table, number, row, margin, margin_cents, allow_empty=True
                )
            order_ids.append(order_id)
            customers.append(customer)
            days.append(day)
            amounts.append(value)
            costs.append(line_cost)
            if sku is not None:
                skus.append(_cell(table, number, row, sku))
            if quantity is not None:
                units = _number(
                    table, number, _cell(table, number, row, quantity), quantity, allow_empty=True
                )
                quantities.append(1.0 if np.isnan(units) else units)
            if progress is not None and len(amounts) % 100_000 == 0:
                progress(len(amounts))
        if not amounts:
            raise CsvFormatError(table.path, "the file has a header but no order lines.")
    finally:
        close()
    return OrderLines.from_arrays(
        np.asarray(order_ids),
        np.asarray(customers),
        np.asarray(days, dtype="datetime64[D]"),
        amounts,
        cost=costs,
        sku=None if sku is None else np.asarray(skus),
        quantity=None if quantity is None else quantities,
    )


def read_returns(path: str | Path, orders: OrderLines) -> Returns:
    """Read a returns CSV, checking every row refers to an order in ``orders``."""
    table, close = _open_table(Path(path))
    known = set(orders.order_id.tolist())
    try:
        _require(table, ("order_id",), "The returns file needs order_id and returned_amount.")
        amount = _column(table, "returned_amount", "amount")
        amount_cents = _column(table, "returned_amount_cents", "amount_cents")
        unclaimed = _column(table, "unclaimed")
        if amount is None and amount_cents is None and unclaimed is None:
            raise CsvFormatError(
                table.path,
                "missing column returned_amount (or returned_amount_cents) with the refunded "
                "value.",
            )
        shipping = _column(table, "return_shipping", "return_shipping_cost")
        shipping_cents = _column(table, "return_shipping_cents")
        unclaimed_cost = _column(table, "unclaimed_cost")
        unclaimed_cost_cents = _column(table, "unclaimed_cost_cents")
        sku = _column(table, "sku", "product", "product_id")
        reason = _column(table, "reason")
        quantity = _column(table, "quantity", "qty")
        order_ids: list[str] = []
        amounts: list[float] = []
        shipping_costs: list[float] = []
        flags: list[bool] = []
        flag_costs: list[float] = []
        skus: list[str] = []
        reasons: list[str] = []
        quantities: list[float] = []
        for number, row in table.rows:
            order_id = _cell(table, number, row, "order_id")
            if order_id not in known:
                raise CsvFormatError(
                    table.path,
                    f"order '{order_id}' is not in the orders file. Export returns and orders for "
                    "the same period, or remove this row.",
                    row=number,
                    column="order_id",
                )
            flag = False
            if unclaimed is not None:
                word = _cell(table, number, row, unclaimed).lower()
                if word not in TRUE_WORDS | FALSE_WORDS:
                    raise CsvFormatError(
                        table.path,
                        f"'{word}' is not true or false. Write true/false, yes/no or 1/0.",
                        row=number,
                        column=unclaimed,
                    )
                flag = word in TRUE_WORDS
            value = _money(table, number, row, amount, amount_cents, allow_empty=flag)
            if np.isnan(value) and not flag:
                raise CsvFormatError(
                    table.path, "the returned amount is missing.", row=number, column=amount or ""
                )
            order_ids.append(order_id)
            amounts.append(value)
            ship = _money(table, number, row, shipping, shipping_cents, allow_empty=True)
            shipping_costs.append(0.0 if np.isnan(ship) else ship)
            flags.append(flag)
            lost = _money(
                table, number, row, unclaimed_cost, unclaimed_cost_cents, allow_empty=True
            )
            flag_costs.append(0.0 if np.isnan(lost) else lost)
            if sku is not None:
                skus.append(_cell(table, number, row, sku))
            if reason is not None:
                reasons.append(_cell(table, number, row, reason))
            if quantity is not None:
                units = _number(
                    table, number, _cell(table, number, row, quantity), quantity, allow_empty=True
                )
                quantities.append(1.0 if np.isnan(units) else units)
    finally:
        close()
    return Returns.from_arrays(
        np.asarray(order_ids, dtype=orders.order_id.dtype if order_ids else np.str_),
        amounts,
        shipping_cost=shipping_costs,
        unclaimed=flags,
        unclaimed_cost=flag_costs,
        sku=None if sku is None else np.asarray(skus),
        reason=None if reason is None else np.asarray(reasons),
        quantity=None if quantity is None else quantities,
    )
