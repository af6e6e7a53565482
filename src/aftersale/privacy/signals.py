"""Audit entries for what happens through any page or the admin: sign-ins, refunds recorded
and settings changed. The person acting and their address come from the request
(``aftersale.privacy.audit.acting``); changes made without one (imports, the worker) are not
settings changes by staff and are not recorded here."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from aftersale.core.models import ApiToken, Membership, Shop
from aftersale.delivery.models import DeliveryCosts
from aftersale.flows.models import Flow, MessagingSettings, Template
from aftersale.orders.models import Refund
from aftersale.privacy.audit import current_acting, record_access
from aftersale.privacy.models import AuditAction, PrivacySettings
from aftersale.returns.models import ReturnPolicy, WithdrawalSettings
from aftersale.webhooks.models import WebhookEndpoint

SETTINGS_MODELS = (
    Shop,
    Membership,
    ApiToken,
    DeliveryCosts,
    Flow,
    MessagingSettings,
    Template,
    PrivacySettings,
    ReturnPolicy,
    WithdrawalSettings,
    WebhookEndpoint,
)


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    """One entry in each shop the user belongs to, so that each shop's owners see it."""
    address = current_acting().client_address
    for membership in Membership.objects.filter(user=user).select_related("shop"):
        record_access(membership.shop, AuditAction.SIGNED_IN, actor=user, client_address=address)


@receiver(post_save, sender=Refund)
def refund_recorded(sender, instance: Refund, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        amount = f"{instance.amount_cents / 100:.2f} {instance.currency}"
        record_access(
            instance.shop,
            AuditAction.REFUND,
            subject=instance,
            detail=f"{amount} (order {instance.order_id})",
        )


def settings_changed(sender, instance, raw: bool = False, **kwargs):
    now_acting = current_acting()
    if raw or (now_acting.user is None and not now_acting.name):
        return
    shop = instance if isinstance(instance, Shop) else instance.shop
    record_access(
        shop,
        AuditAction.SETTINGS_CHANGED,
        subject=instance,
        detail=str(sender._meta.verbose_name),
    )


for model in SETTINGS_MODELS:
    post_save.connect(settings_changed, sender=model, dispatch_uid=f"audit-{model._meta.label}")
