from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "aftersale.timeline"
    label = "timeline"
