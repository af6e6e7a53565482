"""The database refuses to change a ledger entry's amounts, kind, source, rule or owner once it
is written (the model refuses too; this holds for raw SQL and other clients). An earn entry's
``state`` and ``vests_on`` and an erased ``reason`` may change; deleting follows the customer or
the shop (cascades), never an entry alone through the models."""

from django.db import migrations

FIXED = (
    "shop_id",
    "customer_id",
    "kind",
    "points",
    "pending_points",
    "source_type",
    "source_id",
    "amount_cents",
    "earned_id",
    "rule_id",
    "natural_key",
    "created_at",
)
MESSAGE = "loyalty ledger entries are append-only"

SQLITE_UP = f"""
CREATE TRIGGER loyalty_ledger_append_only
BEFORE UPDATE OF {", ".join(FIXED)} ON loyalty_ledgerentry
FOR EACH ROW WHEN {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS loyalty_ledger_append_only;"

POSTGRES_UP = f"""
CREATE FUNCTION loyalty_ledger_append_only() RETURNS trigger AS $$
BEGIN
    IF {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIXED)} THEN
        RAISE EXCEPTION '{MESSAGE}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER loyalty_ledger_append_only BEFORE UPDATE ON loyalty_ledgerentry
FOR EACH ROW EXECUTE FUNCTION loyalty_ledger_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS loyalty_ledger_append_only ON loyalty_ledgerentry;
DROP FUNCTION IF EXISTS loyalty_ledger_append_only();
"""


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_ledger_models")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
