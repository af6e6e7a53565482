"""What every ingested payload shares: safe field types, and the error raised for bad input.

The API, the inbound webhook adapters and the CSV import all hand their data to the upsert
services. Bad input raises ``InvalidPayload`` carrying (JSON pointer, message) pairs, which the
API renders as problem+json and the CSV import as row/column messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from aftersale.core.bulk import insert_objects

# Amounts up to a hundred billion euros in cents: far beyond any order, well inside BIGINT.
MAX_CENTS = 10**13
# A unit price is bounded tighter, so that quantity (at most 1,000,000) × unit price summed over
# an order's 500 lines stays inside a 64-bit integer: no computed total can overflow a database.
MAX_UNIT_CENTS = 10**10


def _integral(value: Any) -> Any:
    """A JSON number without a fraction (``990.0``) is the integer JSON Schema says it is;
    ``true``, ``"990"`` and ``990.5`` stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole(ge: int, le: int):
    """A strict integer from ``ge`` to ``le``: JSON numbers only (not true, "12" or 12.5), as
    the OpenAPI document says "integer" with its minimum and maximum."""
    return Annotated[StrictInt, Field(ge=ge, le=le), BeforeValidator(_integral)]


Cents = whole(-MAX_CENTS, MAX_CENTS)
PositiveCents = whole(0, MAX_CENTS)
UnitCents = whole(-MAX_UNIT_CENTS, MAX_UNIT_CENTS)
PositiveUnitCents = whole(0, MAX_UNIT_CENTS)


def clean_text(value: str) -> str:
    """Refuse text a database cannot store: NUL characters and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError(_("must not contain NUL characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("must be valid Unicode text (no lone surrogates)")) from None
    return value


# What the text rules mean, as patterns in the OpenAPI document (checked by clean_text and by
# trimming): no NUL character, and for a required field something besides white space (the
# characters both Python and JavaScript count as white space are excluded).
NO_NUL = r"^[^\u0000]*$"
NOT_BLANK = r"^[^\u0000]*[^\s\u0000\u001c-\u001f\u0085][^\u0000]*$"


def text(max_length: int, *, min_length: int = 0):
    """A string field that fits a ``max_length`` column and the database's encoding."""
    return Annotated[
        str,
        Field(
            min_length=min_length,
            max_length=max_length,
            json_schema_extra={"pattern": NOT_BLANK if min_length else NO_NUL},
        ),
        AfterValidator(clean_text),
    ]


def as_instant(value: datetime) -> datetime:
    """Within years a shop can mean (as written), then in UTC (PostgreSQL refuses offsets
    beyond ±16 h)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            _("must be between the years %(first)s and %(last)s")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )
    return value.astimezone(UTC)


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _iso_text(value: Any) -> Any:
    """Only ISO 8601 text (or a datetime, from Python callers): not a Unix time, as a number
    or as a numeric string, which pydantic would otherwise take for one."""
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_DATE.match(value.strip())):
        return value
    raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date and time")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.fullmatch(value.strip())):
        return value
    raise PydanticCustomError("date_type", "Input should be a date such as 2026-11-02")


EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
# A time with an offset ("Z" or "+02:00"), stored in UTC.
Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text),
    AfterValidator(as_instant),
    Field(json_schema_extra={"pattern": r"^(19|20|21)[0-9]{2}-"}),
]
# A calendar day as "2026-11-02".
Day = Annotated[date, BeforeValidator(_iso_day)]
ExternalId = text(100, min_length=1)
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Payload(BaseModel):
    """Base of every ingest payload: unknown keys are ignored, text is trimmed."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


@dataclass(frozen=True)
class FieldError:
    pointer: str  # RFC 6901 JSON pointer into the payload, e.g. "/lines/0/sku"
    message: str


class InvalidPayload(Exception):
    """The payload cannot be stored; nothing was written."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.pointer or '/'}: {e.message}" for e in self.errors))


class UnknownReference(InvalidPayload):
    """The payload refers to an object (an order, a shipment, a product) the shop has not sent
    yet; nothing was written. The API answers 404, naming each reference."""


def pointer(*parts: Any) -> str:
    """The JSON pointer of ``parts`` (escaping ``~`` and ``/`` as RFC 6901 says)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def errors_from_validation(exc: ValidationError, prefix: tuple = ()) -> list[FieldError]:
    from aftersale.orders.field_errors import describe

    return [
        FieldError(pointer(*prefix, *error["loc"]), describe(error))
        for error in exc.errors(include_url=False)
    ]


def parse_all(model: type[Payload], items: list[Any]) -> list[Any]:
    """Validate every item of a batch, raising one ``InvalidPayload`` naming all failures."""
    parsed, errors = [], []
    for index, item in enumerate(items):
        if isinstance(item, model):
            parsed.append(item)
            continue
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            errors.extend(errors_from_validation(exc, (index,)))
    if errors:
        raise InvalidPayload(errors)
    return parsed


def duplicates(keys: list[str], field: str) -> list[FieldError]:
    """Errors for a natural key that appears twice in one batch."""
    seen: dict[str, int] = {}
    errors = []
    for index, key in enumerate(keys):
        if key in seen:
            errors.append(
                FieldError(pointer(index, field), f"repeats item {seen[key]} of this batch")
            )
        else:
            seen[key] = index
    return errors


class ConflictingWrite(Exception):
    """Another request changed the same objects at the same moment, even after retrying."""


@dataclass(frozen=True)
class Upserted:
    """What happened to one object of a batch: its id, and whether it was created or changed."""

    external_id: str
    id: int
    created: bool
    changed: bool
    # Older than the stored version (by the sender's updated_at): acknowledged and ignored.
    stale: bool = False


def is_stale(stored, sent: datetime | None) -> bool:
    """Whether an update sent with the source's ``updated_at`` is older than the stored row."""
    return (
        stored is not None
        and sent is not None
        and stored.source_updated_at is not None
        and sent < stored.source_updated_at
    )


UPDATED_AT_HELP = (
    "When your system last changed this object. An update older than the stored one is "
    "acknowledged and ignored (stale: true), so deliveries out of order cannot undo a newer "
    "state; left out, every update is applied in the order received."
)


def assign_changed(obj, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``obj``; return the names of the fields whose value really changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


class RowChanges:
    """The rows of one model that a batch creates or changes, stored together by ``save``: the
    new ones in one bulk insert, the changed ones in one ``bulk_update`` of the fields that
    really changed (and ``updated_at``, where the model has it)."""

    def __init__(self, model):
        self.model = model
        self.new: list = []
        self.changed: list = []
        self.fields: set[str] = set()

    def create(self, row):
        self.new.append(row)
        return row

    def update(self, row, values: dict[str, Any]) -> list[str]:
        """Set ``values`` on a stored row; return the fields that changed (queued for saving)."""
        fields = assign_changed(row, values)
        self.mark(row, fields)
        return fields

    def mark(self, row, fields: list[str]) -> None:
        """Queue ``fields`` of ``row``, already set on it, for saving."""
        if fields:
            self.changed.append(row)
            self.fields.update(fields)

    def save(self, now: datetime) -> None:
        insert_objects(self.model, self.new)
        if self.changed:
            fields = sorted(self.fields)
            if any(field.name == "updated_at" for field in self.model._meta.concrete_fields):
                for row in self.changed:
                    row.updated_at = now
                fields.append("updated_at")
            self.model.objects.bulk_update(self.changed, fields, batch_size=1000)


def retry_on_conflict(write, attempts: int = 3):
    """Run ``write`` in a transaction; if a concurrent insert of the same natural key wins the
    race (IntegrityError), run it again: the second time it finds the row and updates it."""
    from django.db import IntegrityError, transaction

    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return write()
        except IntegrityError as exc:
            if attempt == attempts - 1:
                raise ConflictingWrite(str(exc)) from exc
    raise AssertionError("unreachable")
