from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "aftersale.demo"
    label = "demo"
