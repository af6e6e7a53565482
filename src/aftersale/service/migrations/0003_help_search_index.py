"""Full-text indexes for the help centre, one per language, on PostgreSQL only.

SQLite has no such index; its search (``aftersale.service.help.search``) scores the shop's
articles of one language directly. The expression is the one the search repeats."""

from django.db import migrations

# Frozen copies of aftersale.service.help.search.CONFIGS and search_vector_sql(); a test checks
# that PostgreSQL uses these indexes for the search's query.
CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}


def search_vector_sql(config: str) -> str:
    table = "service_helparticletranslation"
    return (
        f"(setweight(to_tsvector('{config}'::regconfig, {table}.title), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, {table}.body), 'B'))"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language, config in CONFIGS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS help_search_{language} "
            f"ON service_helparticletranslation USING GIN ({search_vector_sql(config)}) "
            f"WHERE language = '{language}'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        schema_editor.execute(f"DROP INDEX IF EXISTS help_search_{language}")


class Migration(migrations.Migration):
    dependencies = [("service", "0002_help_centre")]

    operations = [migrations.RunPython(create, drop)]
