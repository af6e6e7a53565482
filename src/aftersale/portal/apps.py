from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "aftersale.portal"
    label = "portal"
