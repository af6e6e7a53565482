from django.apps import AppConfig


def superuser_only(request) -> bool:
    """Django's admin is for the installation's operators: a staff flag alone does not open it."""
    return request.user.is_active and request.user.is_superuser


class BackofficeConfig(AppConfig):
    name = "aftersale.backoffice"
    label = "backoffice"

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.has_permission = superuser_only
