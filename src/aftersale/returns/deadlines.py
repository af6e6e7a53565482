"""The legal clocks: how long a consumer may withdraw, and by when the shop must refund.

- The withdrawal period (CRD Art. 9) runs 14 days from the day the consumer received the last
  item of the order; the 14th day after receipt is the last day, to its end in the shop's time
  zone. When the shop did not inform the consumer of the right, it ends 12 months later
  (CRD Art. 10).
- The refund is due within 14 days of the notice of withdrawal (CRD Art. 13); the shop may
  hold it until the goods are back or the consumer has shown proof of sending them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from aftersale.delivery.models import Shipment
from aftersale.orders.models import Order
from aftersale.returns.models import WithdrawalSettings
from aftersale.returns.policy import STATUTORY_WITHDRAWAL_DAYS, Receipt, receipt_of

REFUND_DAYS = 14
WARN_DAYS = 3
EXTENSION_MONTHS = 12


def settings_for(shop) -> WithdrawalSettings:
    """The shop's withdrawal settings; a shop that never saved them gets the defaults."""
    return WithdrawalSettings.objects.filter(shop=shop).first() or WithdrawalSettings(shop=shop)


def last_receipt(order: Order) -> Receipt:
    """When the consumer received the last item: the latest receipt of the order's shipments;
    while any shipment is not received yet, the policy engine's estimate."""
    shipments = list(Shipment.objects.for_shop(order.shop_id).filter(order=order))
    received = [s.received_at for s in shipments if s.received_at is not None]
    if received and len(received) == len(shipments):
        return Receipt(at=max(received), estimated=False)
    estimate = receipt_of(order)
    if received and max(received) > estimate.at:
        return Receipt(at=max(received), estimated=True)
    return estimate


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 29th-31st become the month's last day if needed."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _end_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=zone).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class WithdrawalPeriod:
    receipt: Receipt
    normal_end: datetime
    ends_at: datetime
    extended: bool

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) <= self.ends_at


def withdrawal_period(order: Order) -> WithdrawalPeriod:
    """The order's withdrawal period, extended by 12 months if the shop did not inform the
    consumer of the right."""
    zone = ZoneInfo(order.shop.time_zone)
    receipt = last_receipt(order)
    last_day = receipt.at.astimezone(zone).date() + timedelta(days=STATUTORY_WITHDRAWAL_DAYS)
    normal_end = _end_of_day(last_day, zone)
    extended = not settings_for(order.shop).informed_of_withdrawal_right
    ends_at = _end_of_day(add_months(last_day, EXTENSION_MONTHS), zone) if extended else normal_end
    return WithdrawalPeriod(
        receipt=receipt, normal_end=normal_end, ends_at=ends_at, extended=extended
    )


def refund_due(notified_at: datetime) -> datetime:
    """The refund deadline: 14 days after the notice of withdrawal reached the shop."""
    return notified_at + timedelta(days=REFUND_DAYS)


@dataclass(frozen=True)
class Countdown:
    """How a deadline stands today, in whole days in the shop's time zone."""

    due_at: datetime
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def warning(self) -> bool:
        return 0 <= self.days_left <= WARN_DAYS

    @property
    def level(self) -> str:
        """The badge class: bad when overdue, warn within three days, ok otherwise."""
        return "bad" if self.overdue else "warn" if self.warning else "ok"


def countdown(due_at: datetime, shop, now: datetime | None = None) -> Countdown:
    zone = ZoneInfo(shop.time_zone)
    today = (now or timezone.now()).astimezone(zone).date()
    days_left = (due_at.astimezone(zone).date() - today).days
    if days_left == 0 and (now or timezone.now()) > due_at:
        days_left = -1
    return Countdown(due_at=due_at, days_left=days_left)


def paid_on_time(due_at: datetime, refunded_at: datetime) -> bool:
    return refunded_at <= due_at
