from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "aftersale.service"
    label = "service"
