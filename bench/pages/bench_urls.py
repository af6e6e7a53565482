"""The app's URLs plus a Django hello-world view, so both run in the same gunicorn workers
with the same settings and middleware: the baseline every page is compared with."""

from django.http import HttpResponse
from django.urls import path

from aftersale.urls import urlpatterns as app_urlpatterns


def hello(request):
    return HttpResponse("Hello, world!", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *app_urlpatterns]
