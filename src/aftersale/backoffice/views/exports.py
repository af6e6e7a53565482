"""CSV exports of the list pages: customers, orders, returns and a segment's customers.

Each export is the list as its filters show it, for the signed-in member's shop only, streamed
row by row while the database is read in chunks (the whole history is never held in memory).
Cells are made safe for spreadsheets: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe so that it is never run as a formula. Columns keep
their codes (``pickup_point``, ``refunded``) and dates are the shop's local time; docs/merchants/
exports.md lists them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import islice

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from aftersale.backoffice.access import shop_required, shop_zone
from aftersale.backoffice.forms import CustomerSearchForm, OrderSearchForm, valid_filters
from aftersale.backoffice.views.customers import search_customers, with_order_stats
from aftersale.backoffice.views.insights import SEGMENT_LABELS
from aftersale.backoffice.views.orders import search_orders
from aftersale.backoffice.views.returns import QueueFilter, filtered_returns
from aftersale.insights.selectors import segment_values

CHUNK = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet may read it: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def amount(cents: int | None) -> Decimal | None:
    """Cents as a decimal amount (``8280`` → ``82.80``): a number, never quoted."""
    return None if cents is None else Decimal(int(cents)).scaleb(-2)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    """Stream ``rows`` under ``header`` as a CSV download (UTF-8 with a BOM, for Excel)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def chunks(queryset) -> Iterator[list]:
    """The rows of ``queryset`` ``CHUNK`` at a time, read with a database cursor."""
    size = CHUNK
    rows = queryset.iterator(chunk_size=size)
    while chunk := list(islice(rows, size)):
        yield chunk


def _filename(shop, what: str) -> str:
    return f"{shop.slug}-{what}-{timezone.localdate():%Y-%m-%d}.csv"


def _local(shop):
    zone = shop_zone(shop)

    def local(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return local


@require_GET
@shop_required
def customers(request):
    shop = request.shop
    query = valid_filters(CustomerSearchForm(request.GET or None)).get("q", "")
    found = search_customers(shop, query).order_by("last_name", "first_name", "id")
    local = _local(shop)

    def rows():
        for chunk in chunks(found):
            for customer in with_order_stats(shop, chunk):
                yield [
                    customer.external_id,
                    customer.first_name,
                    customer.last_name,
                    customer.email,
                    customer.phone,
                    customer.language,
                    customer.postcode,
                    customer.city,
                    customer.country,
                    "yes" if customer.marketing_consent else "no",
                    customer.order_count,
                    local(customer.last_order_at),
                ]

    header = [
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "language",
        "postcode",
        "city",
        "country",
        "marketing_consent",
        "orders",
        "last_order_at",
    ]
    return csv_response(_filename(shop, "customers"), header, rows())


@require_GET
@shop_required
def orders(request):
    shop = request.shop
    filters = valid_filters(OrderSearchForm(request.GET or None))
    found = (
        search_orders(
            shop,
            filters.get("q", ""),
            filters.get("delivery_method", ""),
            filters.get("status", ""),
        )
        .select_related("customer")
        .order_by("-placed_at", "-id")
    )
    local = _local(shop)

    def rows():
        for chunk in chunks(found):
            for order in chunk:
                yield [
                    order.number,
                    order.external_id,
                    local(order.placed_at),
                    order.status,
                    order.customer.external_id,
                    order.customer.email,
                    f"{order.customer.first_name} {order.customer.last_name}".strip(),
                    order.delivery_method,
                    order.currency,
                    amount(order.subtotal_cents),
                    amount(order.shipping_cents),
                    amount(order.total_cents),
                ]

    header = [
        "order_number",
        "order_id",
        "placed_at",
        "status",
        "customer_id",
        "email",
        "customer_name",
        "delivery_method",
        "currency",
        "goods",
        "shipping",
        "total",
    ]
    return csv_response(_filename(shop, "orders"), header, rows())


@require_GET
@shop_required
def returns(request):
    shop = request.shop
    form = QueueFilter(request.GET or None)
    found = filtered_returns(shop, form.cleaned_data if form.is_valid() else {})
    local = _local(shop)

    def rows():
        for chunk in chunks(found.select_related("registered_by")):
            for return_request in chunk:
                lines = list(return_request.lines.all())
                yield [
                    return_request.code,
                    local(return_request.requested_at),
                    return_request.state,
                    return_request.kind,
                    return_request.resolution,
                    return_request.return_method,
                    return_request.order.number,
                    return_request.customer.external_id,
                    return_request.customer.email,
                    sum(line.quantity for line in lines),
                    " ".join(sorted({line.reason for line in lines})),
                    return_request.order.currency,
                    amount(return_request.fee_cents),
                    amount(return_request.refund_cents),
                    return_request.registered_by.get_username()
                    if return_request.registered_by
                    else "",
                    local(return_request.closed_at),
                ]

    header = [
        "return_code",
        "requested_at",
        "state",
        "kind",
        "resolution",
        "return_method",
        "order_number",
        "customer_id",
        "email",
        "items",
        "reasons",
        "currency",
        "fee",
        "refund",
        "registered_by_staff",
        "closed_at",
    ]
    return csv_response(_filename(shop, "returns"), header, rows())


@require_GET
@shop_required
def segment(request, segment: str):
    if segment not in SEGMENT_LABELS:
        raise Http404
    shop = request.shop
    found = segment_values(shop, segment)
    local = _local(shop)

    def rows():
        for chunk in chunks(found):
            for value in chunk:
                customer = value.customer
                yield [
                    customer.external_id,
                    customer.first_name,
                    customer.last_name,
                    customer.email,
                    "yes" if customer.marketing_consent else "no",
                    value.rfm_segment,
                    value.value_segment,
                    value.orders,
                    local(value.last_order_at),
                    amount(value.gross_revenue_cents),
                    amount(value.net_revenue_cents),
                    amount(value.net_margin_cents),
                    f"{value.return_rate:.3f}",
                    "" if value.p_alive is None else f"{value.p_alive:.3f}",
                    amount(value.clv_cents),
                ]

    header = [
        "customer_id",
        "first_name",
        "last_name",
        "email",
        "marketing_consent",
        "rfm_segment",
        "value_segment",
        "orders",
        "last_order_at",
        "gross_revenue",
        "net_revenue",
        "net_margin",
        "return_rate",
        "p_alive",
        "clv_next_12_months",
    ]
    return csv_response(_filename(shop, f"segment-{segment}"), header, rows())
