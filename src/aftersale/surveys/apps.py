from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "aftersale.surveys"
    label = "surveys"
