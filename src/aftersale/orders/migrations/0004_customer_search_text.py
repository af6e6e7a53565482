"""The customer search index: pg_trgm's trigram GIN index on PostgreSQL, an FTS5 trigram table
with triggers on SQLite (see aftersale.orders.search_index)."""

from django.db import migrations

from aftersale.orders import search_index


def create(apps, schema_editor):
    search_index.create(schema_editor.connection)


def drop(apps, schema_editor):
    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_search_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
