"""Points expire after the programme's ``expiry_months`` without activity, told 30 days before.

Activity is any entry in the member's ledger (an earn, a vest, a redemption, an adjustment):
``CustomerPoints.last_activity_at``. The job walks the members whose last activity is old
enough, in chunks of ``CHUNK`` (each its own transaction, stopping between chunks when the
worker stops):

* 30 days before the date, a ``loyalty.points_expiring`` event (the built-in "points about to
  expire" flow e-mails it) and an ``ExpiryNotice`` row, once per stretch without activity;
* on the date, but never sooner than 30 days after the notice, an ``expire`` entry for the
  available points and a ``loyalty.points_expired`` event. Pending points do not expire.

A member who earns or redeems anything in between starts a new stretch: nothing expires.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.core.worker import check_stop
from aftersale.loyalty import services
from aftersale.loyalty.models import CustomerPoints, LoyaltyProgramme
from aftersale.loyalty.reward_models import ExpiryNotice
from aftersale.timeline import types
from aftersale.timeline.services import record_event

NOTICE_DAYS = 30
CHUNK = 500
EXPIRY_SOURCE = "expiry"


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def expires_at(last_activity_at: datetime, months: int) -> datetime:
    return add_months(last_activity_at, months)


def run_expiry(now: datetime | None = None) -> int:
    """Tell and expire in every running programme; returns how many members were handled."""
    now = now or timezone.now()
    handled = 0
    for programme in LoyaltyProgramme.objects.filter(enabled=True, expiry_months__gt=0):
        handled += expire_shop(programme, now)
    return handled


def expire_shop(programme: LoyaltyProgramme, now: datetime) -> int:
    months = programme.expiry_months
    # Members whose points expire within NOTICE_DAYS: last active before this moment.
    told_before = add_months(now + timedelta(days=NOTICE_DAYS), -months)
    handled = 0
    after_id = 0
    while True:
        ids = list(
            CustomerPoints.objects.for_shop(programme.shop_id)
            .filter(available__gt=0, last_activity_at__lt=told_before, pk__gt=after_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            return handled
        with transaction.atomic():
            for member_id in ids:
                handled += _handle_member(programme, member_id, now, months)
        after_id = ids[-1]
        check_stop()


def _handle_member(programme, member_id: int, now: datetime, months: int) -> int:
    member = (
        CustomerPoints.objects.select_for_update(of=("self",))
        .select_related("customer", "shop")
        .get(pk=member_id)
    )
    if member.available <= 0 or member.last_activity_at is None:
        return 0
    due = expires_at(member.last_activity_at, months)
    if due > now + timedelta(days=NOTICE_DAYS):
        return 0  # active again since the list was read
    notice = ExpiryNotice.objects.filter(
        customer_id=member.customer_id, last_activity_at=member.last_activity_at
    ).first()
    if notice is None:
        expires_on = max(due, now + timedelta(days=NOTICE_DAYS)).date()
        ExpiryNotice.objects.create(
            shop_id=member.shop_id,
            customer_id=member.customer_id,
            last_activity_at=member.last_activity_at,
            points=member.available,
            expires_on=expires_on,
            created_at=now,
        )
        record_event(
            member.shop,
            types.LOYALTY_POINTS_EXPIRING,
            subject=member,
            customer=member.customer,
            payload={"points": member.available, "expires_on": expires_on.isoformat()},
            occurred_at=now,
        )
        return 1
    if now.date() < notice.expires_on:
        return 0
    _expire(member, now, notice.expires_on)
    return 1


def _expire(member: CustomerPoints, now: datetime, expires_on: date) -> None:
    services.expire(
        member.shop,
        member.customer,
        natural_key=f"expire:{member.customer_id}:{member.last_activity_at.isoformat()}",
        reason=_("No activity since %(date)s") % {"date": member.last_activity_at.date()},
        expired_on=expires_on,
        source_type=EXPIRY_SOURCE,
        at=now,
    )
