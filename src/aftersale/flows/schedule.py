"""When a step falls due, and the quiet hours of a shop."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from aftersale.flows.models import MessagingSettings, Step


def anchor_time(step: Step, subject) -> datetime | None:
    """The moment an anchored wait counts back from (the parcel's held-until, or when the
    customer is expected to reorder a consumable), if known."""
    if step.wait_anchor == Step.WaitAnchor.HELD_UNTIL:
        return getattr(subject, "held_until", None)
    if step.wait_anchor == Step.WaitAnchor.REORDER_DUE and subject is not None:
        from aftersale.flows.replenishment import expected_reorder_at

        return expected_reorder_at(subject)
    return None


def due_at_for(step: Step, subject, now: datetime) -> datetime:
    """When ``step`` should run if it is scheduled ``now``.

    A wait counts from now, or back from its anchor ("3 days before held-until"); every other
    step is due at once.
    """
    if step.type != Step.Type.WAIT:
        return now
    wait = step.wait or timedelta(0)
    if step.wait_anchor:
        anchor = anchor_time(step, subject)
        if anchor is None:
            return now
        return anchor - wait
    return now + wait


def quiet_until(
    messaging: MessagingSettings, shop_time_zone: str, now: datetime
) -> datetime | None:
    """The end of the quiet hours if ``now`` is inside them (in the shop's time zone), else None."""
    start, end = messaging.quiet_hours_start, messaging.quiet_hours_end
    if start == end:
        return None
    tz = zoneinfo.ZoneInfo(shop_time_zone)
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    quiet = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not quiet:
        return None
    end_today = datetime.combine(local.date(), end, tzinfo=tz)
    if end_today <= local:
        end_today = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return end_today
