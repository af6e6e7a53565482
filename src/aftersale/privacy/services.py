"""Export and erasure of one customer's data, and the shop's privacy settings.

Both walk the declarations of every app (``aftersale.privacy.registry``).
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from aftersale.core.models import Membership
from aftersale.flows.models import Suppression
from aftersale.flows.services import stop_messaging_customer
from aftersale.orders.models import Customer, Order
from aftersale.privacy.accounting import kept_until, local_day
from aftersale.privacy.audit import record_access
from aftersale.privacy.export import build_archive
from aftersale.privacy.models import AuditAction, Erasure, PrivacySettings
from aftersale.privacy.registry import ANONYMISE, DELETE, Declaration, declarations
from aftersale.privacy.suppression import EMAIL, SMS, remember_erased
from aftersale.returns.withdrawals import stop_acknowledgements

logger = logging.getLogger("aftersale.privacy")

# Rows changed per transaction: an erasure of a customer with a long history never holds a
# long lock, and a crash leaves it resumable (run it again).
CHUNK = 500


def privacy_settings(shop) -> PrivacySettings:
    return PrivacySettings.objects.filter(shop=shop).first() or PrivacySettings(shop=shop)


def update_privacy_settings(shop, **values) -> PrivacySettings:
    settings, _ = PrivacySettings.objects.update_or_create(shop=shop, defaults=values)
    return settings


def accounting_kept_until(shop, customer: Customer) -> date | None:
    """The last day the accounting records of ``customer``'s newest order are kept (None when
    the customer has no orders): see aftersale.privacy.accounting."""
    newest = (
        Order.objects.for_shop(shop)
        .filter(customer=customer)
        .order_by("-placed_at")
        .values_list("placed_at", flat=True)
        .first()
    )
    if newest is None:
        return None
    return kept_until(privacy_settings(shop), local_day(shop, newest))


def may_export(membership: Membership) -> bool:
    if membership.role == Membership.Role.OWNER:
        return True
    return privacy_settings(membership.shop).staff_may_export


def may_erase(membership: Membership) -> bool:
    return membership.role == Membership.Role.OWNER


def export_customers(
    shop, customers: list[Customer], *, actor=None, actor_name: str = "", client_address: str = ""
) -> bytes:
    """The export archive of ``customers`` (all of ``shop``), with an audit entry for each."""
    if any(customer.shop_id != shop.pk for customer in customers):
        raise ValueError("a customer of another shop")
    archive = build_archive(shop, customers)
    for customer in customers:
        record_access(
            shop,
            AuditAction.CUSTOMER_EXPORTED,
            actor=actor,
            actor_name=actor_name,
            subject=customer,
            client_address=client_address,
        )
    return archive


def latest_erasure(shop, customer: Customer) -> Erasure | None:
    return (
        Erasure.objects.for_shop(shop).filter(customer=customer, state=Erasure.State.DONE).first()
    )


# --- Erasure -----------------------------------------------------------------------------


def erase_customer(
    shop,
    customer: Customer,
    *,
    actor=None,
    actor_name: str = "",
    client_address: str = "",
    source: str = "backoffice",
) -> Erasure:
    """Remove or anonymise everything about ``customer`` in every app, keeping the accounting
    records (orders, payments, refunds) without personal data.

    Idempotent: erasing an erased customer changes nothing; an interrupted erasure is finished
    by running it again. Works in chunks of ``CHUNK`` rows, each in its own transaction.
    """
    if customer.shop_id != shop.pk:
        raise ValueError("a customer of another shop")
    done = Erasure.objects.for_shop(shop).filter(customer=customer, state=Erasure.State.DONE)
    if done.exists():
        return done.first()
    now = timezone.now()
    with transaction.atomic():
        erasure = Erasure.objects.for_shop(shop).filter(customer=customer).first()
        if erasure is None:
            erasure = Erasure.objects.create(
                shop=shop,
                customer=customer,
                customer_number=customer.pk,
                requested_by=actor if actor is not None and actor.is_authenticated else None,
                source=source,
                started_at=now,
            )
        cancelled = _stop_messages(shop, customer)
        if cancelled:
            erasure.counts = {**erasure.counts, **cancelled}
            erasure.save(update_fields=["counts"])
    logger.info("erasing customer %s of shop %s", customer.pk, shop.pk)
    # What was cancelled is kept from a first, interrupted run (the second finds nothing).
    counts: dict[str, int] = {
        key: value for key, value in erasure.counts.items() if key.startswith("cancelled ")
    }
    for declaration in declarations():
        changed = _apply(declaration, customer)
        if changed:
            counts[declaration.key] = counts.get(declaration.key, 0) + changed
    with transaction.atomic():
        erasure.state = Erasure.State.DONE
        erasure.counts = counts
        erasure.finished_at = timezone.now()
        erasure.save(update_fields=["state", "counts", "finished_at"])
        record_access(
            shop,
            AuditAction.CUSTOMER_ERASED,
            actor=actor,
            actor_name=actor_name,
            subject=customer,
            detail=", ".join(f"{key}: {count}" for key, count in sorted(counts.items())),
            client_address=client_address,
        )
        transaction.on_commit(lambda: _recompute_insights(shop.pk))
    logger.info("erased customer %s of shop %s: %s", customer.pk, shop.pk, counts)
    return erasure


def _stop_messages(shop, customer: Customer) -> dict[str, int]:
    """Never message these addresses again: remember them as hashes, cancel everything queued
    for the customer (running flows, waiting steps, messages waiting for a retry, unsent
    withdrawal acknowledgements) and blank the addresses at once, so that no job that retries
    a message can reach them while the rest is erased. Returns what was cancelled."""
    remember_erased(shop, EMAIL, customer.email)
    remember_erased(shop, SMS, customer.phone)
    cancelled = stop_messaging_customer(shop, customer, reason="customer erased")
    cancelled["withdrawal acknowledgements"] = stop_acknowledgements(shop, customer)
    # Plain-text suppressions of these addresses are replaced by the hashes above.
    for channel, address in ((EMAIL, customer.email), (SMS, customer.phone)):
        if address:
            Suppression.objects.for_shop(shop).filter(
                channel=channel, address__iexact=address.strip()
            ).delete()
    Customer.objects.for_shop(shop).filter(pk=customer.pk).update(email="", phone="")
    return {f"cancelled {what}": count for what, count in cancelled.items() if count}


def _apply(declaration: Declaration, customer: Customer) -> int:
    """Delete or anonymise this declaration's rows about ``customer``, a chunk at a time."""
    if declaration.erase.action not in (DELETE, ANONYMISE):
        return 0
    model = declaration.model
    changed, last_pk = 0, 0
    while True:
        pks = list(
            declaration.rows_of(customer)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not pks:
            return changed
        last_pk = pks[-1]
        with transaction.atomic():
            rows = model._default_manager.filter(pk__in=pks)
            if declaration.erase.action == DELETE:
                for row in rows if declaration.files else ():
                    for name in declaration.files:
                        getattr(row, name).delete(save=False)
                rows.delete()
            else:
                _anonymise(rows, declaration.erase.values)
        changed += len(pks)


def _anonymise(rows, values: dict) -> None:
    constants = {name: value for name, value in values.items() if not callable(value)}
    computed = {name: value for name, value in values.items() if callable(value)}
    if constants:
        rows.update(**constants)
    for row in rows if computed else ():
        for name, value in computed.items():
            setattr(row, name, value(row))
        row.save(update_fields=list(computed))


def _recompute_insights(shop_id: int) -> None:
    from aftersale.insights.tasks import compute_shop_insights

    compute_shop_insights.enqueue(shop_id)
