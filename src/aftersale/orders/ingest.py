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
from pydantic_core import InitErrorDetails, PydanticCustomError

from aftersale.core.bulk import insert_objects

# Amounts up to a hundred billion euros in cents: far beyond any order, well inside BIGINT.
MAX_CENTS = 10**13
# Strict: JSON numbers only (not true, "12" or 12.0), as the OpenAPI schema says "integer".
Cents = Annotated[StrictInt, Field(ge=-MAX_CENTS, le=MAX_CENTS)]
PositiveCents = Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)]


def out_of_bounds(amount: int) -> bool:
    """Whether a computed amount (a line's quantity × price, a sum) is beyond ``MAX_CENTS``."""
    return abs(amount) > MAX_CENTS


def fail_at(title: str, errors: list[tuple[tuple, str]]) -> None:
    """Raise pydantic's error for ``errors`` ((location, message) pairs) from a model validator,
    so that each names its own field rather than the whole object."""
    if errors:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError("value_error", "{error}", {"error": message}),
                    loc=loc,
                    input=None,
                )
                for loc, message in errors
            ],
        )


def _clean_text(value: str) -> str:
    """Refuse text a database cannot store: NUL characters and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError(_("must not contain NUL characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(_("must be valid Unicode text (no lone surrogates)")) from None
    return value


def text(max_length: int, *, min_length: int = 0):
    """A string field that fits a ``max_length`` column and the database's encoding."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_clean_text)
    ]


def as_instant(value: datetime) -> datetime:
    """In UTC (PostgreSQL refuses offsets beyond ±16 h) and within years a shop can mean."""
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(_("is out of range")) from None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            _("must be between the years %(first)s and %(last)s")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        )
    return value


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
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(as_instant)]
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
