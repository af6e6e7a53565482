from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "aftersale.delivery"
    label = "delivery"
