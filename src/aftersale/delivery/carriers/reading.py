"""Reading carriers' event objects: field look-up, dates in the carrier's time zone, the result."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from aftersale.delivery.models import ShipmentStatus

Events = Callable[[Any], Iterable[tuple[dict, dict]]]


@dataclass(frozen=True)
class MappedEvent:
    """One carrier event in neutral words; ``carrier_code`` is kept as the carrier sent it."""

    status: str
    carrier_code: str
    description: str = ""
    occurred_at: datetime | None = None
    location: str = ""
    held_until: datetime | None = None
    pickup_point_code: str | None = None
    tracking_number: str | None = None

    @property
    def is_unknown(self) -> bool:
        return self.status == ShipmentStatus.UNKNOWN


@dataclass(frozen=True)
class Fields:
    """Where a carrier puts each fact in an event object: candidate keys, dotted for nesting."""

    code: tuple[str, ...]
    occurred_at: tuple[str, ...]
    kept_code: tuple[str, ...] = ()  # the code to keep, when not the one mapped
    description: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    held_until: tuple[str, ...] = ()
    pickup_point_code: tuple[str, ...] = ()
    pickup_point_kind: tuple[str, ...] = ()
    tracking_number: tuple[str, ...] = ()


@dataclass(frozen=True)
class Carrier:
    """A carrier's code table and JSON shape."""

    name: str
    aliases: tuple[str, ...]
    codes: dict[str, tuple[str, str]]  # code -> (neutral status, English description)
    fields: Fields
    events: Events
    time_zone: str = "Europe/Helsinki"
    # Codes whose events happen at a pickup point: their pickup_point_code is read.
    pickup_point_kinds: frozenset[str] = field(default_factory=frozenset)

    def lookup(self, code: Any) -> tuple[str, str] | None:
        return _normalised_codes(self).get(normalise_code(code))

    def map_code(self, code: Any) -> MappedEvent:
        sent = "" if code is None else str(code).strip()
        known = self.lookup(sent)
        if known is None:
            return MappedEvent(status=str(ShipmentStatus.UNKNOWN), carrier_code=sent)
        status, description = known
        return MappedEvent(status=str(status), carrier_code=sent, description=description)


_CODE_CACHE: dict[str, dict[str, tuple[str, str]]] = {}


def _normalised_codes(carrier: Carrier) -> dict[str, tuple[str, str]]:
    table = _CODE_CACHE.get(carrier.name)
    if table is None:
        table = {normalise_code(code): meaning for code, meaning in carrier.codes.items()}
        _CODE_CACHE[carrier.name] = table
    return table


def normalise_code(code: Any) -> str:
    """ "DeliveredToConsumer", "DELIVERED_TO_CONSUMER" and "delivered-to-consumer" are one code."""
    return re.sub(r"[^0-9A-Z]", "", str(code if code is not None else "").upper())


def normalise_carrier(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def pick(obj: Any, paths: Iterable[str]) -> Any:
    """The first non-empty value found at one of the dotted ``paths``."""
    for path in paths:
        value = obj
        for part in path.split("."):
            if isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                value = None
                break
        if value not in (None, "", [], {}):
            return value
    return None


def text_of(value: Any, language: str = "en") -> str:
    """A plain string from a string, a {lang: text} dict or a [{lang, value}] list."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        chosen = value.get(language) or value.get("value") or next(iter(value.values()), "")
        return text_of(chosen, language)
    if isinstance(value, list):
        texts = [item for item in value if isinstance(item, dict)]
        for item in texts:
            if str(item.get("lang", item.get("language", ""))).lower().startswith(language):
                return text_of(item.get("value", item.get("text")), language)
        if texts:
            first = texts[0]
            return text_of(first.get("value", first.get("text")), language)
        return ", ".join(text_of(item, language) for item in value if item)
    return str(value)


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")


def parse_time(value: Any, time_zone: str, *, end_of_day: bool = False) -> datetime | None:
    """An aware datetime in UTC from ISO 8601, common local formats or epoch (s or ms).

    A time without an offset is the carrier's local time. A bare date means the end of that day
    when ``end_of_day`` (a "held until 12.11." deadline) and its start otherwise. Unreadable
    values give None rather than an error: the event is still kept.
    """
    if value in (None, ""):
        return None
    zone = ZoneInfo(time_zone)
    try:
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 10**11 else value
            return datetime.fromtimestamp(seconds, tz=UTC)
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4}", text):
            day = (
                date.fromisoformat(text)
                if "-" in text
                else datetime.strptime(text, "%d.%m.%Y").replace(tzinfo=zone).date()
            )
            moment = time(23, 59, 59) if end_of_day else time(0, 0)
            return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt).replace(tzinfo=zone)
                    break
                except ValueError:
                    continue
            if parsed is None:
                return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None


def read_event(carrier: Carrier, event: dict, context: dict) -> MappedEvent:
    """One event object of ``carrier`` in neutral words. ``context`` is the enclosing parcel."""
    fields = carrier.fields
    raw_code = pick(event, fields.code)
    mapped = carrier.map_code(raw_code)
    kept = pick(event, fields.kept_code) if fields.kept_code else None
    description = text_of(pick(event, fields.description)) or mapped.description
    status = mapped.status
    point_code = pick(event, fields.pickup_point_code)
    point_kind = str(pick(event, fields.pickup_point_kind) or "").upper()
    at_point = status == ShipmentStatus.READY_FOR_PICKUP or (
        point_kind and point_kind in carrier.pickup_point_kinds
    )
    if status == ShipmentStatus.DELIVERED and at_point:
        status = str(ShipmentStatus.PICKED_UP)
    held = pick(event, fields.held_until) or pick(context, fields.held_until)
    return MappedEvent(
        status=status,
        carrier_code=(str(kept).strip() if kept not in (None, "") else mapped.carrier_code)[:60],
        description=description[:300],
        occurred_at=parse_time(pick(event, fields.occurred_at), carrier.time_zone),
        location=text_of(pick(event, fields.location))[:200],
        held_until=parse_time(held, carrier.time_zone, end_of_day=True) if held else None,
        pickup_point_code=str(point_code) if point_code not in (None, "") and at_point else None,
        tracking_number=_text_or_none(
            pick(event, fields.tracking_number) or pick(context, fields.tracking_number)
        ),
    )


def unknown_event(payload_or_code: Any) -> MappedEvent:
    """An event of a carrier we have no table for: kept, with whatever code it carries."""
    if isinstance(payload_or_code, dict):
        code = pick(payload_or_code, ("eventCode", "code", "status", "statusCode", "event"))
        when = pick(payload_or_code, ("eventTime", "timestamp", "time", "date", "occurred_at"))
        return MappedEvent(
            status=str(ShipmentStatus.UNKNOWN),
            carrier_code=str(code or "")[:60],
            description=text_of(pick(payload_or_code, ("description", "eventDescription")))[:300],
            occurred_at=parse_time(when, "Europe/Helsinki"),
        )
    return MappedEvent(
        status=str(ShipmentStatus.UNKNOWN),
        carrier_code="" if payload_or_code is None else str(payload_or_code).strip()[:60],
    )


def _text_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def nested_events(
    containers: tuple[str, ...], event_lists: tuple[str, ...]
) -> Callable[[Any], Iterable[tuple[dict, dict]]]:
    """A walker for envelopes like {"shipments": [{"items": [{"events": [...]}]}]}.

    It yields each event object with the facts of its enclosing objects (tracking number,
    pickup deadline) merged into a context; a bare event object or a list of them works too.
    """

    def walk(payload: Any, context: dict) -> Iterable[tuple[dict, dict]]:
        if isinstance(payload, list):
            for item in payload:
                yield from walk(item, context)
            return
        if not isinstance(payload, dict):
            return
        own = {
            key: value
            for key, value in payload.items()
            if key not in containers and key not in event_lists
        }
        inner = {**context, **own}
        for key in event_lists:
            if isinstance(payload.get(key), list):
                for event in payload[key]:
                    if isinstance(event, dict):
                        yield event, inner
                return
        for key in containers:
            if key in payload:
                yield from walk(payload[key], inner)
                return
        yield payload, context

    return lambda payload: walk(payload, {})
