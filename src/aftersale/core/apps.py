from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "aftersale.core"
    label = "core"
