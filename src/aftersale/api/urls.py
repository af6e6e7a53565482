from django.urls import path

from aftersale.api.main import api

urlpatterns = [path("api/v1/", api.urls)]
