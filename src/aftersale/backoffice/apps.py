from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "aftersale.backoffice"
    label = "backoffice"
