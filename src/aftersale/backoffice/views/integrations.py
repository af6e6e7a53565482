"""Integrations: API tokens, webhook endpoints with their delivery log, the log of inbound
webhooks, and the CSV import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.api.models import InboundWebhook
from aftersale.backoffice.access import shop_required
from aftersale.core.models import ApiToken
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.core.services import create_api_token, revoke_api_token
from aftersale.orders.csv_import import COLUMNS, ImportFailed, import_orders_csv
from aftersale.webhooks.models import WebhookEndpoint
from aftersale.webhooks.services import (
    EVENT_TYPES,
    add_webhook_endpoint,
    remove_webhook_endpoint,
)

# Integrations hand out access to the shop's data: owners only.
owner_required = shop_required(owner_only=True)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Where the token is used, e.g. “Web shop”."),
    )


class EndpointForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=[(t, t) for t in EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None chosen: every event."),
    )


class CsvForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


@owner_required
def integrations(request):
    shop = request.shop
    token_form, new_token = TokenForm(), None
    if request.method == "POST":
        token_form = TokenForm(request.POST)
        if token_form.is_valid():
            _token, new_token = create_api_token(
                shop, name=token_form.cleaned_data["name"], created_by=request.user
            )
            token_form = TokenForm()
    return render(
        request,
        "backoffice/integrations/index.html",
        {
            "tokens": ApiToken.objects.for_shop(shop),
            "token_form": token_form,
            "new_token": new_token,
            "endpoints": WebhookEndpoint.objects.for_shop(shop),
            "endpoint_form": EndpointForm(),
            "csv_form": CsvForm(),
        },
    )


@owner_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_for_shop_or_404(ApiToken.objects.all(), request.shop, pk=token_id)
    revoke_api_token(request.shop, token.pk)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("backoffice:integrations")


@owner_required
@require_POST
def add_endpoint(request):
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            add_webhook_endpoint(
                request.shop,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("Webhook endpoint added."))
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
    return redirect("backoffice:integrations")


@owner_required
def endpoint_detail(request, endpoint_id: int):
    endpoint = get_for_shop_or_404(WebhookEndpoint.objects.all(), request.shop, pk=endpoint_id)
    deliveries = endpoint.deliveries.select_related("event").order_by("-created_at", "-id")[:100]
    return render(
        request,
        "backoffice/integrations/endpoint.html",
        {"endpoint": endpoint, "deliveries": deliveries},
    )


@owner_required
@require_POST
def remove_endpoint(request, endpoint_id: int):
    endpoint = get_for_shop_or_404(WebhookEndpoint.objects.all(), request.shop, pk=endpoint_id)
    remove_webhook_endpoint(request.shop, endpoint.pk)
    messages.success(request, _("Webhook endpoint removed."))
    return redirect("backoffice:integrations")


@owner_required
def csv_import(request):
    form, report, summary = CsvForm(), None, None
    if request.method == "POST":
        form = CsvForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = import_orders_csv(request.shop, upload.open("rb"), source="import")
            except ImportFailed as exc:
                report = exc.problems
    return render(
        request,
        "backoffice/integrations/csv_import.html",
        {"form": form, "report": report, "summary": summary, "columns": COLUMNS},
    )


@owner_required
def inbound_webhooks(request):
    """The last webhooks the shop platform sent, and what became of each."""
    received = InboundWebhook.objects.for_shop(request.shop)[:200]
    return render(request, "backoffice/integrations/inbound.html", {"received": received})
