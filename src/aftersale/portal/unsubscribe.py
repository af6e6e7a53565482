"""One-click unsubscribe from a shop's marketing (RFC 8058), at ``/u/<token>/``.

A GET only shows a confirmation page (link scanners and previews follow GETs); the unsubscribe
happens on POST, which is what mail clients send for the ``List-Unsubscribe-Post`` header. The
token in the link is the only credential, so the POST needs no CSRF token.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from aftersale.flows.models import Message
from aftersale.flows.services import unsubscribe


def _message(token: str) -> Message:
    message = (
        Message.objects.select_related("shop", "customer", "run__flow")
        .filter(unsubscribe_token=token)
        .first()
    )
    if message is None:
        raise Http404
    return message


def mask(address: str) -> str:
    """Enough of the address to recognise it, not enough to read it off a shared screen."""
    name, _, domain = address.partition("@")
    if not domain:
        return f"{address[:3]}…{address[-2:]}"
    return f"{name[:2]}…@{domain}"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request, token: str):
    message = _message(token)
    language = message.language or message.shop.default_language
    with translation.override(language):
        context = {"shop": message.shop, "address": mask(message.recipient), "message": message}
        if request.method == "POST":
            unsubscribe(message)
            response = render(request, "portal/unsubscribe_done.html", context)
        else:
            context["already"] = message.unsubscribed_at is not None
            response = render(request, "portal/unsubscribe.html", context)
    response["Content-Language"] = language
    return response


urlpatterns = [path("<str:token>/", unsubscribe_page, name="unsubscribe")]
