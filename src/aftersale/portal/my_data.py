"""A customer's requests about their data, each confirmed through a link sent to their e-mail:
a copy of it, or its erasure.

The customer gives their address; if the shop has data for it, an e-mail with a signed link
valid for an hour goes out (the answer on the page is the same either way). Opening the link
shows what will happen; confirming downloads the archive or erases the data, and is written to
the shop's audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersale.core.limits import client_address
from aftersale.portal import access
from aftersale.portal.export_links import ERASURE, EXPORT, LINK_MINUTES, email_from_token
from aftersale.portal.forms import MagicLinkForm
from aftersale.portal.lookup import shop_for
from aftersale.portal.tasks import send_erasure_link, send_export_link
from aftersale.privacy.export import archive_name
from aftersale.privacy.services import erase_customer, export_customers, privacy_settings

ACTOR_NAME = "customer (portal)"


@require_http_methods(["GET", "POST"])
def request_export(request, shop_slug):
    return _request_link(
        request, shop_for(shop_slug), EXPORT, send_export_link, "portal/my_data/request.html"
    )


@require_http_methods(["GET", "POST"])
def request_erasure(request, shop_slug):
    return _request_link(
        request, shop_for(shop_slug), ERASURE, send_erasure_link, "portal/my_data/erase.html"
    )


def _request_link(request, shop, purpose, send, template):
    form = MagicLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not access.allow_link_request(request, shop, email):
            form.add_error(None, _("Too many attempts. Wait 15 minutes and try again."))
            return render(request, template, {"shop": shop, "form": form}, status=429)
        send.enqueue(shop_id=shop.pk, email=email, language=get_language() or "")
        messages.info(
            request,
            _(
                "If we hold data for %(email)s, we have sent a link there to confirm the "
                "request. It is valid for %(minutes)s minutes."
            )
            % {"email": email, "minutes": LINK_MINUTES[purpose]},
        )
        return redirect("portal:my_data", shop_slug=shop.slug)
    status = 400 if form.errors else 200
    return render(request, template, {"shop": shop, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def confirm_export(request, shop_slug, token):
    shop = shop_for(shop_slug)
    email = email_from_token(shop, token, EXPORT)
    customers = access.customers_with_email(shop, email) if email else []
    if not customers:
        return render(request, "portal/my_data/expired.html", {"shop": shop}, status=410)
    if request.method == "GET":
        return render(request, "portal/my_data/confirm.html", {"shop": shop, "email": email})
    data = export_customers(
        shop, customers, actor_name=ACTOR_NAME, client_address=client_address(request)
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(shop, customers[0])}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def confirm_erasure(request, shop_slug, token):
    """The erasure link: GET says what goes and what stays, POST erases this shop's customers
    with the address and shows the receipt. A used link finds nobody left to erase."""
    shop = shop_for(shop_slug)
    email = email_from_token(shop, token, ERASURE)
    if not email:
        return render(request, "portal/my_data/expired.html", {"shop": shop}, status=410)
    customers = access.customers_with_email(shop, email)
    if not customers:
        return render(request, "portal/my_data/used.html", {"shop": shop}, status=410)
    context = {
        "shop": shop,
        "email": email,
        "accounting_years": privacy_settings(shop).accounting_years,
    }
    if request.method == "GET":
        return render(request, "portal/my_data/confirm_erasure.html", context)
    for customer in customers:
        erase_customer(
            shop,
            customer,
            actor_name=ACTOR_NAME,
            client_address=client_address(request),
            source="portal",
        )
    response = render(request, "portal/my_data/erased.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
