"""Orders the withdrawal stories start from (the returns stories' delivered order) and helpers."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from aftersale.returns.models import WithdrawalSettings
from tests.returns.fixtures import DELIVERED_AT, delivered_order

__all__ = ["DELIVERED_AT", "delivered_order", "pdf_text", "set_withdrawal_settings", "helsinki"]


def helsinki(year, month, day, hour, minute=0) -> datetime:
    """A Helsinki wall-clock time, as UTC."""
    local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Helsinki"))
    return local.astimezone(UTC)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def set_withdrawal_settings(shop, **values) -> WithdrawalSettings:
    settings, _ = WithdrawalSettings.objects.update_or_create(shop=shop, defaults=values)
    return settings
