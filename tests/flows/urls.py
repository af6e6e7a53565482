"""The project's URLs, plus placeholders for back-office pages that live in other branches
(the shell's customer, order and shop-switch pages) so base.html renders in these tests.
Once those pages exist, nothing is added."""

from django.http import HttpResponse
from django.urls import URLPattern, include, path

from aftersale import urls as project
from aftersale.backoffice import urls as backoffice

NEEDED = ("customer_list", "order_list", "switch_shop")
present = {p.name for p in backoffice.urlpatterns if isinstance(p, URLPattern)}
placeholders = [
    path(f"placeholder/{name}/", lambda request: HttpResponse(""), name=name)
    for name in NEEDED
    if name not in present
]

urlpatterns = [
    path("", include((backoffice.urlpatterns + placeholders, "backoffice")))
    if getattr(p, "namespace", None) == "backoffice"
    else p
    for p in project.urlpatterns
]
