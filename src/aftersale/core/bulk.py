"""Bulk inserts for the hot paths: ingest batches, timeline events, flow starts.

Django's ``bulk_create`` builds and prepares every value of every row in Python, which for a
batch of a thousand orders costs more than the database's own work. Here a batch takes its ids
from the table's sequence and goes in with ``COPY`` on PostgreSQL; on SQLite it is one
prepared ``INSERT`` run for every row (``executemany``), converting only the values SQLite
cannot take as they are (times, JSON, decimals). Models must have an automatic integer id.

Rows are dicts keyed by attribute name (``shop_id``, not ``shop``). A field a row leaves out
takes its default; ``auto_now`` and ``auto_now_add`` fields take the current time.

``gc_paused`` holds off Python's cyclic garbage collector while a batch is read, checked and
stored.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone
from psycopg.types.json import Jsonb

BATCH_SIZE = 2000


class _Pauses:
    lock = threading.Lock()
    depth = 0
    was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector for the duration of a bulk load.

    A batch allocates hundreds of thousands of small objects (payloads, validated models, rows)
    that hold no reference cycles; reference counting frees them. The collector's repeated
    passes over that growing heap took about a third of a CSV import's time (bench/ingest).
    Nested and concurrent pauses are counted: the collector resumes when the last one ends,
    and only if it was running before the first began.
    """
    with _Pauses.lock:
        if _Pauses.depth == 0:
            _Pauses.was_enabled = gc.isenabled()
            gc.disable()
        _Pauses.depth += 1
    try:
        yield
    finally:
        with _Pauses.lock:
            _Pauses.depth -= 1
            if _Pauses.depth == 0 and _Pauses.was_enabled:
                gc.enable()


def insert_rows(model: type[Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` of ``model``; returns their new primary keys in the rows' order."""
    if not rows:
        return []
    fields = _insertable(model)
    unknown = set(rows[0]) - {field.attname for field in fields}
    if unknown:
        raise TypeError(f"{model.__name__} has no field(s) {', '.join(sorted(unknown))}")

    def column(field, batch):
        default = field.get_default()
        return [row.get(field.attname, default) for row in batch]

    return _insert(model, fields, rows, column, timezone.now())


def insert_objects(model: type[Model], objs: list[Model]) -> list[Model]:
    """Insert unsaved instances like ``bulk_create``, through the same fast path as
    ``insert_rows``; sets each instance's primary key and automatic times."""
    if not objs:
        return objs
    fields = _insertable(model)
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                if field.auto_now or getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)

    def column(field, batch):
        return [getattr(obj, field.attname) for obj in batch]

    ids = _insert(model, fields, objs, column, now)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def _insertable(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


# Field types whose Python values the SQLite driver takes as they are (no per-value prep).
AS_IS = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "EmailField",
    "FloatField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField",
    "TextField", "URLField",
}  # fmt: skip


def _insert(
    model: type[Model],
    fields: list,
    items: Sequence[Any],
    column: Callable[[Any, Any], list],
    now: datetime,
) -> list[int]:
    write = _copy if connection.vendor == "postgresql" else _execute_many
    ids: list[int] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(items), BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            columns = []
            for field in fields:
                if getattr(field, "auto_now", False):
                    values = [now] * len(batch)
                else:
                    values = column(field, batch)
                    if getattr(field, "auto_now_add", False):
                        values = [now if value is None else value for value in values]
                columns.append(values)
            ids.extend(write(cursor, model, fields, columns))
    return ids


def _copy(cursor, model: type[Model], fields: list, columns: list[list]) -> list[int]:
    """PostgreSQL: ids from the table's sequence, then the rows with ``COPY``."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [model._meta.db_table, pk.column, len(columns[0])],
    )
    ids = [value for (value,) in cursor.fetchall()]
    for index, field in enumerate(fields):
        if isinstance(field, JSONField):
            columns[index] = [None if v is None else Jsonb(v) for v in columns[index]]
    names = ", ".join(quote(field.column) for field in [pk, *fields])
    with connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in zip(ids, *columns, strict=True):
                copy.write_row(row)
    return ids


def _execute_many(cursor, model: type[Model], fields: list, columns: list[list]) -> list[int]:
    """SQLite (the other database the project runs on): one prepared ``INSERT`` for every row.
    SQLite numbers rows one after another inside the transaction (it has a single writer), so
    the ids end at the last one."""
    quote = connection.ops.quote_name
    for index, field in enumerate(fields):
        kind = field.get_internal_type()
        if kind == "DateTimeField":  # aware times, as the services make them
            adapt = connection.ops.adapt_datetimefield_value
            columns[index] = [adapt(v) for v in columns[index]]
        elif kind not in AS_IS:
            columns[index] = [field.get_db_prep_save(v, connection) for v in columns[index]]
    names = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    cursor.executemany(
        f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})",
        list(zip(*columns, strict=True)),
    )
    cursor.execute("SELECT last_insert_rowid()")
    (last,) = cursor.fetchone()
    return list(range(last - len(columns[0]) + 1, last + 1))


def analyze(models: Sequence[type[Model]], *, vacuum: bool = False) -> None:
    """Refresh the query planner's statistics for ``models``' tables after a bulk load.

    Neither ``COPY`` nor SQLite's inserts update the planner's statistics; until autovacuum
    (PostgreSQL) or an ``ANALYZE`` gets to them, the planner guesses table sizes and picks
    slow plans (a sequential scan where an index answers at once). SQLite samples at most
    a thousand rows per index (``analysis_limit``) so this stays quick on a big shop.

    ``vacuum`` (PostgreSQL, outside a transaction): ``VACUUM (ANALYZE)`` instead, which also
    marks the freshly written pages all-visible, so that counts and lists can be answered
    from an index alone (an index-only scan) without visiting the table.
    """
    quote = connection.ops.quote_name
    tables = list(dict.fromkeys(model._meta.db_table for model in models))
    if not tables:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")
            return
        names = ", ".join(quote(table) for table in tables)
        if vacuum and not connection.in_atomic_block:
            cursor.execute(f"VACUUM (ANALYZE) {names}")
        else:
            cursor.execute(f"ANALYZE {names}")
