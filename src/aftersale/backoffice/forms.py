"""Search and filter forms of the back-office lists (GET forms: the URL is the state)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersale.orders.models import DeliveryMethod, Order


def valid_filters(form: forms.Form) -> dict:
    """The valid fields of a GET form: a bad value in one filter leaves the others working."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value}


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search customers"),
        required=False,
        max_length=200,
        help_text=_("Name, e-mail, phone, customer id or order number"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class OrderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search orders"),
        required=False,
        max_length=200,
        help_text=_("Order number, or the customer's e-mail, name or phone"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    delivery_method = forms.ChoiceField(
        label=_("Delivery method"),
        required=False,
        choices=[("", _("All delivery methods")), *DeliveryMethod.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Order.Status.choices],
    )
