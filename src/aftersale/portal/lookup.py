"""Signing in to a shop's portal: order number + e-mail, or a link sent to the e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersale.core.models import Shop
from aftersale.loyalty.services import programme_for
from aftersale.orders.models import Order
from aftersale.portal import access
from aftersale.portal.forms import LookupForm, MagicLinkForm
from aftersale.portal.tasks import send_magic_link


def shop_for(shop_slug: str) -> Shop:
    return get_object_or_404(Shop, slug=shop_slug)


def _page(request, shop, *, lookup_form=None, link_form=None, status=200):
    return render(
        request,
        "portal/lookup.html",
        {
            "shop": shop,
            "lookup_form": lookup_form or LookupForm(),
            "link_form": link_form or MagicLinkForm(),
            "orders": access.visible_orders(request, shop).order_by("-placed_at")[:20],
            "loyalty_enabled": programme_for(shop).enabled,
        },
        status=status,
    )


def too_many_lookups() -> str:
    return _(
        "Too many attempts. Wait 15 minutes and try again, or ask for a sign-in link by e-mail: "
        "a link works at once."
    )


@require_http_methods(["GET", "POST"])
def lookup(request, shop_slug):
    """Find an order by its number and e-mail. A wrong pair and an unknown number get the
    same answer; too many failures from one address, or on one order number from an address
    that failed on it, are refused (see ``access``)."""
    shop = shop_for(shop_slug)
    if request.method == "GET":
        return _page(request, shop)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _page(request, shop, lookup_form=form, status=400)
    number = form.cleaned_data["number"]
    if not access.start_lookup(request, shop, number):
        form.add_error(None, too_many_lookups())
        return _page(request, shop, lookup_form=form, status=429)
    order = access.find_order(shop, number, form.cleaned_data["email"])
    if order is None:
        form.add_error(
            None,
            _(
                "We could not find an order with that number and e-mail address. Check both, "
                "or ask for a sign-in link below."
            ),
        )
        return _page(request, shop, lookup_form=form, status=400)
    access.lookup_found(request, shop, number)
    access.grant(request, shop, customers=[order.customer], order=order)
    return redirect("portal:order", shop_slug=shop.slug, order_id=order.pk)


@require_POST
def request_link(request, shop_slug):
    """Queue a sign-in link; the answer is the same whether or not the address has orders."""
    shop = shop_for(shop_slug)
    form = MagicLinkForm(request.POST)
    if not form.is_valid():
        return _page(request, shop, link_form=form, status=400)
    email = form.cleaned_data["email"]
    if not access.allow_link_request(request, shop, email):
        form.add_error(None, _("Too many attempts. Wait 15 minutes and try again."))
        return _page(request, shop, link_form=form, status=429)
    send_magic_link.enqueue(shop_id=shop.pk, email=email, language=get_language() or "")
    messages.info(
        request,
        _(
            "If we have orders for %(email)s, we have sent a sign-in link there. It is valid "
            "for %(minutes)s minutes."
        )
        % {"email": email, "minutes": access.MAGIC_LINK_MINUTES},
    )
    return redirect("portal:lookup", shop_slug=shop.slug)


@require_http_methods(["GET", "POST"])
def open_link(request, shop_slug, token):
    """A link from the e-mail. GET asks for a click (mail scanners open links by themselves);
    POST signs in to every order of the address."""
    shop = shop_for(shop_slug)
    email = access.email_from_token(shop, token)
    if email is None:
        messages.error(
            request, _("This sign-in link has expired or is not valid. Ask for a new one.")
        )
        return redirect("portal:lookup", shop_slug=shop.slug)
    if request.method == "GET":
        return render(request, "portal/open_link.html", {"shop": shop})
    customers = access.customers_with_email(shop, email)
    access.grant(request, shop, customers=customers)
    latest = Order.objects.for_shop(shop).filter(customer__in=customers).order_by("-placed_at")
    if latest.count() == 1:
        return redirect("portal:order", shop_slug=shop.slug, order_id=latest.get().pk)
    return redirect("portal:lookup", shop_slug=shop.slug)


@require_POST
def sign_out(request, shop_slug):
    shop = shop_for(shop_slug)
    access.revoke(request, shop)
    messages.info(request, _("You have signed out."))
    return redirect("portal:lookup", shop_slug=shop.slug)
