"""Bulk inserts for the hot paths: ingest batches, timeline events, flow starts.

On PostgreSQL each batch is one ``INSERT … SELECT * FROM unnest(%s::type[], …) RETURNING id``:
every column travels as a single array parameter, so a batch costs about what the database
spends storing it. Django's ``bulk_create`` prepares every value of every row in Python first,
which for a batch of a thousand orders costs more than the database's own work. Other databases
(SQLite) get ``bulk_create``.

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

from django.db import connection
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
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create(
            [model(**row) for row in rows], batch_size=BATCH_SIZE
        )
        return [obj.pk for obj in objs]

    def column(field, batch):
        default = field.get_default()
        return [row.get(field.attname, default) for row in batch]

    return _unnest_insert(model, fields, rows, column, timezone.now())


def insert_objects(model: type[Model], objs: list[Model]) -> list[Model]:
    """``bulk_create`` of unsaved instances, through ``insert_rows``'s fast path on
    PostgreSQL; sets each instance's primary key."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    fields = _insertable(model)
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                if field.auto_now or getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)

    def column(field, batch):
        return [getattr(obj, field.attname) for obj in batch]

    ids = _unnest_insert(model, fields, objs, column, now)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def _insertable(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _unnest_insert(
    model: type[Model],
    fields: list,
    items: Sequence[Any],
    column: Callable[[Any, Any], list],
    now: datetime,
) -> list[int]:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk.column
    columns = ", ".join(quote(field.column) for field in [model._meta.pk, *fields])
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(items), BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk, len(batch)],
            )
            batch_ids = [pk for (pk,) in cursor.fetchall()]
            arrays = [batch_ids]
            for field in fields:
                if getattr(field, "auto_now", False):
                    values = [now] * len(batch)
                else:
                    values = column(field, batch)
                    if getattr(field, "auto_now_add", False):
                        values = [now if value is None else value for value in values]
                    elif isinstance(field, JSONField):
                        values = [None if value is None else Jsonb(value) for value in values]
                arrays.append(values)
            with connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in zip(*arrays, strict=True):
                        copy.write_row(row)
            ids.extend(batch_ids)
    return ids
