"""History is history: whatever acts on customers ignores events older than its lag.

The timeline also holds what happened long ago: the demo's two years on first start, last
year's orders imported through the API or a CSV file, a shop connected with its history. Those
events are kept and shown, but nothing that acts on a customer (a message, a case, an outbound
webhook, later loyalty points) acts on them. Each consumer has one documented lag, counted from
the event's ``occurred_at`` (when it happened, not when it was recorded):

==================================  ===========================  =============================
consumer                            lag                          why that long
==================================  ===========================  =============================
flows (messages, tasks, coupons)    each flow's ``max_trigger_   set per flow on its page;
                                    lag``, 2 days by default      read in flows/triggers.py
unclaimed-parcel cases              ``UNCLAIMED_CASES`` 7 days   a worker down for a few days
                                                                 still opens the week's cases
outbound webhooks                   ``WEBHOOKS`` 3 days          a weekend without a worker is
                                                                 caught up; an import is not
withdrawal acknowledgements         ``WITHDRAWAL_ACKNOWLEDGE-    the refund is due 14 days
(re-sent by the worker)             MENTS`` 14 days              after the notice
loyalty points for orders           ``LOYALTY`` 3 days, and      as webhooks; a programme
                                    never before the             never pays for orders
                                    programme's ``starts_at``    placed before it started
review requests (planned from a     ``REVIEW_REQUESTS`` 3 days   as webhooks: a weekend without
parcel's delivery or pickup)                                     a worker still asks; an
                                                                 imported order asks nobody
==================================  ===========================  =============================

docs/operators/history.md says the same for operators and merchants.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

UNCLAIMED_CASES = timedelta(days=7)
WEBHOOKS = timedelta(days=3)
WITHDRAWAL_ACKNOWLEDGEMENTS = timedelta(days=14)
LOYALTY = timedelta(days=3)
REVIEW_REQUESTS = timedelta(days=3)


def cutoff(lag: timedelta, now: datetime | None = None) -> datetime:
    """The oldest moment a consumer with this ``lag`` still acts on."""
    return (now or timezone.now()) - lag


def is_recent(occurred_at: datetime, lag: timedelta, now: datetime | None = None) -> bool:
    """Whether something that happened at ``occurred_at`` is young enough to act on."""
    return occurred_at >= cutoff(lag, now)
