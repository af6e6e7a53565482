"""Compute a shop's customer value snapshot: the only writer of insights tables."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction
from django.utils import timezone

from aftersale.analytics.cohorts import cohort_retention
from aftersale.analytics.lapsing import lapsing, median_gap_days
from aftersale.analytics.scoring import score_customers
from aftersale.analytics.summary import UNIT_DAYS
from aftersale.core.models import Shop
from aftersale.core.worker import Stopped, check_stop
from aftersale.insights.daily import FIGURES
from aftersale.insights.funnel import journey_funnel
from aftersale.insights.loading import load_order_lines, load_returns
from aftersale.insights.models import CustomerValue, DailyFigures, ShopInsight
from aftersale.timeline import types
from aftersale.timeline.services import event_row, record_events

logger = logging.getLogger(__name__)

CLV_HORIZON_MONTHS = 12
EXPECTED_PURCHASES_DAYS = 90


def _cents(value: float) -> int | None:
    return None if not np.isfinite(value) else int(round(value * 100))


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def compute_insights(
    shop: Shop, *, now: datetime | None = None, stoppable: bool = False
) -> ShopInsight:
    """Score every customer of ``shop`` and replace its snapshot in one transaction.

    Customers whose segment changed since the previous snapshot get a
    ``customer.segment_entered`` event, which flows can trigger on. With ``stoppable`` (the
    worker's nightly job), a stopping worker ends the computation between its phases: the run
    is recorded as stopped, the previous snapshot stays, and ``Stopped`` reaches the worker.
    """
    now = now or timezone.now()
    insight = ShopInsight.objects.create(shop=shop, started_at=timezone.now(), as_of=now)
    try:
        _compute(shop, insight, now, check=check_stop if stoppable else _never)
    except Stopped:
        insight.status = ShopInsight.Status.FAILED
        insight.error = "Stopped: the worker was shut down; the next run computes it again."
        insight.finished_at = timezone.now()
        insight.save(update_fields=["status", "error", "finished_at"])
        raise
    except Exception as error:  # the run is recorded as failed and the old snapshot stays
        logger.exception("insights for shop %s failed", shop.slug)
        insight.status = ShopInsight.Status.FAILED
        insight.error = f"{type(error).__name__}: {error}"
        insight.finished_at = timezone.now()
        insight.save(update_fields=["status", "error", "finished_at"])
    return insight


def _never() -> None:
    """The stop check of a computation nothing can interrupt (on demand, in a test)."""


def _compute(shop: Shop, insight: ShopInsight, now: datetime, check: Callable[[], None]) -> None:
    lines = load_order_lines(shop, until=now)
    check()
    notes: list[str] = []
    rows: list[CustomerValue] = []
    charts: dict[str, object] = {}
    params: dict[str, object] = {}
    if len(lines):
        returns = load_returns(shop, until=now)
        check()
        today = np.datetime64(timezone.localtime(now, timezone=_zone(shop)).date(), "D")
        scores = score_customers(
            lines,
            returns,
            observation_end=today,
            horizon_months=CLV_HORIZON_MONTHS,
        )
        check()
        notes = list(scores.notes)
        params = _model_params(scores)
        unit = UNIT_DAYS[scores.summary.time_unit]
        gap = median_gap_days(scores.summary.frequency, scores.summary.recency * unit)
        params["median_gap_days"] = round(gap, 1) if np.isfinite(gap) else None
        expected_90 = _expected(scores, EXPECTED_PURCHASES_DAYS)
        value, rfm = scores.value, scores.rfm
        computed_at = now  # the values are as of the run's moment (and compared with it later)
        summary = scores.summary
        for i, customer_id in enumerate(scores.customer_id.tolist()):
            rows.append(
                CustomerValue(
                    shop=shop,
                    customer_id=customer_id,
                    computed_at=computed_at,
                    orders=int(value.orders[i]),
                    first_order_at=_midnight_utc(summary.first_purchase[i]),
                    last_order_at=_midnight_utc(summary.last_purchase[i]),
                    gross_revenue_cents=_cents(value.gross_revenue[i]) or 0,
                    returned_cents=_cents(value.returned_revenue[i]) or 0,
                    net_revenue_cents=_cents(value.net_revenue[i]) or 0,
                    net_margin_cents=_cents(value.net_margin[i]) or 0,
                    return_cost_cents=_cents(value.return_shipping_cost[i]) or 0,
                    unclaimed_parcels=int(value.unclaimed_parcels[i]),
                    unclaimed_cost_cents=_cents(value.unclaimed_cost[i]) or 0,
                    return_rate=float(value.return_rate[i]),
                    rfm_recency=int(rfm.recency_score[i]),
                    rfm_frequency=int(rfm.frequency_score[i]),
                    rfm_monetary=int(rfm.monetary_score[i]),
                    rfm_segment=str(rfm.segment[i]),
                    value_segment=str(value.segment[i]),
                    p_alive=_finite(scores.p_alive[i]),
                    expected_purchases_90d=_finite(expected_90[i]),
                    clv_cents=_cents(scores.clv[i]),
                )
            )
        check()
        charts = _charts(shop, scores, lines, returns, now)
        check()
    with transaction.atomic():
        before = list(
            CustomerValue.objects.for_shop(shop).values_list(
                "customer_id",
                "rfm_segment",
                "orders",
                "p_alive",
                "expected_purchases_90d",
                "last_order_at",
                "computed_at",
            )
        )
        previous = {row[0]: row[1] for row in before}
        CustomerValue.objects.for_shop(shop).delete()
        CustomerValue.objects.bulk_create(rows, batch_size=2000)
        record_events(_lapsing_events(shop, before, rows, now, params))
        record_events(
            [
                event_row(
                    shop.pk,
                    types.CUSTOMER_SEGMENT_ENTERED,
                    "customer",
                    row.customer_id,
                    customer_id=row.customer_id,
                    payload={
                        "segment": row.rfm_segment,
                        "previous": previous[row.customer_id],
                        "value_segment": row.value_segment,
                    },
                    occurred_at=now,
                )
                for row in rows
                if row.customer_id in previous and previous[row.customer_id] != row.rfm_segment
            ]
        )
        insight.customers = len(rows)
        insight.orders = int(np.unique(lines.order_id).size) if len(lines) else 0
        insight.model_params = {**params, "notes": notes}
        insight.charts = charts
        insight.status = ShopInsight.Status.DONE
        insight.finished_at = timezone.now()
        insight.save()


def _lapsing_flags(values, median_gap: float) -> dict[int, bool]:
    """Customer id → lapsing (analytics.lapsing) for (id, orders, p_alive, expected purchases
    in 90 days, last order, as of) tuples."""
    if not values:
        return {}
    ids, orders, alive, expected, last, as_of = zip(*values, strict=True)
    since = [
        (at - order_at).total_seconds() / 86400 for order_at, at in zip(last, as_of, strict=True)
    ]
    nan = float("nan")
    flags = lapsing(
        np.asarray(orders, dtype=np.float64),
        np.asarray([nan if v is None else v for v in alive], dtype=np.float64),
        np.asarray([nan if v is None else v for v in expected], dtype=np.float64),
        np.asarray(since, dtype=np.float64),
        median_gap_days=median_gap,
    )
    return dict(zip(ids, flags.tolist(), strict=True))


def _lapsing_events(shop: Shop, before, rows: list[CustomerValue], now, params) -> list[dict]:
    """``customer.lapsing`` for each customer who was in the previous snapshot, not lapsing
    then, and is lapsing now (the win-back moment); nobody on a shop's first run, so imported
    history sends no win-backs."""
    if not before or not rows:
        return []
    stored = params.get("median_gap_days")
    gap = float(stored) if isinstance(stored, int | float) else float("nan")
    was = _lapsing_flags(
        [(c, o, p, e, last, at) for c, _seg, o, p, e, last, at in before if last is not None],
        gap,
    )
    now_flags = _lapsing_flags(
        [
            (r.customer_id, r.orders, r.p_alive, r.expected_purchases_90d, r.last_order_at, now)
            for r in rows
            if r.last_order_at is not None
        ],
        gap,
    )
    return [
        event_row(
            shop.pk,
            types.CUSTOMER_LAPSING,
            "customer",
            customer_id,
            customer_id=customer_id,
            payload={"median_gap_days": None if gap != gap else round(gap, 1)},
            occurred_at=now,
        )
        for customer_id, flagged in now_flags.items()
        if flagged and customer_id in was and not was[customer_id]
    ]


def _zone(shop: Shop) -> ZoneInfo:
    return ZoneInfo(shop.time_zone)


def _expected(scores, days: int) -> np.ndarray:
    model = scores.purchase_model
    if getattr(model, "params_", None) is None:
        return np.full(len(scores), np.nan)
    unit_days = UNIT_DAYS[scores.summary.time_unit]
    s = scores.summary
    return model.expected_purchases(days / unit_days, s.frequency, s.recency, s.T)


def _model_params(scores) -> dict[str, object]:
    result: dict[str, object] = {"time_unit": scores.summary.time_unit}
    for name, model in (("purchase", scores.purchase_model), ("spend", scores.spend_model)):
        fitted = getattr(model, "params_", None) if model is not None else None
        if fitted is not None:
            values = {k: round(float(v), 6) for k, v in dataclasses.asdict(fitted).items()}
            result[name] = {"model": type(model).__name__, **values}
    return result


def _midnight_utc(day: np.datetime64) -> datetime:
    """A purchase day (in the shop's zone) as an aware datetime at midnight UTC."""
    value = day.astype("datetime64[D]").item()
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _charts(shop: Shop, scores, lines, returns, now: datetime) -> dict[str, object]:
    value, rfm = scores.value, scores.rfm
    segments, segment_counts = np.unique(rfm.segment, return_counts=True)
    value_segments, value_counts = np.unique(value.segment, return_counts=True)
    clv = scores.clv[np.isfinite(scores.clv)]
    cohorts = cohort_retention(lines.customer_id, lines.ordered_at, period="M", max_periods=12)
    keep = slice(-12, None)
    months = lines.ordered_at.astype("datetime64[M]")
    last_months = np.unique(months)[-12:]
    gross = [float(lines.amount[months == m].sum()) for m in last_months]
    order_month = dict(zip(lines.order_id.tolist(), months.tolist(), strict=False))
    returned_by_month: dict = {}
    order_value: dict = {}
    for order_id, amount in zip(lines.order_id.tolist(), lines.amount.tolist(), strict=True):
        order_value[order_id] = order_value.get(order_id, 0.0) + amount
    for order_id, amount in zip(returns.order_id.tolist(), returns.amount.tolist(), strict=True):
        month = order_month.get(order_id)
        if month is None:
            continue
        lost = order_value.get(order_id, 0.0) if not np.isfinite(amount) else amount
        returned_by_month[month] = returned_by_month.get(month, 0.0) + lost
    net = [
        g - returned_by_month.get(m, 0.0) for g, m in zip(gross, last_months.tolist(), strict=True)
    ]
    funnel = journey_funnel(shop, now=now)
    return {
        "segments": dict(zip(segments.tolist(), segment_counts.tolist(), strict=True)),
        "value_segments": dict(zip(value_segments.tolist(), value_counts.tolist(), strict=True)),
        "clv": [round(float(v), 2) for v in np.sort(clv)[:: max(1, clv.size // 2000)]],
        "cohorts": {
            "labels": [str(c) for c in cohorts.cohort[keep].astype("datetime64[M]")],
            "sizes": cohorts.size[keep].tolist(),
            "retention": np.round(np.nan_to_num(cohorts.retention[keep], nan=-1.0), 4).tolist(),
        },
        "revenue": {
            "months": [str(m) for m in last_months],
            "gross": [round(v, 2) for v in gross],
            "net": [round(v, 2) for v in net],
        },
        "funnel": {
            "start": funnel.start.isoformat(),
            "end": funnel.end.isoformat(),
            "counts": funnel.counts,
        },
        "totals": {
            "gross_revenue": round(float(value.gross_revenue.sum()), 2),
            "net_revenue": round(float(value.net_revenue.sum()), 2),
            "net_margin": round(float(value.net_margin.sum()), 2),
            "clv": round(float(clv.sum()), 2),
        },
    }


@transaction.atomic
def store_daily_figures(
    shop: Shop,
    zone: ZoneInfo,
    figures: dict[date, dict[str, int]],
    *,
    checked_at: datetime,
    window: tuple[date, date],
) -> None:
    """Store freshly computed days of ``DailyFigures`` and mark every stored day of ``window``
    as checked at ``checked_at`` (the others were found unchanged)."""
    rows = [
        DailyFigures(
            shop=shop,
            day=day,
            currency=shop.currency,
            time_zone=str(zone),
            computed_at=checked_at,
            **values,
        )
        for day, values in figures.items()
    ]
    DailyFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["shop", "day"],
        update_fields=["currency", "time_zone", *FIGURES, "computed_at"],
    )
    DailyFigures.objects.for_shop(shop).filter(day__range=window).update(computed_at=checked_at)
