from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(using: str = "default", **kwargs) -> None:
    """``migrate`` also creates the database cache's table (rate limits without Redis)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "aftersale.core"
    label = "core"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, sender=self)
        from aftersale.core import signin  # noqa: F401  (counts failed sign-ins)
        from aftersale.core.choices import use_fast_displays

        use_fast_displays()
