"""What the database's query planner knows about a table (statistics written by ANALYZE)."""

from __future__ import annotations

from django.db import connection


def statistics_rows(table: str) -> int:
    """Rows of planner statistics for ``table``: sqlite_stat1 on SQLite, pg_stats on PostgreSQL.
    Zero when the table was never analysed."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() "
                "AND tablename = %s",
                [table],
            )
        return cursor.fetchone()[0]


def plan_of(query: dict) -> str:
    """The plan the database picks for a captured query (``CaptureQueriesContext`` item).

    On PostgreSQL sequential scans and sorts are priced out first: test tables are tiny, and
    the question is whether an index *can* answer, as it must on a shop of real size. On
    SQLite statistics left by an earlier test's load (of other data) are set aside for the
    same reason.
    """
    sql = query["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone()[0]:
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")  # the planner rereads its statistics
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def forget_statistics(*tables: str) -> None:
    """Drop the planner's statistics of ``tables`` (inside the test's transaction), so that a
    test can see a load write them; a load committed by an earlier test may have left some."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone()[0]:
                for table in tables:
                    cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])
        else:
            for table in tables:
                cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
