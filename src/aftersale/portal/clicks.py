"""The click redirect of product links in messages, at ``/c/<signed token>/``.

The token names the message and the product page it links to, signed by us
(``flows.products.tracked_url``): a forged or damaged token is a 404, so the redirect never
leads anywhere a shop's own message did not name. Each visit is recorded as a ``Click`` and
the customer is sent on to the product page.
"""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_GET

from aftersale.flows.models import Message
from aftersale.flows.products import read_click
from aftersale.flows.services import record_click


@require_GET
def click(request, token: str):
    data = read_click(token)
    if data is None:
        raise Http404
    message = Message.objects.filter(idempotency_key=data.get("k")).first()
    if message is None:
        raise Http404
    product_id = data.get("p")
    record_click(
        message, product_id=product_id if isinstance(product_id, int) else None, url=data["u"]
    )
    response = HttpResponseRedirect(data["u"])
    response["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns = [path("<str:token>/", click, name="click")]
