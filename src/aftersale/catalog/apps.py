from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "aftersale.catalog"
    label = "catalog"
