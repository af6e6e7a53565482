"""Privacy in the back-office: a customer's data export and erasure, the audit log, and the
shop's retention rules with a preview of what the next nightly run removes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import page_of
from aftersale.core.limits import client_address
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.orders.models import Customer
from aftersale.privacy.audit import record_access
from aftersale.privacy.export import archive_name
from aftersale.privacy.models import AuditAction, AuditEntry, PrivacySettings
from aftersale.privacy.retention import preview_retention
from aftersale.privacy.services import (
    accounting_kept_until,
    erase_customer,
    export_customers,
    latest_erasure,
    may_erase,
    may_export,
    privacy_settings,
    update_privacy_settings,
)

owner_required = shop_required(owner_only=True)


def zip_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@shop_required
def export_customer(request, customer_id: int):
    customer = get_for_shop_or_404(Customer.objects, request.shop, pk=customer_id)
    if not may_export(request.membership):
        raise PermissionDenied
    data = export_customers(
        request.shop, [customer], actor=request.user, client_address=client_address(request)
    )
    return zip_response(data, archive_name(request.shop, customer))


class ErasureForm(forms.Form):
    confirm = forms.CharField(
        label=gettext_lazy("Type ERASE to confirm"),
        max_length=10,
        help_text=gettext_lazy("Erasure cannot be undone."),
    )

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != "ERASE":
            raise forms.ValidationError(_("Type ERASE in capitals to confirm the erasure."))
        return value


@owner_required
def erase_customer_page(request, customer_id: int):
    customer = get_for_shop_or_404(Customer.objects, request.shop, pk=customer_id)
    if not may_erase(request.membership):
        raise PermissionDenied
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erase_customer(
            request.shop, customer, actor=request.user, client_address=client_address(request)
        )
        messages.success(
            request,
            _(
                "The customer's personal data has been erased. Orders, payments and refunds "
                "are kept without it for the accounting period."
            ),
        )
        return redirect("backoffice:customer_detail", customer_id=customer.pk)
    same_address = (
        Customer.objects.for_shop(request.shop)
        .filter(email__iexact=customer.email)
        .exclude(pk=customer.pk)
        if customer.email
        else Customer.objects.none()
    )
    return render(
        request,
        "backoffice/privacy/erase.html",
        {
            "customer": customer,
            "form": form,
            "settings": privacy_settings(request.shop),
            "kept_until": accounting_kept_until(request.shop, customer),
            "same_address": same_address[:20],
        },
        status=400 if form.errors else 200,
    )


@owner_required
def audit_log(request):
    entries = AuditEntry.objects.for_shop(request.shop).select_related("actor")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        entries = entries.filter(action=action)
    return render(
        request,
        "backoffice/privacy/audit_log.html",
        {"page": page_of(request, entries, 50), "actions": AuditAction.choices, "action": action},
    )


@owner_required
def audit_log_csv(request):
    """The shop's whole audit log, oldest first, streamed (cells made safe for spreadsheets)."""
    # Imported here: the exports module imports the customer pages, which import this module.
    from aftersale.backoffice.views.exports import chunks, csv_response

    entries = AuditEntry.objects.for_shop(request.shop).order_by("at", "id")
    record_access(
        request.shop,
        AuditAction.AUDIT_EXPORTED,
        actor=request.user,
        client_address=client_address(request),
    )
    header = ["at", "who", "action", "subject_type", "subject_id", "detail", "from"]
    rows = (
        [
            entry.at.isoformat(),
            entry.actor_name,
            entry.action,
            entry.subject_type,
            entry.subject_id,
            entry.detail,
            entry.client_address,
        ]
        for chunk in chunks(entries)
        for entry in chunk
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    return csv_response(f"{request.shop.slug}-audit-{stamp}.csv", header, rows)


class PrivacySettingsForm(forms.ModelForm):
    class Meta:
        model = PrivacySettings
        fields = [
            "accounting_years",
            "financial_year_end_month",
            "financial_year_end_day",
            "message_body_months",
            "return_photo_days",
            "delivery_data_months",
            "ticket_years",
            "staff_may_export",
        ]


@owner_required
def settings_page(request):
    shop = request.shop
    current = privacy_settings(shop)
    form = PrivacySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PrivacySettingsForm.Meta.fields}
        update_privacy_settings(shop, **values)
        messages.success(request, _("Privacy settings saved."))
        return redirect("backoffice:privacy_settings")
    return render(
        request,
        "backoffice/privacy/settings.html",
        {"form": form, "preview": preview_retention(shop, current, timezone.now())},
        status=400 if form.errors else 200,
    )


def customer_page_privacy(request, customer: Customer) -> dict:
    """Record that this member viewed the customer, and what the page's privacy box shows."""
    record_access(
        request.shop,
        AuditAction.CUSTOMER_VIEWED,
        actor=request.user,
        subject=customer,
        client_address=client_address(request),
    )
    erasure = latest_erasure(request.shop, customer)
    return {
        "may_export": may_export(request.membership),
        "may_erase": may_erase(request.membership),
        "erasure": erasure,
        "kept_until": accounting_kept_until(request.shop, customer) if erasure else None,
    }
