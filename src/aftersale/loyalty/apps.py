from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "aftersale.loyalty"
    label = "loyalty"
