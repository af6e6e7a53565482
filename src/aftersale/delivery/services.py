"""Ingest of pickup points, shipments and tracking events: idempotent, set-based upserts.

A shipment's status follows its newest tracking event: an older event that arrives late is
kept in the history (and fills a missing time such as ``shipped_at``) but never moves the
shipment backwards, and records nothing on the timeline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from aftersale.core.models import Shop
from aftersale.delivery.carriers import map_carrier_event, settle_received_status
from aftersale.delivery.models import (
    PickupPoint,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    UnclaimedByCustomer,
    UnclaimedCount,
    UnclaimedDay,
)
from aftersale.delivery.payloads import PickupPointIn, ShipmentIn, TrackingEventIn
from aftersale.delivery.selectors import DayCounts, new_sums_version
from aftersale.orders.ingest import (
    FieldError,
    InvalidPayload,
    RowChanges,
    UnknownReference,
    Upserted,
    duplicates,
    is_stale,
    parse_all,
    pointer,
    retry_on_conflict,
)
from aftersale.orders.models import Order
from aftersale.timeline import types
from aftersale.timeline.services import EventRow, event_row, record_events

STATUS_EVENT_TYPES = {
    ShipmentStatus.CREATED: types.SHIPMENT_CREATED,
    ShipmentStatus.SHIPPED: types.SHIPMENT_SHIPPED,
    ShipmentStatus.IN_TRANSIT: types.SHIPMENT_IN_TRANSIT,
    ShipmentStatus.READY_FOR_PICKUP: types.SHIPMENT_READY_FOR_PICKUP,
    ShipmentStatus.DELIVERED: types.SHIPMENT_DELIVERED,
    ShipmentStatus.PICKED_UP: types.SHIPMENT_PICKED_UP,
    ShipmentStatus.DELIVERY_FAILED: types.SHIPMENT_DELIVERY_FAILED,
    ShipmentStatus.RETURNED_TO_SENDER: types.SHIPMENT_RETURNED_TO_SENDER,
    ShipmentStatus.UNKNOWN: types.SHIPMENT_UNKNOWN_EVENT,
}

# Which time field of the shipment a status fills in.
STATUS_TIME_FIELDS = {
    ShipmentStatus.SHIPPED: "shipped_at",
    ShipmentStatus.READY_FOR_PICKUP: "ready_at",
    ShipmentStatus.DELIVERED: "received_at",
    ShipmentStatus.PICKED_UP: "received_at",
    ShipmentStatus.RETURNED_TO_SENDER: "returned_at",
}


def neutral_status(carrier: str, carrier_code: str, status: str | None) -> str:
    """The carrier-neutral meaning of one tracking event.

    The status the sender gives wins; without one the carrier's code is looked up in the
    carrier tables (``aftersale.delivery.carriers``), and an unknown carrier or code is kept as
    ``unknown`` with its code as given.
    """
    if status:
        return ShipmentStatus(status).value
    return str(map_carrier_event(carrier, carrier_code).status)


# --- pickup points -------------------------------------------------------------------------


def upsert_pickup_points(
    shop: Shop, items: Iterable[PickupPointIn]
) -> dict[tuple[str, str], PickupPoint]:
    """Create or update pickup points by (carrier, code); fields left out are kept."""
    by_key = {(item.carrier, item.code): item for item in items}
    if not by_key:
        return {}
    codes = {code for _, code in by_key}
    points = {
        (p.carrier, p.code): p
        for p in PickupPoint.objects.for_shop(shop).filter(code__in=codes)
        if (p.carrier, p.code) in by_key
    }
    changes = RowChanges(PickupPoint)
    for key, item in by_key.items():
        values = {
            name: getattr(item, name)
            for name in ("name", "kind", "street", "postcode", "city", "country")
            if name in item.model_fields_set
        }
        if "kind" in values:
            values["kind"] = values["kind"].value
        point = points.get(key)
        if point is None:
            values.setdefault("name", item.code)
            points[key] = changes.create(
                PickupPoint(shop=shop, carrier=item.carrier, code=item.code, **values)
            )
        else:
            changes.update(point, values)
    changes.save(timezone.now())
    return points


# --- shipments -----------------------------------------------------------------------------


def upsert_shipments(shop: Shop, payloads: Iterable[Any]) -> list[Upserted]:
    """Create or update shipments of existing orders, with any tracking events they carry.

    ``shipment.created`` is recorded for a new shipment; a ``shipped_at`` without events counts
    as a "shipped" tracking event.
    """
    items = parse_all(ShipmentIn, list(payloads))
    errors = duplicates([item.external_id for item in items], "external_id")
    if errors:
        raise InvalidPayload(errors)
    return retry_on_conflict(lambda: _save_shipments(shop, items))


def upsert_shipment(shop: Shop, payload: Any) -> Upserted:
    return upsert_shipments(shop, [payload])[0]


def _save_shipments(shop: Shop, items: list[ShipmentIn]) -> list[Upserted]:
    now = timezone.now()
    wanted = {item.order_external_id for item in items}
    orders = {o.external_id: o for o in Order.objects.for_shop(shop).filter(external_id__in=wanted)}
    missing = [
        FieldError(pointer(index, "order_external_id"), "no order with this external id")
        for index, item in enumerate(items)
        if item.order_external_id not in orders
    ]
    if missing:
        raise UnknownReference(missing)
    points = upsert_pickup_points(shop, [item.pickup_point for item in items if item.pickup_point])
    existing = {
        s.external_id: s
        for s in Shipment.objects.for_shop(shop).filter(
            external_id__in=[item.external_id for item in items]
        )
    }
    changes, results = RowChanges(Shipment), []
    stale = {
        item.external_id: Upserted(item.external_id, shipment.pk, False, False, stale=True)
        for item in items
        if is_stale(shipment := existing.get(item.external_id), item.updated_at)
    }
    for item in items:
        if item.external_id in stale:  # older than the stored version: nothing changes
            continue
        order = orders[item.order_external_id]
        values = {
            "order_id": order.pk,
            "carrier": item.carrier,
            "tracking_number": item.tracking_number,
            "expected_delivery": item.expected_delivery,
        }
        if item.pickup_point:
            values["pickup_point_id"] = points[
                (item.pickup_point.carrier, item.pickup_point.code)
            ].pk
        elif order.pickup_point_id and item.external_id not in existing:
            values["pickup_point_id"] = order.pickup_point_id
        if item.held_until:
            values["held_until"] = item.held_until
        if item.updated_at is not None:
            values["source_updated_at"] = item.updated_at
        shipment = existing.get(item.external_id)
        if shipment is None:
            shipment = changes.create(Shipment(shop=shop, external_id=item.external_id, **values))
            results.append((item, shipment, order, True))
        else:
            changes.update(shipment, values)
            results.append((item, shipment, order, False))
    changes.save(now)
    # A shipment existed at least since its first carrier event (backfilled data).
    events = [
        _timeline_event(
            shop,
            shipment,
            order,
            types.SHIPMENT_CREATED,
            min([now, *(e.occurred_at for e in item.events), *filter(None, [item.shipped_at])]),
        )
        for item, shipment, order, created in results
        if created
    ]
    tracking = []
    for index, (item, shipment, order, _) in enumerate(results):
        sent = list(item.events)
        if not sent and item.shipped_at:
            sent = [
                TrackingEventIn(
                    carrier_code="shipped",
                    status=ShipmentStatus.SHIPPED,
                    occurred_at=item.shipped_at,
                )
            ]
        tracking.extend((index, shipment, order, event) for event in sent)
    changed_pks = {shipment.pk for shipment in changes.changed}
    changed_ids = _apply_tracking(shop, tracking, events)
    record_events(events)
    saved = {
        shipment.external_id: Upserted(
            shipment.external_id,
            shipment.pk,
            created,
            created or shipment.pk in changed_pks or shipment.pk in changed_ids,
        )
        for _, shipment, _, created in results
    }
    return [stale.get(item.external_id) or saved[item.external_id] for item in items]


def _timeline_event(shop, shipment, order, type, at, **extra) -> EventRow:
    return event_row(
        shop.pk,
        type,
        "shipment",
        shipment.pk,
        customer_id=order.customer_id,
        payload={
            "external_id": shipment.external_id,
            "order_external_id": order.external_id,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            **extra,
        },
        occurred_at=at,
    )


# --- tracking events -----------------------------------------------------------------------


def record_tracking_events(shop: Shop, payloads: Iterable[Any]) -> list[Upserted]:
    """Record carrier events for existing shipments (each names ``shipment_external_id``).

    A repeated event (same shipment, carrier code and time) is a no-op.
    """
    items = parse_all(TrackingEventIn, list(payloads))
    errors = [
        FieldError(pointer(index, "shipment_external_id"), "is required")
        for index, item in enumerate(items)
        if not item.shipment_external_id
    ]
    if errors:
        raise InvalidPayload(errors)

    def write():
        wanted = {item.shipment_external_id for item in items}
        shipments = {
            s.external_id: s
            for s in Shipment.objects.for_shop(shop)
            .select_related("order")
            .filter(external_id__in=wanted)
        }
        missing = [
            FieldError(pointer(index, "shipment_external_id"), "no shipment with this external id")
            for index, item in enumerate(items)
            if item.shipment_external_id not in shipments
        ]
        if missing:
            raise UnknownReference(missing)
        events: list[EventRow] = []
        tracking = [
            (index, shipments[item.shipment_external_id], None, item)
            for index, item in enumerate(items)
        ]
        created = _apply_tracking(shop, tracking, events, report=True)
        record_events(events)
        return [
            Upserted(
                item.carrier_code,
                shipments[item.shipment_external_id].pk,
                index in created,
                index in created,
            )
            for index, item in enumerate(items)
        ]

    return retry_on_conflict(write)


def record_tracking_event(shop: Shop, payload: Any) -> Upserted:
    return record_tracking_events(shop, [payload])[0]


def _apply_tracking(shop, tracking, events: list[EventRow], *, report: bool = False) -> set:
    """Store new tracking events and move their shipments forward.

    ``tracking`` holds (index, shipment, order or None, TrackingEventIn). Returns the indexes of
    newly stored events if ``report``, else the ids of shipments that changed.
    """
    if not tracking:
        return set()
    shipment_ids = {shipment.pk for _, shipment, _, _ in tracking}
    known: set[tuple[int, str, Any]] = set()
    latest: dict[int, Any] = {}
    for sid, code, at, status in TrackingEvent.objects.filter(
        shipment_id__in=shipment_ids
    ).values_list("shipment_id", "carrier_code", "occurred_at", "status"):
        known.add((sid, code, at))
        if status != ShipmentStatus.UNKNOWN and (sid not in latest or at > latest[sid]):
            latest[sid] = at

    new_rows, stored, touched = [], set(), {}
    for index, shipment, order, item in sorted(tracking, key=lambda t: t[3].occurred_at):
        key = (shipment.pk, item.carrier_code, item.occurred_at)
        if key in known:
            continue
        known.add(key)
        status = neutral_status(shipment.carrier, item.carrier_code, item.status)
        is_newest = shipment.pk not in latest or item.occurred_at >= latest[shipment.pk]
        if is_newest:  # one "handed over" code means picked up after waiting at a pickup point
            status = settle_received_status(shipment.status, status)
        new_rows.append(
            TrackingEvent(
                shop=shop,
                shipment=shipment,
                carrier_code=item.carrier_code,
                status=status,
                description=item.description,
                location=item.location,
                occurred_at=item.occurred_at,
                payload=item.model_dump(mode="json", exclude_none=True),
            )
        )
        stored.add(index)
        order = order or shipment.order
        extra = {"carrier_code": item.carrier_code}
        if status == ShipmentStatus.UNKNOWN:
            events.append(
                _timeline_event(
                    shop, shipment, order, types.SHIPMENT_UNKNOWN_EVENT, item.occurred_at, **extra
                )
            )
            continue
        fields = []
        time_field = STATUS_TIME_FIELDS.get(status)
        if time_field and (getattr(shipment, time_field) is None or is_newest):
            if not (time_field == "shipped_at" and shipment.shipped_at):
                setattr(shipment, time_field, item.occurred_at)
                fields.append(time_field)
        if status == ShipmentStatus.READY_FOR_PICKUP and item.held_until and is_newest:
            shipment.held_until = item.held_until
            fields.append("held_until")
        if is_newest:
            latest[shipment.pk] = item.occurred_at
            if shipment.status != status:
                shipment.status = status
                fields.append("status")
                if shipment.held_until:
                    extra["held_until"] = shipment.held_until.isoformat()
                events.append(
                    _timeline_event(
                        shop, shipment, order, STATUS_EVENT_TYPES[status], item.occurred_at, **extra
                    )
                )
        if fields:
            touched.setdefault(shipment.pk, (shipment, set()))[1].update(fields)
    if new_rows:
        TrackingEvent.objects.bulk_create(new_rows, batch_size=1000)
    by_fields = defaultdict(list)
    now = timezone.now()
    for shipment, fields in touched.values():
        shipment.updated_at = now
        by_fields[tuple(sorted(fields))].append(shipment)
    for fields, rows in by_fields.items():
        Shipment.objects.bulk_update(rows, [*fields, "updated_at"], batch_size=1000)
    return stored if report else set(touched)


def set_delivery_costs(
    shop: Shop, *, outbound_cents: int, return_cents: int, handling_cents: int
) -> None:
    """Save what an unclaimed parcel costs the shop (used by the report and customer value)."""
    from aftersale.delivery.models import DeliveryCosts

    DeliveryCosts.objects.update_or_create(
        shop=shop,
        defaults={
            "outbound_cents": outbound_cents,
            "return_cents": return_cents,
            "handling_cents": handling_cents,
        },
    )


@transaction.atomic
def store_unclaimed_days(
    shop: Shop,
    zone: ZoneInfo,
    counts: dict[date, DayCounts],
    *,
    checked_at: datetime,
    window: tuple[date, date],
) -> None:
    """Store freshly counted days of the unclaimed report (replacing what was stored for them)
    and mark every stored day of ``window`` as checked at ``checked_at`` (the others were found
    unchanged). ``counts`` is what ``selectors.count_days`` gives."""
    # The upsert locks the days' rows first, so two requests storing the same day take turns.
    UnclaimedDay.objects.bulk_create(
        [
            UnclaimedDay(shop=shop, day=day, time_zone=str(zone), computed_at=checked_at)
            for day in counts
        ],
        update_conflicts=True,
        unique_fields=["shop", "day"],
        update_fields=["time_zone", "computed_at"],
    )
    UnclaimedCount.objects.for_shop(shop).filter(day__in=list(counts)).delete()
    UnclaimedByCustomer.objects.for_shop(shop).filter(day__in=list(counts)).delete()
    UnclaimedCount.objects.bulk_create(
        (
            UnclaimedCount(
                shop=shop,
                day=day,
                delivery_method=row["order__delivery_method"] or "",
                carrier=row["carrier"],
                pickup_point_id=row["pickup_point"],
                shipments=row["shipments"],
                unclaimed=row["unclaimed"],
            )
            for day, day_counts in counts.items()
            for row in day_counts.keyed
        ),
        batch_size=1000,
    )
    UnclaimedByCustomer.objects.bulk_create(
        (
            UnclaimedByCustomer(
                shop=shop,
                day=day,
                customer_id=row["order__customer"],
                carrier=row["carrier"],
                unclaimed=row["unclaimed"],
            )
            for day, day_counts in counts.items()
            for row in day_counts.customers
        ),
        batch_size=1000,
    )
    UnclaimedDay.objects.for_shop(shop).filter(day__range=window).update(computed_at=checked_at)
    # Sums of the stored days kept in the cache are read under this shop's version: a new one
    # now, and another once these rows are visible to every reader (a reader in between may
    # have kept sums of the rows as they were under the first).
    new_sums_version(shop)
    transaction.on_commit(lambda: new_sums_version(shop))


REPORT_PERIOD_DAYS = 365  # the back-office unclaimed report's period


REPORT_CHUNK_DAYS = 31  # days counted at a time by the worker, with a stop check between


def store_report_days(shop: Shop, *, now: datetime | None = None) -> None:
    """Store the shop's past days of the unclaimed report's period (``REPORT_PERIOD_DAYS``)
    that are missing or changed, a month at a time from the oldest, so that a stopping worker
    stops between months (what was stored stays stored) and a view only reads."""
    from aftersale.core.worker import check_stop
    from aftersale.delivery.selectors import (
        refresh_unclaimed_days,
        unclaimed_costs_for,
        unclaimed_report,
    )
    from aftersale.insights.daily import midnight

    zone = ZoneInfo(shop.time_zone)
    now = now or timezone.now()
    since = now - timedelta(days=REPORT_PERIOD_DAYS)
    first = timezone.localtime(since, zone).date()
    if midnight(first, zone) < since:
        first += timedelta(days=1)  # the report counts a partial first day live
    last = timezone.localtime(now, zone).date() - timedelta(days=1)
    while first <= last:
        check_stop()
        chunk_last = min(first + timedelta(days=REPORT_CHUNK_DAYS - 1), last)
        refresh_unclaimed_days(shop, zone, first, chunk_last)
        first = chunk_last + timedelta(days=1)
    check_stop()
    # The year's sums, added up once now and kept, so that the first view only reads them.
    unclaimed_report(shop, since=since, costs=unclaimed_costs_for(shop), now=now)


def store_unclaimed_report_days() -> None:
    """For every shop, store the unclaimed report's past days ahead of the first view: a view
    then reads stored counts only (a year of days for a shop seen for the first time takes
    seconds at 500,000 parcels). A worker job; stops between shops and between months of a
    shop when asked to."""
    for shop in Shop.objects.order_by("pk"):
        store_report_days(shop)
