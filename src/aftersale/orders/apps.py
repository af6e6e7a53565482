from django.apps import AppConfig
from django.db.models.signals import post_migrate


def repair_search_index(using="default", **kwargs):
    from django.db import connections

    from aftersale.orders import search_index

    search_index.repair(connections[using])


class OrdersConfig(AppConfig):
    name = "aftersale.orders"
    label = "orders"

    def ready(self):
        post_migrate.connect(repair_search_index, sender=self)
