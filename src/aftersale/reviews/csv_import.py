"""Import old reviews from a CSV file (from a previous review tool), all or nothing.

One row per review. Every row is checked before anything is stored; if any is wrong nothing is
stored and the report names each bad line (as an editor shows it: the header is line 1), the
column and what to do. Reviews are matched by ``external_id``: importing the same file again
changes nothing, a corrected file updates the reviews it names. Imported reviews keep the
verification status the file gives them (``verified``), shown as "verified by the previous
tool" rather than as an order Aftersale saw. docs/developers/csv.md documents the columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from aftersale.catalog.models import Product, Variant
from aftersale.core.models import Shop
from aftersale.orders.csv_import import (
    DELIMITERS,
    ImportFailed,
    RowProblem,
    _aware,
    _BadCell,
    _decode,
    _yes_no,
)
from aftersale.orders.models import Customer, Order
from aftersale.reviews.events import event_payload
from aftersale.reviews.models import Review, ReviewSource, ReviewStatus, Verification
from aftersale.timeline import types
from aftersale.timeline.services import record_event

MAX_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


COLUMNS = [
    Column("external_id", True, "Your id of the review (unique in the file)"),
    Column("product_id", True, "The product's external id in the catalogue"),
    Column("sku", False, "The variant reviewed (optional)"),
    Column("rating", True, "1 to 5 stars"),
    Column("title", False, "Title, at most 200 characters"),
    Column("body", False, "The review's text"),
    Column("author", False, "Name shown with the review (e.g. Aino K.)"),
    Column("language", False, "fi, sv or en"),
    Column("submitted_at", True, "When it was written: 2026-11-02T10:00:00+02:00 or shop time"),
    Column("published_at", False, "When it was published; empty: submitted_at"),
    Column("status", False, "published (default) or pending (to moderate here)"),
    Column("verified", False, "yes if the previous tool verified a purchase (default no)"),
    Column("order_id", False, "The order's external id, when it is in Aftersale"),
    Column("customer_id", False, "The customer's external id, when known"),
    Column("fit", False, "runs_small, true_to_size or runs_large"),
    Column("reply", False, "The shop's public reply"),
    Column("replied_at", False, "When the shop replied; empty: published_at"),
]  # fmt: skip
BY_NAME = {column.name: column for column in COLUMNS}
STATUSES = ("published", "pending")
FITS = ("runs_small", "true_to_size", "runs_large")
LIMITS = {"external_id": 100, "title": 200, "author": 100, "body": 10_000, "reply": 5_000}


@dataclass(frozen=True)
class ReviewRow:
    """One checked row, ready to store."""

    line: int
    external_id: str
    product_id: str
    sku: str
    rating: int
    title: str
    body: str
    author: str
    language: str
    submitted_at: datetime
    published_at: datetime | None
    status: str
    verified: bool
    order_id: str
    customer_id: str
    fit: str
    reply: str
    replied_at: datetime | None


def _delimiter(text: str) -> str:
    header = text.partition("\n")[0]
    return max(
        DELIMITERS,
        key=lambda d: sum(name.strip().strip('"').strip() in BY_NAME for name in header.split(d)),
    )


def _header_problems(header: list[str]) -> list[RowProblem]:
    problems, seen = [], set()
    for name in header:
        if name not in BY_NAME:
            problems.append(RowProblem(1, name, _("unknown column")))
        elif name in seen:
            problems.append(RowProblem(1, name, _("appears twice in the header; keep one")))
        seen.add(name)
    problems += [
        RowProblem(1, column.name, _("required column is missing"))
        for column in COLUMNS
        if column.required and column.name not in header
    ]
    return problems


def _moment(value: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(_aware(value, zone))
    except ValueError:
        raise _BadCell(
            _("is not a time: write 2026-11-02T10:00:00+02:00 or 2.11.2026 10.00")
        ) from None
    return moment


def _rating(value: str) -> int:
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 5:
        return int(value)
    raise _BadCell(_("must be a whole number of stars from 1 to 5"))


def _choice(value: str, allowed: tuple[str, ...]) -> str:
    word = value.lower()
    if word in allowed:
        return word
    raise _BadCell(_("must be one of: %(values)s") % {"values": ", ".join(allowed)})


def read_reviews(shop: Shop, stream: IO[bytes]) -> list[ReviewRow]:
    """Every row checked. Raises ImportFailed naming each bad line and column."""
    text, _encoding = _decode(stream.read())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFailed([RowProblem(0, "", _("The file is empty."))]) from None
    except csv.Error as exc:
        raise ImportFailed([RowProblem(1, "", _("Not a readable CSV file: %s") % exc)]) from None
    problems = _header_problems(header)
    if problems:
        raise ImportFailed(problems)
    zone = ZoneInfo(shop.time_zone)
    rows: list[ReviewRow] = []
    first_line: dict[str, int] = {}
    line, ended = 1, reader.line_num
    try:
        for cells in reader:
            line, ended = ended + 1, reader.line_num  # a row's first line, as an editor shows
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(
                    RowProblem(
                        line,
                        "",
                        _("More than %(max)s reviews: split the file.") % {"max": MAX_ROWS},
                    )  # fmt: skip
                )
                break
            values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in
                      enumerate(header)}  # fmt: skip
            row, row_problems = _check_row(line, values, zone, first_line)
            problems += row_problems
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append(RowProblem(line, "", _("Not a readable CSV row: %s") % exc))
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: (p.row, p.column)))
    if not rows:
        raise ImportFailed([RowProblem(0, "", _("The file has no reviews."))])
    return rows


def _check_row(line: int, values: dict[str, str], zone, first_line: dict[str, int]):
    problems: list[RowProblem] = []

    def cell(name: str, read=None, default=None):
        value = values.get(name, "")
        if not value:
            if BY_NAME[name].required:
                problems.append(RowProblem(line, name, _("is required")))
            return default
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            problems.append(
                RowProblem(line, name, _("is longer than %(max)s characters") % {"max": limit})
            )
            return default
        if read is None:
            return value
        try:
            return read(value)
        except _BadCell as bad:
            problems.append(RowProblem(line, name, str(bad)))
            return default

    external_id = cell("external_id", default="")
    if external_id in first_line:
        problems.append(
            RowProblem(
                line,
                "external_id",
                _("is also on line %(line)s: each review once") % {"line": first_line[external_id]},
            )
        )
    elif external_id:
        first_line[external_id] = line
    row = {
        "external_id": external_id,
        "product_id": cell("product_id", default=""),
        "sku": cell("sku", default=""),
        "rating": cell("rating", _rating),
        "title": cell("title", default=""),
        "body": cell("body", default=""),
        "author": cell("author", default=""),
        "language": cell("language", lambda v: _choice(v, ("fi", "sv", "en")), default=""),
        "submitted_at": cell("submitted_at", lambda v: _moment(v, zone)),
        "published_at": cell("published_at", lambda v: _moment(v, zone)),
        "status": cell("status", lambda v: _choice(v, STATUSES), default="published"),
        "verified": cell("verified", _yes_no, default=False),
        "order_id": cell("order_id", default=""),
        "customer_id": cell("customer_id", default=""),
        "fit": cell("fit", lambda v: _choice(v, FITS), default=""),
        "reply": cell("reply", default=""),
        "replied_at": cell("replied_at", lambda v: _moment(v, zone)),
    }
    if problems:
        return None, problems
    return ReviewRow(line=line, **row), []


@dataclass(frozen=True)
class ImportSummary:
    reviews: int
    created: int
    updated: int
    unchanged: int


def _references(shop: Shop, rows: list[ReviewRow]):
    """The products, variants, orders and customers the rows name; a problem per row naming
    one this shop does not have."""
    products = {
        p.external_id: p
        for p in Product.objects.for_shop(shop).filter(external_id__in={r.product_id for r in rows})
    }
    variants = {
        v.sku: v
        for v in Variant.objects.for_shop(shop).filter(sku__in={r.sku for r in rows if r.sku})
    }
    orders = {
        o.external_id: o
        for o in Order.objects.for_shop(shop)
        .select_related("customer")
        .prefetch_related("lines__variant")
        .filter(external_id__in={r.order_id for r in rows if r.order_id})
    }
    customers = {
        c.external_id: c
        for c in Customer.objects.for_shop(shop).filter(
            external_id__in={r.customer_id for r in rows if r.customer_id}
        )
    }
    problems = []
    for row in rows:
        product = products.get(row.product_id)
        if product is None:
            problems.append(
                RowProblem(
                    row.line,
                    "product_id",
                    _("is not a product of this shop: import the catalogue first"),
                )
            )
        if row.sku:
            variant = variants.get(row.sku)
            if variant is None or (product is not None and variant.product_id != product.pk):
                problems.append(RowProblem(row.line, "sku", _("is not a variant of this product")))
        if row.order_id and row.order_id not in orders:
            problems.append(RowProblem(row.line, "order_id", _("is not an order of this shop")))
        if row.customer_id and row.customer_id not in customers:
            problems.append(
                RowProblem(row.line, "customer_id", _("is not a customer of this shop"))
            )
    return products, variants, orders, customers, problems


def _line_of(order, product, taken: set[int]):
    """The order's line of ``product`` that has no review yet (one review per line)."""
    for line in order.lines.all():
        if line.variant_id and line.variant.product_id == product.pk and line.pk not in taken:
            return line
    return None


# How many of a checked file's rows the back-office shows before importing.
PREVIEW_ROWS = 20


@dataclass(frozen=True)
class ImportCheck:
    """What importing a checked file would do; nothing is stored."""

    reviews: int
    new: int
    known: int  # already imported (by external id): updated where the file changed them
    preview: list[ReviewRow]  # the first PREVIEW_ROWS rows


def check_reviews_csv(shop: Shop, stream: IO[bytes]) -> ImportCheck:
    """Every check the import makes, storing nothing: ImportFailed naming each bad line, column
    and what to do, or how many reviews the file would add and update."""
    rows = read_reviews(shop, stream)
    problems = _references(shop, rows)[-1]
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: (p.row, p.column)))
    known = set(
        Review.objects.for_shop(shop)
        .filter(external_id__in=[row.external_id for row in rows])
        .values_list("external_id", flat=True)
    )
    return ImportCheck(
        reviews=len(rows),
        new=sum(row.external_id not in known for row in rows),
        known=sum(row.external_id in known for row in rows),
        preview=rows[:PREVIEW_ROWS],
    )


def import_reviews_csv(shop: Shop, stream: IO[bytes]) -> ImportSummary:
    """Check every row, then store them all in one transaction (or nothing)."""
    return store_reviews(shop, read_reviews(shop, stream))


def store_reviews(shop: Shop, rows: list[ReviewRow], stored: list | None = None) -> ImportSummary:
    """Create or update the reviews of checked rows by external id, all in one transaction;
    ImportFailed (nothing stored) when a row names a product, variant, order or customer this
    shop does not have. ``stored`` (if given) receives the reviews in the rows' order. The API's
    review import uses this too."""
    products, variants, orders, customers, problems = _references(shop, rows)
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: (p.row, p.column)))
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            r.external_id: r
            for r in Review.objects.for_shop(shop)
            .select_for_update()
            .filter(external_id__in=[row.external_id for row in rows])
        }
        taken = set(
            Review.objects.for_shop(shop)
            .filter(order_line__isnull=False)
            .values_list("order_line_id", flat=True)
        )
        for row in rows:
            product = products[row.product_id]
            customer = customers.get(row.customer_id) if row.customer_id else None
            order = orders.get(row.order_id) if row.order_id else None
            if customer is None and order is not None:
                customer = order.customer
            published_at = (
                (row.published_at or row.submitted_at) if row.status == "published" else None
            )
            values = {
                "product": product,
                "variant": variants.get(row.sku) if row.sku else None,
                "customer": customer,
                "author_name": row.author,
                "language": row.language or shop.default_language,
                "rating": row.rating,
                "title": row.title,
                "body": row.body,
                "fit": row.fit,
                "verified_buyer": row.verified,
                "verification": (
                    Verification.IMPORTED_VERIFIED
                    if row.verified
                    else Verification.IMPORTED_UNVERIFIED
                ),
                "status": ReviewStatus.PUBLISHED
                if row.status == "published"
                else ReviewStatus.PENDING,
                "source": ReviewSource.IMPORTED,
                "submitted_at": row.submitted_at,
                "published_at": published_at,
                "shop_reply": row.reply,
                "replied_at": (row.replied_at or published_at or row.submitted_at)
                if row.reply
                else None,
            }
            review = existing.get(row.external_id)
            if review is None:
                if order is not None:
                    line = _line_of(order, product, taken)
                    if line is not None:
                        values["order_line"] = line
                        taken.add(line.pk)
                review = Review.objects.create(shop=shop, external_id=row.external_id, **values)
                _record_import(shop, review)
                created += 1
                if stored is not None:
                    stored.append(review)
                continue
            if stored is not None:
                stored.append(review)
            changed = [name for name, value in values.items() if getattr(review, name) != value]
            if not changed:
                unchanged += 1
                continue
            was_published = review.status == ReviewStatus.PUBLISHED
            for name in changed:
                setattr(review, name, values[name])
            review.save()
            if review.status == ReviewStatus.PUBLISHED and not was_published:
                record_event(
                    shop, types.REVIEW_PUBLISHED, subject=review, customer=review.customer,
                    payload=event_payload(review), occurred_at=review.published_at,
                )  # fmt: skip
            updated += 1
    return ImportSummary(reviews=len(rows), created=created, updated=updated, unchanged=unchanged)


def _record_import(shop: Shop, review: Review) -> None:
    """The same events as a review written here, at the times the file gives: old ones are
    history (webhooks and flows ignore events older than their lag)."""
    record_event(
        shop, types.REVIEW_SUBMITTED, subject=review, customer=review.customer,
        payload=event_payload(review), occurred_at=review.submitted_at,
    )  # fmt: skip
    if review.status == ReviewStatus.PUBLISHED:
        record_event(
            shop, types.REVIEW_PUBLISHED, subject=review, customer=review.customer,
            payload=event_payload(review), occurred_at=review.published_at,
        )  # fmt: skip
