from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "aftersale.insights"
    label = "insights"
