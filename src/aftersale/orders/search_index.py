"""The index behind customer search (``aftersale.orders.selectors``), one per database.

- PostgreSQL: a trigram GIN index (pg_trgm) on ``CUSTOMER_TEXT_SQL``, the lower-cased search
  text. The pg_trgm extension is created if it is missing; a database user who may not create
  it gets an error saying what to run (docs/operators/search.md).
- SQLite: an FTS5 table with the trigram tokenizer, filled from the customer table and kept in
  step by triggers, so bulk loads and raw SQL keep it right too. Django rebuilds a SQLite table
  (dropping its triggers) when a later migration alters it, so ``repair`` runs after every
  ``migrate`` and puts missing triggers back.

Created by migration ``orders.0004_customer_search_text``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.utils import DatabaseError

MIGRATION = ("orders", "0004_customer_search_text")
TRIGRAM_INDEX = "customer_search_trgm"
SEARCH_TABLE = "orders_customer_search"
TRIGGERS = ("customer_search_insert", "customer_search_update", "customer_search_delete")

# The search text on PostgreSQL, word for word as in the index: a query must repeat the indexed
# expression exactly for the planner to use the index. Every column is NOT NULL.
CUSTOMER_TEXT_SQL = (
    "lower(first_name || ' ' || last_name || ' ' || email || ' ' || external_id || ' ' "
    "|| phone || ' ' || translate(phone, ' -+().', ''))"
)


def _sqlite_text(row: str) -> str:
    """The same text on SQLite for the trigger row ``row`` (new/old), or a plain table row."""
    prefix = f"{row}." if row else ""
    digits = f"{prefix}phone"
    for character in (" ", "-", "+", "(", ")", "."):
        digits = f"replace({digits}, '{character}', '')"
    columns = ("first_name", "last_name", "email", "external_id", "phone")
    return " || ' ' || ".join([f"{prefix}{column}" for column in columns] + [digits])


# The same text on SQLite for a row of the customer table (unqualified column names).
CUSTOMER_TEXT_SQLITE = _sqlite_text("")

PG_TRIGRAM_MISSING = (
    "Customer search needs the PostgreSQL extension pg_trgm, and this database user may not "
    "create it. Ask the database administrator to run CREATE EXTENSION pg_trgm; in this "
    "database, then run aftersale migrate again (see docs/operators/search.md)."
)


def create(connection) -> None:
    if connection.vendor == "postgresql":
        _create_postgresql(connection)
    elif connection.vendor == "sqlite":
        _create_sqlite(connection)


def drop(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        elif connection.vendor == "sqlite":
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")


def _create_postgresql(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError as exc:
                raise RuntimeError(PG_TRIGRAM_MISSING) from exc
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON orders_customer "
            f"USING gin (({CUSTOMER_TEXT_SQL}) gin_trgm_ops)"
        )


def _create_sqlite(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} "
            "USING fts5(text, tokenize = 'trigram')"
        )
        for trigger in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(
            f"CREATE TRIGGER customer_search_insert AFTER INSERT ON orders_customer BEGIN "
            f"INSERT OR REPLACE INTO {SEARCH_TABLE}(rowid, text) "
            f"VALUES (new.id, {_sqlite_text('new')}); END"
        )
        cursor.execute(
            "CREATE TRIGGER customer_search_update AFTER UPDATE OF "
            "first_name, last_name, email, external_id, phone ON orders_customer BEGIN "
            f"UPDATE {SEARCH_TABLE} SET text = {_sqlite_text('new')} WHERE rowid = new.id; END"
        )
        cursor.execute(
            "CREATE TRIGGER customer_search_delete AFTER DELETE ON orders_customer BEGIN "
            f"DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id; END"
        )
        # Index building, like CREATE INDEX filling a new index: every customer's text.
        cursor.execute(f"DELETE FROM {SEARCH_TABLE}")
        cursor.execute(
            f"INSERT INTO {SEARCH_TABLE}(rowid, text) "
            f"SELECT id, {_sqlite_text('')} FROM orders_customer"
        )


def missing_sqlite_triggers(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [trigger for trigger in TRIGGERS if trigger not in present]


def repair(connection) -> bool:
    """Put the SQLite search table and triggers back if a table rebuild dropped them; True when
    something was repaired. Runs after every ``migrate`` (see OrdersConfig.ready)."""
    from django.db.migrations.recorder import MigrationRecorder

    if connection.vendor != "sqlite":
        return False
    recorder = MigrationRecorder(connection)
    if not recorder.has_table() or MIGRATION not in recorder.applied_migrations():
        return False
    if not missing_sqlite_triggers(connection):
        return False
    _create_sqlite(connection)
    return True
