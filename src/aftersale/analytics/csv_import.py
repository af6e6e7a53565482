"""Read order and return exports (CSV or Parquet) into :class:`OrderLines` and :class:`Returns`.

The format is documented in docs/analytics.md. In short:

orders: ``order_id, customer_id, ordered_at`` and ``amount`` (currency units, e.g. ``12.50``)
or ``amount_cents`` (``1250``); optional ``cost``/``cost_cents`` (cost of goods of the line) or
``margin``/``margin_cents`` (gross margin of the line), ``sku`` (or ``product``), ``quantity``.

returns: ``order_id`` and ``returned_amount``/``returned_amount_cents``; optional ``sku``,
``reason``, ``quantity``, ``returned_at``, ``return_shipping``/``return_shipping_cents`` (paid
by the shop), ``unclaimed`` (true/false: the parcel was never picked up) and
``unclaimed_cost``/``unclaimed_cost_cents``. For an unclaimed parcel the returned amount may be
left empty: the whole order's value is then refunded.

Column names are case-insensitive; the delimiter may be ``,`` ``;`` or a tab; with ``;`` or a
tab a decimal comma (``12,50``) is accepted. Rows are numbered as a spreadsheet shows them:
the header is row 1, the first data row is row 2 (in a Parquet file, which has no header row,
the first row is row 1).

The files are read with Apache Arrow's multi-threaded CSV and Parquet readers in blocks, and
every check runs on whole columns at once; only when a check fails is the file read again,
row by row, to name the row exactly as a spreadsheet numbers it.

What is refused (each with the file, row and column, and what to do):

* bytes that are not UTF-8, anywhere in the file;
* an order whose lines name different customers or different days;
* a negative line amount, and an order whose lines add up to 0 or less (a free order is not
  a purchase); a line of 0 inside a paid order (a free gift) is fine;
* a negative returned amount, returns of one order that add up to more than the order's
  value, and a ``returned_at`` before the order's day.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from aftersale.analytics.identifiers import codes_of, index_of, total_by
from aftersale.analytics.orders import OrderLines, Returns, conflicting_order, number_list

ORDER_REQUIRED = ("order_id", "customer_id", "ordered_at")
TRUE_WORDS = {"1", "true", "yes", "y", "t", "x", "kyllä", "ja"}
FALSE_WORDS = {"", "0", "false", "no", "n", "f", "ei", "nej"}
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
_DECIMAL_COMMA = r"^-?\d+(\s?\d{3})*,\d+$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_ISO_DAY = (
    r"^\d{4}-\d{2}-\d{2}"
    r"([T ]\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$"
)
#: Identifiers made of digits only (without leading zeros, so "007" and "7" stay distinct)
#: are kept as 64-bit integers: grouping them needs no sorting.
_WHOLE_NUMBER = r"^(0|[1-9]\d{0,17})$"
_BLOCK_BYTES = 8 << 20

#: ``progress(done, total)``: bytes of a CSV file or rows of a Parquet file read so far.
Progress = Callable[[int, int], None]


class CsvFormatError(ValueError):
    """A file that cannot be read, with the file, row and column to fix."""

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


class _Bad(Exception):
    """A bad value at ``index`` of a batch (turned into a :class:`CsvFormatError`)."""

    def __init__(self, index: int, column: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.column = column
        self.message = message


@dataclass
class _Source:
    """An opened export: its columns by normalised name and how to number its rows."""

    path: Path
    name: str
    header: dict[str, str]
    parquet: bool
    delimiter: str = ","
    column_names: list[str] = field(default_factory=list)
    size: int = 0

    @property
    def decimal_comma(self) -> bool:
        return self.delimiter != ","

    def column(self, *names: str) -> str | None:
        return next((name for name in names if name in self.header), None)

    def batches(self, keys: list[str], progress: Progress | None) -> Iterator[dict[str, pa.Array]]:
        """The columns ``keys`` block by block, as Arrow arrays named by ``keys``."""
        physical = [self.header[key] for key in keys]
        if self.parquet:
            yield from self._parquet_batches(keys, physical, progress)
            return
        types = {column: pa.string() for column in physical}
        invalid: list[Any] = []

        def on_invalid_row(row: Any) -> str:
            invalid.append(row)
            return "error"

        handle = pa.OSFile(str(self.path))
        try:
            reader = pacsv.open_csv(
                handle,
                read_options=pacsv.ReadOptions(
                    column_names=self.column_names, skip_rows=1, block_size=_BLOCK_BYTES
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter,
                    newlines_in_values=True,
                    invalid_row_handler=on_invalid_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    include_columns=physical,
                    check_utf8=False,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                if progress is not None:
                    progress(min(handle.tell(), self.size), self.size)
                yield {
                    key: batch.column(column) for key, column in zip(keys, physical, strict=True)
                }
        except pa.ArrowInvalid as error:
            if invalid:
                raise self._short_row_error() from None
            raise CsvFormatError(self.name, f"the file cannot be parsed as CSV: {error}") from None
        finally:
            handle.close()

    def _parquet_batches(
        self, keys: list[str], physical: list[str], progress: Progress | None
    ) -> Iterator[dict[str, pa.Array]]:
        with pq.ParquetFile(self.path) as parquet:
            total = parquet.metadata.num_rows
            done = 0
            for batch in parquet.iter_batches(batch_size=1 << 20, columns=physical):
                done += batch.num_rows
                if progress is not None:
                    progress(done, total)
                yield {
                    key: batch.column(column) for key, column in zip(keys, physical, strict=True)
                }

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """Row number and cells of every non-empty record, read again one by one."""
        with self.path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            next(reader, None)
            for number, row in enumerate(reader, start=2):
                if row:
                    yield number, row

    def rows_of(self, records: npt.ArrayLike) -> list[int]:
        """Spreadsheet row numbers of data records (0 = the first record Arrow returned)."""
        wanted = np.unique(np.asarray(records, dtype=np.int64))
        if self.parquet:
            return [int(i) + 1 for i in wanted]
        found: dict[int, int] = {}
        targets = set(wanted.tolist())
        last = int(wanted[-1]) if wanted.size else -1
        for index, (number, _) in enumerate(self._records()):
            if index in targets:
                found[index] = number
            if index >= last:
                break
        return [found.get(int(i), int(i) + 2) for i in wanted]

    def _short_row_error(self) -> CsvFormatError:
        expected = len(self.column_names)
        for number, row in self._records():
            if len(row) != expected:
                return CsvFormatError(
                    self.name,
                    f"the row has {len(row)} fields but the header has {expected}; check for a "
                    "missing or extra delimiter or an unquoted line break.",
                    row=number,
                )
        return CsvFormatError(self.name, "a row does not have as many fields as the header.")


def _open(path: Path) -> _Source:
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as error:
        raise CsvFormatError(name, f"cannot open the file ({error.strerror}).") from None
    if path.suffix.lower() in PARQUET_SUFFIXES or head.startswith(b"PAR1"):
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowException, OSError) as error:
            raise CsvFormatError(
                name, f"the file is not a readable Parquet file ({error})."
            ) from None
        header: dict[str, str] = {}
        for column in schema.names:
            header.setdefault(column.strip().lower().replace(" ", "_"), column)
        return _Source(path, name, header, parquet=True, size=size)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    first_line_bytes = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not head.strip():
        raise CsvFormatError(name, "the file is empty; it needs a header row.")
    try:
        first_line = first_line_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8(name, 1) from None
    _check_utf8(path, name)
    delimiter = max([",", ";", "\t"], key=first_line.count)
    raw_header = next(csv.reader([first_line], delimiter=delimiter), [])
    column_names = [f"c{index}" for index in range(len(raw_header))]
    header = {}
    for index, column in enumerate(raw_header):
        key = column.strip().lower().replace(" ", "_")
        if key:
            header.setdefault(key, column_names[index])
    return _Source(path, name, header, False, delimiter, column_names, size)


def _not_utf8(name: str, row: int) -> CsvFormatError:
    return CsvFormatError(
        name,
        "the row is not UTF-8 text (a byte that UTF-8 does not allow, e.g. a letter saved in "
        "Latin-1/Windows-1252). Save the file as 'CSV UTF-8' and try again.",
        row=row,
    )


def _check_utf8(path: Path, name: str) -> None:
    """Check the whole file decodes as UTF-8; name the row of the first bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(_BLOCK_BYTES):
            if chunk.isascii() and not decoder.getstate()[0]:
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                break
        else:
            try:
                decoder.decode(b"", final=True)
                return
            except UnicodeDecodeError:
                pass
    raise _not_utf8(name, _row_of_bad_byte(path))


def _row_of_bad_byte(path: Path) -> int:
    """Count the CSV records before the line holding the first non-UTF-8 byte."""
    bad_line = 0

    def lines() -> Iterator[str]:
        nonlocal bad_line
        with path.open("rb") as handle:
            for number, raw in enumerate(handle):
                try:
                    yield raw.decode("utf-8-sig" if number == 0 else "utf-8")
                except UnicodeDecodeError:
                    bad_line = number + 1
                    return

    records = sum(1 for _ in csv.reader(lines()))
    return records + 1 if bad_line else records


# --- column conversions (whole Arrow arrays at once) -------------------------------------


def _first(mask: pa.Array | pa.ChunkedArray) -> int:
    """Index of the first true value, or -1."""
    if not pc.any(mask).as_py():
        return -1
    return int(pc.index(mask, True).as_py())


def _text(values: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(values.type):
        values = values.cast(pa.string())
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pc.cast(values, pa.string())
    if values.null_count:
        values = pc.fill_null(values, "")
    return pc.utf8_trim_whitespace(values)


def _is_text(values: pa.Array) -> bool:
    kind = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _numbers(
    values: pa.Array, column: str, *, decimal_comma: bool, allow_empty: bool
) -> npt.NDArray[np.float64]:
    if not _is_text(values):
        if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
                or pa.types.is_decimal(values.type)):  # fmt: skip
            raise _Bad(0, column, f"the column holds {values.type}, not numbers.")
        numbers = np.asarray(
            pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
        )
        missing = np.isnan(numbers)
        if not allow_empty and missing.any():
            raise _Bad(int(np.argmax(missing)), column, "the value is empty; give a number.")
        return numbers
    text = _text(values)
    empty = pc.equal(text, "")
    if not allow_empty and (index := _first(empty)) >= 0:
        raise _Bad(index, column, "the value is empty; give a number.")
    cleaned = text
    if (
        pc.any(pc.match_substring(text, " ")).as_py()
        or pc.any(pc.match_substring(text, "\u00a0")).as_py()
    ):
        cleaned = pc.replace_substring(pc.replace_substring(text, "\u00a0", ""), " ", "")
    if decimal_comma and pc.any(pc.match_substring(cleaned, ",")).as_py():
        comma = pc.match_substring_regex(pc.replace_substring(text, "\u00a0", " "), _DECIMAL_COMMA)
        cleaned = pc.if_else(comma, pc.replace_substring(cleaned, ",", "."), cleaned)
    cleaned = pc.if_else(empty, pa.scalar(None, pa.string()), cleaned)
    try:
        parsed = pc.cast(cleaned, pa.float64())
    except pa.ArrowInvalid:
        valid = pc.or_kleene(pc.is_null(cleaned), pc.match_substring_regex(cleaned, _NUMBER))
        index = max(_first(pc.invert(pc.fill_null(valid, True))), 0)
        raise _Bad(
            index,
            column,
            f"'{text[index].as_py()}' is not a number. Use digits with a decimal point, like "
            "12.50 (no currency signs).",
        ) from None
    numbers = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=np.float64)
    infinite = np.isinf(numbers) | (np.isnan(numbers) & ~np.asarray(empty, dtype=bool))
    if infinite.any():
        index = int(np.argmax(infinite))
        raise _Bad(index, column, f"'{text[index].as_py()}' is not a finite number.")
    return numbers


def _days(values: pa.Array, column: str) -> npt.NDArray[np.datetime64]:
    if pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        if (index := _first(pc.is_null(values))) >= 0:
            raise _Bad(index, column, "the value is empty; every line needs a date.")
        days = pc.cast(pc.cast(values, pa.date32()), pa.int32())
        return np.asarray(days.to_numpy(zero_copy_only=False).astype("datetime64[D]"))
    text = _text(values)
    bad = pc.invert(pc.match_substring_regex(text, _ISO_DAY))
    index = _first(bad)
    # the day part repeats (a few thousand distinct days at most): check each distinct one
    encoded = pc.dictionary_encode(pc.utf8_slice_codeunits(text, 0, 10))
    distinct = encoded.dictionary.to_pylist()
    parsed = np.empty(len(distinct), dtype="datetime64[D]")
    for position, day in enumerate(distinct):
        try:
            parsed[position] = np.datetime64(dt.date.fromisoformat(day), "D")
        except ValueError:
            wrong = _first(pc.equal(encoded.indices, position))
            index = wrong if index < 0 else min(index, wrong)
    if index >= 0:
        raise _Bad(
            index,
            column,
            f"'{text[index].as_py()}' is not a date. Use ISO dates like 2024-03-31 or date-times "
            "like 2024-03-31T14:05:00 (optionally with a time zone such as +02:00).",
        )
    return np.asarray(parsed[encoded.indices.to_numpy(zero_copy_only=False)])


def _required_text(values: pa.Array, column: str) -> pa.Array:
    if not _is_text(values):
        if (index := _first(pc.is_null(values))) >= 0:
            raise _Bad(index, column, "the value is empty; every line needs it.")
        return values
    text = _text(values)
    if (index := _first(pc.equal(text, ""))) >= 0:
        raise _Bad(index, column, "the value is empty; every line needs it.")
    return text


def _as_whole_numbers(values: pa.Array) -> npt.NDArray[np.int64] | None:
    """A batch of identifiers as int64 if every one is a whole number, else ``None``."""
    if pa.types.is_integer(values.type):
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)
    if _is_text(values) and pc.all(pc.match_substring_regex(values, _WHOLE_NUMBER)).as_py():
        return np.asarray(pc.cast(values, pa.int64()).to_numpy(), dtype=np.int64)
    return None


def _identifiers(parts: list[Any], like: np.dtype[Any] | None = None) -> np.ndarray:
    """Identifiers as int64 when every one is a whole number (and ``like`` allows), else text.

    ``parts`` holds each batch as int64 (converted on the way, so that no text is kept) or as
    Arrow text. Text becomes NumPy's variable-width string type through Arrow's hash-based
    dictionary encoding: one Python string per distinct identifier, not per line.
    """
    numbers = like is None or like.kind in "iu"
    if numbers and all(isinstance(part, np.ndarray) for part in parts):
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    texts = [
        pa.array(part).cast(pa.string()) if isinstance(part, np.ndarray) else _text(part)
        for part in parts
    ]
    column = pa.chunked_array(texts, pa.string()).combine_chunks()
    encoded = pc.dictionary_encode(column)
    distinct = np.array(encoded.dictionary.to_pylist(), dtype=np.dtypes.StringDType())
    return np.asarray(distinct[encoded.indices.to_numpy(zero_copy_only=False)])


def _id_part(values: pa.Array, column: str, like: np.dtype[Any] | None = None) -> Any:
    """One batch of an identifier column: checked non-empty, int64 when it can be."""
    text = _required_text(values, column)
    if like is not None and like.kind not in "iu":
        return text
    whole = _as_whole_numbers(text)
    return text if whole is None else whole


def _require(source: _Source, columns: tuple[str, ...], hint: str) -> None:
    missing = [column for column in columns if column not in source.header]
    if missing:
        found = ", ".join(source.header) or "none"
        raise CsvFormatError(
            source.name,
            f"missing column(s) {', '.join(missing)} (found: {found}). {hint}",
        )


class _Columns:
    """Converted columns gathered batch by batch, and which records each batch kept."""

    def __init__(self) -> None:
        self.values: dict[str, list[Any]] = {}
        self.batches: list[tuple[int, int, npt.NDArray[np.bool_] | None]] = []

    def add(self, key: str, value: Any) -> None:
        self.values.setdefault(key, []).append(value)

    def numpy(self, key: str) -> np.ndarray:
        """The whole column, once: its blocks are let go so that only one copy is held."""
        parts = self.values.pop(key, [])
        return np.concatenate(parts) if parts else np.empty(0)

    def record_of(self, lines: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Record index (position among the records Arrow read) of each kept line."""
        index = np.asarray(lines, dtype=np.int64)
        if all(keep is None for _, _, keep in self.batches):
            return index
        records = np.concatenate(
            [
                np.arange(offset, offset + n)[slice(None) if keep is None else keep]
                for offset, n, keep in self.batches
            ]
        )
        return np.asarray(records[index], dtype=np.int64)


def _batches(
    source: _Source, keys: list[str], progress: Progress | None, gathered: _Columns
) -> Iterator[tuple[dict[str, pa.Array], npt.NDArray[np.int64]]]:
    """Batches without all-empty rows, with the record index of every kept row."""
    offset = 0
    for batch in source.batches(keys, progress):
        n = len(next(iter(batch.values()))) if batch else 0
        keep_mask: npt.NDArray[np.bool_] | None = None
        first = next(iter(batch.values()))
        if _is_text(first) and pc.any(pc.equal(_text(first), "")).as_py():
            texts = [_text(column) for column in batch.values() if _is_text(column)]
            if len(texts) == len(batch):
                blank = pc.equal(texts[0], "")
                for text in texts[1:]:
                    blank = pc.and_(blank, pc.equal(text, ""))
                if pc.any(blank).as_py():
                    keep = pc.invert(blank)
                    batch = {key: pc.filter(column, keep) for key, column in batch.items()}
                    keep_mask = np.asarray(keep, dtype=bool)
        gathered.batches.append((offset, n, keep_mask))
        positions = np.arange(offset, offset + n, dtype=np.int64)
        if keep_mask is not None:
            positions = positions[keep_mask]
        offset += n
        yield batch, positions


def _convert(source: _Source, positions: npt.NDArray[np.int64], work: Callable[[], None]) -> None:
    try:
        work()
    except _Bad as bad:
        row = source.rows_of([positions[bad.index]])[0] if positions.size else None
        raise CsvFormatError(source.name, bad.message, row=row, column=bad.column) from None


def read_orders(path: str | Path, *, progress: Progress | None = None) -> OrderLines:
    """Read an orders CSV or Parquet file; raises :class:`CsvFormatError` naming the row."""
    source = _open(Path(path))
    _require(
        source,
        ORDER_REQUIRED,
        "The orders file needs order_id, customer_id, ordered_at and amount (or amount_cents).",
    )
    amount = source.column("amount", "amount_cents")
    if amount is None:
        raise CsvFormatError(
            source.name, "missing column amount (or amount_cents) with the value of each line."
        )
    cost = source.column("cost", "cost_cents")
    margin = source.column("margin", "margin_cents")
    sku = source.column("sku", "product", "product_id")
    quantity = source.column("quantity", "qty")
    keys = [*ORDER_REQUIRED, amount]
    keys += [key for key in (cost, margin, sku, quantity) if key is not None]
    got = _Columns()
    comma = source.decimal_comma
    for batch, positions in _batches(source, keys, progress, got):

        def work(batch: dict[str, pa.Array] = batch) -> None:
            got.add("order_id", _id_part(batch["order_id"], "order_id"))
            got.add("customer_id", _id_part(batch["customer_id"], "customer_id"))
            got.add("ordered_at", _days(batch["ordered_at"], "ordered_at"))
            value = _money(batch, amount, decimal_comma=comma, allow_empty=False)
            if (negative := np.flatnonzero(value < 0)).size:
                raise _Bad(
                    int(negative[0]),
                    amount,
                    f"the amount {_shown(batch[amount], int(negative[0]))} is negative. Give "
                    "discounts as lower line amounts and refunds in the returns file.",
                )
            got.add("amount", value)
            line_cost = np.full(value.size, np.nan)
            if cost is not None:
                line_cost = _money(batch, cost, decimal_comma=comma, allow_empty=True)
            if margin is not None:
                line_margin = _money(batch, margin, decimal_comma=comma, allow_empty=True)
                line_cost = np.where(np.isnan(line_cost), value - line_margin, line_cost)
            got.add("cost", line_cost)
            if sku is not None:
                text = _text(batch[sku])
                whole = _as_whole_numbers(text)
                got.add("sku", text if whole is None else whole)
            if quantity is not None:
                units = _numbers(batch[quantity], quantity, decimal_comma=comma, allow_empty=True)
                got.add("quantity", np.where(np.isnan(units), 1.0, units))

        _convert(source, positions, work)
    amounts = got.numpy("amount")
    if amounts.size == 0:
        raise CsvFormatError(source.name, "the file has a header but no order lines.")
    order_ids = _identifiers(got.values.pop("order_id"))
    customers = _identifiers(got.values.pop("customer_id"))
    days = got.numpy("ordered_at").astype("datetime64[D]", copy=False)
    _check_orders(source, got, order_ids, customers, days, amounts, amount)
    # built directly: every column is already of its final type and length (no copies), and
    # without a quantity column the empty array means one unit per line
    return OrderLines(
        order_id=order_ids,
        customer_id=customers,
        ordered_at=days,
        amount=amounts,
        cost=got.numpy("cost").astype(np.float64, copy=False),
        sku=None if sku is None else _identifiers(got.values.pop("sku")),
        quantity=got.numpy("quantity") if quantity is not None else np.empty(0),
    )


def _money(
    batch: dict[str, pa.Array], key: str, *, decimal_comma: bool, allow_empty: bool
) -> npt.NDArray[np.float64]:
    values = _numbers(batch[key], key, decimal_comma=decimal_comma, allow_empty=allow_empty)
    return values / 100.0 if key.endswith("_cents") else values


def _shown(values: pa.Array, index: int) -> str:
    return str(values[index].as_py()).strip()


def _rows_text(source: _Source, got: _Columns, lines: npt.ArrayLike) -> str:
    return number_list(source.rows_of(got.record_of(np.asarray(lines)[:7])))


def _check_orders(
    source: _Source,
    got: _Columns,
    order_ids: np.ndarray,
    customers: np.ndarray,
    days: npt.NDArray[np.datetime64],
    amounts: npt.NDArray[np.float64],
    amount_column: str,
) -> None:
    """One customer and one day per order, and every order worth more than 0."""
    distinct, order_code = codes_of(order_ids)
    for what, column, values in (
        ("customers", "customer_id", customers),
        ("days", "ordered_at", days),
    ):
        per_order = np.empty(distinct.size, dtype=values.dtype)
        per_order[order_code] = values
        line = conflicting_order(order_code, per_order, values)
        if line is not None:
            lines = np.flatnonzero(order_code == order_code[line])
            shown = ", ".join(sorted({str(v) for v in values[lines].tolist()}))
            raise CsvFormatError(
                source.name,
                f"order '{distinct[order_code[line]]}' has lines with different {what} "
                f"({shown}) in rows {_rows_text(source, got, lines)}. An order belongs to one "
                "customer and one day: fix the rows or give the orders different ids.",
                column=column,
            )
    totals = total_by(order_code, amounts, distinct.size)
    free = np.flatnonzero(totals <= 0.0)
    if free.size:
        lines = np.flatnonzero(order_code == free[0])
        raise CsvFormatError(
            source.name,
            f"order '{distinct[free[0]]}' adds up to {totals[free[0]]:.2f} in rows "
            f"{_rows_text(source, got, lines)}. A free order is not a purchase: remove it, or "
            "give the value of what was sold.",
            column=amount_column,
        )


def read_returns(
    path: str | Path, orders: OrderLines, *, progress: Progress | None = None
) -> Returns:
    """Read a returns CSV or Parquet file, checking every row against ``orders``."""
    source = _open(Path(path))
    _require(source, ("order_id",), "The returns file needs order_id and returned_amount.")
    amount = source.column("returned_amount", "amount", "returned_amount_cents", "amount_cents")
    unclaimed = source.column("unclaimed")
    if amount is None and unclaimed is None:
        raise CsvFormatError(
            source.name,
            "missing column returned_amount (or returned_amount_cents) with the refunded value.",
        )
    shipping = source.column("return_shipping", "return_shipping_cost", "return_shipping_cents")
    lost = source.column("unclaimed_cost", "unclaimed_cost_cents")
    sku = source.column("sku", "product", "product_id")
    reason = source.column("reason")
    quantity = source.column("quantity", "qty")
    returned_at = source.column("returned_at", "return_date")
    optional = (amount, unclaimed, shipping, lost, sku, reason, quantity, returned_at)
    keys = ["order_id", *[key for key in optional if key is not None]]
    like = orders.order_id.dtype
    got = _Columns()
    comma = source.decimal_comma
    for batch, positions in _batches(source, keys, progress, got):

        def work(batch: dict[str, pa.Array] = batch) -> None:
            got.add("order_id", _id_part(batch["order_id"], "order_id", like))
            n = len(batch["order_id"])
            flag = np.zeros(n, dtype=bool)
            if unclaimed is not None:
                words = pc.utf8_lower(_text(batch[unclaimed]))
                known = pc.is_in(words, value_set=pa.array(sorted(TRUE_WORDS | FALSE_WORDS)))
                if (index := _first(pc.invert(known))) >= 0:
                    raise _Bad(
                        index,
                        unclaimed,
                        f"'{words[index].as_py()}' is not true or false. Write true/false, "
                        "yes/no or 1/0.",
                    )
                flag = np.asarray(
                    pc.is_in(words, value_set=pa.array(sorted(TRUE_WORDS))), dtype=bool
                )
            value = np.full(n, np.nan)
            if amount is not None:
                value = _money(batch, amount, decimal_comma=comma, allow_empty=True)
            missing = np.isnan(value) & ~flag
            if missing.any():
                raise _Bad(int(np.argmax(missing)), amount or "", "the returned amount is missing.")
            if (negative := np.flatnonzero(value < 0)).size:
                assert amount is not None
                raise _Bad(
                    int(negative[0]),
                    amount,
                    f"the returned amount {_shown(batch[amount], int(negative[0]))} is "
                    "negative; give the refunded value as a positive number.",
                )
            got.add("amount", value)
            got.add("unclaimed", flag)
            for key, target in ((shipping, "shipping"), (lost, "lost")):
                costs = np.zeros(n)
                if key is not None:
                    costs = np.nan_to_num(_money(batch, key, decimal_comma=comma, allow_empty=True))
                got.add(target, costs)
            if sku is not None:
                got.add("sku", _text(batch[sku]))
            if reason is not None:
                got.add("reason", _text(batch[reason]))
            if quantity is not None:
                units = _numbers(batch[quantity], quantity, decimal_comma=comma, allow_empty=True)
                got.add("quantity", np.where(np.isnan(units), 1.0, units))
            if returned_at is not None:
                got.add("returned_at", _days(batch[returned_at], returned_at))

        _convert(source, positions, work)
    n_returns = sum(part.size for part in got.values.get("amount", []))
    order_ids = (
        _identifiers(got.values.pop("order_id"), like)
        if n_returns
        else np.empty(0, dtype=orders.order_id.dtype)
    )
    amounts = got.numpy("amount")
    _check_returns(source, got, orders, order_ids, amounts, amount, returned_at)
    return Returns.from_arrays(
        order_ids,
        amounts,
        shipping_cost=got.numpy("shipping"),
        unclaimed=got.numpy("unclaimed").astype(bool),
        unclaimed_cost=got.numpy("lost"),
        sku=None if sku is None else _identifiers(got.values["sku"], np.dtype(np.str_)),
        reason=None if reason is None else _identifiers(got.values["reason"], np.dtype(np.str_)),
        quantity=None if quantity is None else got.numpy("quantity"),
    )


def _check_returns(
    source: _Source,
    got: _Columns,
    orders: OrderLines,
    order_ids: np.ndarray,
    amounts: npt.NDArray[np.float64],
    amount_column: str | None,
    returned_at: str | None,
) -> None:
    """Known orders, no more refunded than the order was worth, no return before its order."""
    if order_ids.size == 0:
        return
    distinct, order_code = codes_of(orders.order_id)
    if (order_ids.dtype.kind in "iu") == (distinct.dtype.kind in "iu"):
        position, found = index_of(order_ids, distinct)
    else:  # text ids in the returns, whole numbers in the orders: none can match
        position, found = np.zeros(order_ids.size, dtype=np.int64), np.zeros(order_ids.size, bool)
    if not found.all():
        line = int(np.argmin(found))
        raise CsvFormatError(
            source.name,
            f"order '{order_ids[line]}' is not in the orders file. Export returns and orders for "
            "the same period, or remove this row.",
            row=source.rows_of(got.record_of([line]))[0],
            column="order_id",
        )
    order_value = total_by(order_code, orders.amount, distinct.size)
    refunded = total_by(position, np.nan_to_num(amounts), distinct.size)
    over = np.flatnonzero(refunded > order_value + 0.005)
    if over.size:
        worst = int(over[0])
        lines = np.flatnonzero((position == worst) & ~np.isnan(amounts))
        raise CsvFormatError(
            source.name,
            f"the returns of order '{distinct[worst]}' in rows {_rows_text(source, got, lines)} "
            f"add up to {refunded[worst]:g}, more than the order's value {order_value[worst]:g}. "
            "Give the refunded value of each returned line (not of the whole order), or fix the "
            "order's lines.",
            column=amount_column or "",
        )
    if returned_at is not None:
        order_day = np.empty(distinct.size, dtype="datetime64[D]")
        order_day[order_code] = orders.ordered_at
        back = got.numpy("returned_at").astype("datetime64[D]")
        early = np.flatnonzero(back < order_day[position])
        if early.size:
            line = int(early[0])
            raise CsvFormatError(
                source.name,
                f"the return is dated {back[line]}, before its order '{order_ids[line]}' of "
                f"{order_day[position[line]]}. Check the date, or whether the row belongs to "
                "another order.",
                row=source.rows_of(got.record_of([line]))[0],
                column=returned_at,
            )
