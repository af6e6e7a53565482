from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from aftersale.backoffice.views import flows as flow_views

app_name = "backoffice"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", TemplateView.as_view(template_name="base.html"), name="dashboard"),
    path("flows/", flow_views.flow_list, name="flow_list"),
    path("flows/new/", flow_views.flow_edit, name="flow_new"),
    path("flows/<int:flow_id>/", flow_views.flow_detail, name="flow_detail"),
    path("flows/<int:flow_id>/edit/", flow_views.flow_edit, name="flow_edit"),
    path("flows/<int:flow_id>/toggle/", flow_views.flow_toggle, name="flow_toggle"),
    path("flows/templates/", flow_views.template_list, name="flow_templates"),
    path("flows/templates/<int:template_id>/", flow_views.template_edit, name="flow_template_edit"),
    path("flows/settings/", flow_views.messaging_settings, name="flow_messaging_settings"),
    path("flows/messages/", flow_views.message_list, name="flow_messages"),
    path("flows/messages/<int:message_id>/", flow_views.message_detail, name="flow_message"),
]
