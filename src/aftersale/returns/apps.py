from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "aftersale.returns"
    label = "returns"
