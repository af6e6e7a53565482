"""The contact form: a customer (signed in or not) writes to customer service and a ticket
opens. While they type, the three help articles that best match are suggested; a hidden field
that people leave empty (bots fill it) and a per-address and per-e-mail limit keep spam out."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from aftersale.core import limits
from aftersale.portal import access
from aftersale.portal.lookup import shop_for
from aftersale.service import services
from aftersale.service.attachments import ACCEPT, MAX_FILES, Upload
from aftersale.service.help.search import suggest_articles
from aftersale.service.models import Source, Topic

WINDOW_SECONDS = 60 * 60
PER_ADDRESS = 10
PER_EMAIL = 5
HONEYPOT = "website"


class ContactForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200, required=False)
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy("We answer to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(label=gettext_lazy("What is it about?"), choices=Topic.choices)
    order = forms.TypedChoiceField(
        label=gettext_lazy("Order"), coerce=int, required=False, empty_value=None
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    message = forms.CharField(
        label=gettext_lazy("Message"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    # Hidden from people (CSS and aria-hidden); a bot that fills every field fills this.
    website = forms.CharField(label=gettext_lazy("Leave this empty"), required=False)

    def __init__(self, *args, orders=(), **kwargs):
        kwargs.setdefault("auto_id", "contact-%s")
        super().__init__(*args, **kwargs)
        self.orders = {order.pk: order for order in orders}
        self.fields["order"].choices = [("", _("No particular order"))] + [
            (order.pk, _("Order %(number)s") % {"number": order.number}) for order in orders
        ]
        if not orders:
            del self.fields["order"]


def _context(request, shop, form, status_code=200, suggestions=None):
    return render(
        request,
        "portal/contact.html",
        {
            "shop": shop,
            "form": form,
            "suggestions": suggestions or [],
            "accept": ACCEPT,
            "max_files": MAX_FILES,
            "status_in_page": True,
        },
        status=status_code,
    )


def _language(shop) -> str:
    language = get_language() or shop.default_language
    return language if language in shop.languages else shop.default_language


@require_http_methods(["GET", "POST"])
def contact(request, shop_slug):
    shop = shop_for(shop_slug)
    customers = access.signed_in_customers(request, shop)
    orders = list(access.visible_orders(request, shop).order_by("-placed_at", "-id")[:50])
    initial = {}
    if customers:
        initial = {"email": customers[0].email, "name": customers[0].full_name}
    if request.GET.get("order", "").isdigit():
        initial["order"] = int(request.GET["order"])
        initial["topic"] = Topic.ORDER
    if request.method == "GET":
        return _context(request, shop, ContactForm(initial=initial, orders=orders))
    form = ContactForm(request.POST, orders=orders)
    if not form.is_valid():
        return _context(request, shop, form, 400)
    data = form.cleaned_data
    if data.get(HONEYPOT):
        # Answered like a success, so the bot learns nothing; nothing is stored.
        return redirect("portal:contact_sent", shop_slug=shop.slug)
    address = limits.client_address(request)
    email_key = access.normalise_email(data["email"])
    if (
        limits.count(f"contact:addr:{shop.pk}:{address}", WINDOW_SECONDS) > PER_ADDRESS
        or limits.count(f"contact:email:{shop.pk}:{email_key}", WINDOW_SECONDS) > PER_EMAIL
    ):
        form.add_error(
            None, _("You have sent many messages in a short time. Wait an hour and try again.")
        )
        return _context(request, shop, form, 429)
    order = form.orders.get(data.get("order")) if data.get("order") else None
    customer = order.customer if order is not None else None
    if customer is None and customers and access.same_email(customers[0].email, data["email"]):
        customer = customers[0]
    files = request.FILES.getlist("attachments")
    try:
        services.open_ticket(
            shop,
            email=data["email"],
            name=data["name"],
            subject=data["subject"],
            body=data["message"],
            topic=data["topic"],
            source=Source.PORTAL,
            customer=customer,
            order=order,
            attachments=[Upload.from_file(upload) for upload in files],
            language=_language(shop),
        )
    except ValidationError as error:
        for field, messages in getattr(error, "message_dict", {None: error.messages}).items():
            target = {"body": "message"}.get(field, field)
            form.add_error(target if target in form.fields else None, messages)
        return _context(request, shop, form, 400)
    return redirect("portal:contact_sent", shop_slug=shop.slug)


@require_GET
def contact_sent(request, shop_slug):
    shop = shop_for(shop_slug)
    return render(request, "portal/contact_sent.html", {"shop": shop})


@require_GET
def contact_suggestions(request, shop_slug):
    """The three articles that best match what is typed so far (the form asks as you type)."""
    shop = shop_for(shop_slug)
    text = f"{request.GET.get('subject', '')} {request.GET.get('message', '')}".strip()[:500]
    hits = suggest_articles(shop, _language(shop), text, limit=3) if len(text) >= 3 else []
    return render(request, "portal/contact_suggestions.html", {"shop": shop, "suggestions": hits})
