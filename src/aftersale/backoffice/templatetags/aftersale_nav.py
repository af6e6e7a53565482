"""The back-office's main navigation, built in Python: it is on every staff page, and as a
template it cost a URL reversal and a translation lookup per link and request.

``{% load aftersale_nav %}`` then ``{% backoffice_nav %}`` inside the navigation's list.
"""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (URL name, label, owners only). The dashboard is current on its own address only; every
# other link also on the pages under it.
LINKS = [
    ("backoffice:dashboard", _("Dashboard"), False),
    ("backoffice:customer_list", _("Customers"), False),
    ("backoffice:order_list", _("Orders"), False),
    ("backoffice:product_list", _("Products"), False),
    ("backoffice:deliveries", _("Deliveries"), False),
    ("backoffice:insights", _("Customer value"), False),
    ("backoffice:tickets", _("Tickets"), False),
    ("backoffice:returns", _("Returns"), False),
    ("backoffice:reviews", _("Reviews"), False),
    ("backoffice:loyalty_settings", _("Loyalty"), False),
    ("backoffice:rewards", _("Rewards & referrals"), False),
    ("backoffice:flow_list", _("Flows"), False),
    ("backoffice:surveys", _("Surveys"), False),
    ("backoffice:withdrawals", _("Withdrawals & deadlines"), False),
    ("backoffice:help", _("Help centre"), False),
    ("backoffice:integrations", _("Integrations"), False),
    ("backoffice:privacy_settings", _("Privacy"), True),
]
CURRENT = mark_safe(' aria-current="page"')
_reversed: dict[str, list[str]] = {}  # the links' addresses by script prefix: fixed per process


def _urls() -> list[str]:
    prefix = get_script_prefix()
    if prefix not in _reversed:
        _reversed[prefix] = [reverse(name) for name, _label, _owners in LINKS]
    return _reversed[prefix]


@register.simple_tag(takes_context=True)
def backoffice_nav(context):
    request = context["request"]
    membership = getattr(request, "membership", None)
    is_owner = membership is not None and membership.role == "owner"
    rows = []
    for (name, label, owners_only), url in zip(LINKS, _urls(), strict=True):
        if owners_only and not is_owner:
            continue
        current = request.path == url if name == "backoffice:dashboard" else url in request.path
        rows.append((url, CURRENT if current else "", label))
    return format_html_join("\n", '<li><a href="{}"{}>{}</a></li>', rows)
