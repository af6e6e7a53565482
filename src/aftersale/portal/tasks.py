"""Background work of the portal: the magic-link e-mail, sent from the task queue so that the
portal answers every address the same way and in the same time."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from aftersale.core.models import Shop
from aftersale.orders.models import Order
from aftersale.portal import access
from aftersale.portal.export_links import ERASURE, EXPORT, LINK_MINUTES, data_link_path


@task()
def send_magic_link(shop_id: int, email: str, language: str) -> bool:
    """E-mail a sign-in link if the shop has orders for ``email``; say nothing otherwise."""
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        return False
    customers = access.customers_with_email(shop, email)
    if not customers or not Order.objects.for_shop(shop).filter(customer__in=customers).exists():
        return False
    token = access.magic_token(shop, email)
    path = reverse("portal:open_link", kwargs={"shop_slug": shop.slug, "token": token})
    with translation.override(language if language in shop.languages else shop.default_language):
        context = {
            "shop": shop,
            "link": f"{settings.SITE_URL}{path}",
            "minutes": access.MAGIC_LINK_MINUTES,
        }
        subject = render_to_string("portal/email/magic_link_subject.txt", context).strip()
        body = render_to_string("portal/email/magic_link.txt", context)
    send_mail(subject, body, None, [customers[0].email])
    return True


@task()
def send_export_link(shop_id: int, email: str, language: str) -> bool:
    """E-mail the link that confirms a request for a copy of the customer's data, if the shop
    holds data for ``email``; say nothing otherwise."""
    return _send_data_link(shop_id, email, language, EXPORT, "export_link")


@task()
def send_erasure_link(shop_id: int, email: str, language: str) -> bool:
    """E-mail the link that confirms a request to erase the customer's data, if the shop holds
    data for ``email``; say nothing otherwise."""
    return _send_data_link(shop_id, email, language, ERASURE, "erasure_link")


def _send_data_link(shop_id: int, email: str, language: str, purpose: str, template: str) -> bool:
    shop = Shop.objects.filter(pk=shop_id).first()
    customers = access.customers_with_email(shop, email) if shop is not None else []
    if not customers:
        return False
    path = data_link_path(shop, email, purpose)
    with translation.override(language if language in shop.languages else shop.default_language):
        context = {
            "shop": shop,
            "link": f"{settings.SITE_URL}{path}",
            "minutes": LINK_MINUTES[purpose],
        }
        subject = render_to_string(f"portal/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"portal/email/{template}.txt", context)
    send_mail(subject, body, None, [customers[0].email])
    return True
