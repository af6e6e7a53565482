from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from aftersale.backoffice.views import integrations

app_name = "backoffice"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", TemplateView.as_view(template_name="base.html"), name="dashboard"),
    path("integrations/", integrations.integrations, name="integrations"),
    path(
        "integrations/tokens/<int:token_id>/revoke/", integrations.revoke_token, name="revoke_token"
    ),
    path("integrations/webhooks/", integrations.add_endpoint, name="add_webhook_endpoint"),
    path(
        "integrations/webhooks/<int:endpoint_id>/",
        integrations.endpoint_detail,
        name="webhook_endpoint",
    ),
    path(
        "integrations/webhooks/<int:endpoint_id>/remove/",
        integrations.remove_endpoint,
        name="remove_webhook_endpoint",
    ),
    path("integrations/import/", integrations.csv_import, name="csv_import"),
]
