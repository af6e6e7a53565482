from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from aftersale.backoffice.views import returns

app_name = "backoffice"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", TemplateView.as_view(template_name="base.html"), name="dashboard"),
    path("returns/", returns.queue, name="returns"),
    path("returns/approve/", returns.bulk_approve, name="returns_bulk_approve"),
    path("returns/receive/", returns.receive, name="returns_receive"),
    path("returns/insight/", returns.insight_page, name="returns_insight"),
    path("returns/policy/", returns.policy_page, name="return_policy"),
    path("returns/<int:return_id>/", returns.detail, name="return_detail"),
    path("returns/<int:return_id>/photos/<int:photo_id>/", returns.photo, name="return_photo"),
]
