"""Counting help-centre visitors per shop and day without keeping anything about them.

A visitor is a keyed SHA-256 of the client address and browser; the key is random for each day
and is deleted, with the day's hashes, as soon as a later day starts. What stays is the count.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from aftersale.core import limits
from aftersale.service.help.models import HelpVisitDay, HelpVisitor, HelpVisitSalt


def _today(shop, now: datetime) -> date:
    return now.astimezone(ZoneInfo(shop.time_zone or "Europe/Helsinki")).date()


def _salt(day: date) -> str:
    row = HelpVisitSalt.objects.filter(day=day).first()
    if row is None:
        try:
            with transaction.atomic():
                row = HelpVisitSalt.objects.create(day=day, salt=secrets.token_hex(32))
        except IntegrityError:
            row = HelpVisitSalt.objects.get(day=day)
    return row.salt


def forget_old_days(today: date) -> None:
    """Delete the keys and hashes of every day before ``today``, keeping only the counts.

    The keys are shared by every shop, and a shop west of another may still be in the day
    before; the day before yesterday is over in every time zone."""
    cutoff = today - timedelta(days=1)
    HelpVisitSalt.objects.filter(day__lt=cutoff).delete()
    HelpVisitor.objects.filter(day__lt=cutoff).delete()


def record_visit(shop, request, *, now: datetime | None = None) -> bool:
    """Count this browser once per day in the shop's help centre; True when it was new today."""
    now = now or timezone.now()
    today = _today(shop, now)
    forget_old_days(today)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    visitor = f"{shop.pk}|{limits.client_address(request)}|{agent}"
    digest = hmac.new(_salt(today).encode(), visitor.encode(), hashlib.sha256).hexdigest()
    if HelpVisitor.objects.filter(shop=shop, day=today, digest=digest).exists():
        return False
    for _attempt in range(3):  # two first visitors of a day may race for the day's row
        try:
            with transaction.atomic():
                HelpVisitor.objects.create(shop=shop, day=today, digest=digest)
                updated = HelpVisitDay.objects.filter(shop=shop, day=today).update(
                    visitors=F("visitors") + 1
                )
                if not updated:
                    HelpVisitDay.objects.create(shop=shop, day=today, visitors=1)
            return True
        except IntegrityError:
            if HelpVisitor.objects.filter(shop=shop, day=today, digest=digest).exists():
                return False
    return False


def help_centre_visitors(shop, start: date, end: date) -> int:
    """Different visitors of the shop's help centre, summed over the days start..end inclusive."""
    total = (
        HelpVisitDay.objects.for_shop(shop)
        .filter(day__gte=start, day__lte=end)
        .aggregate(total=Sum("visitors"))["total"]
    )
    return total or 0
