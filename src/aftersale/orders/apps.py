from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "aftersale.orders"
    label = "orders"
