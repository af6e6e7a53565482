from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from aftersale.portal.tracking import tracking_page

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("aftersale.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("s/<slug:shop_slug>/", include("aftersale.portal.urls")),
    path("t/<str:token>/", tracking_page, name="tracking"),
    path("u/", include("aftersale.portal.unsubscribe")),
    path("c/", include("aftersale.portal.clicks")),
    path("webhooks/anymail/", include("anymail.urls")),
    path("", include("aftersale.backoffice.urls")),
]
