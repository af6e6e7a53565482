"""``aftersale analyze``: turn an order export into a self-contained HTML report.

No server, no database, no network: the report is one HTML file with inline CSS and SVG
charts. Progress goes to stderr; a malformed file stops with a message naming the row and
column and exit code 2.

Usage::

    aftersale analyze orders.csv --returns returns.csv --out report.html
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TextIO

import numpy as np

from aftersale.analytics import charts
from aftersale.analytics.cohorts import cohort_retention
from aftersale.analytics.csv_import import CsvFormatError, read_orders, read_returns
from aftersale.analytics.net_value import (
    PROFITABLE,
    SERIAL_RETURNER,
    UNPROFITABLE,
    ReturnerThresholds,
)
from aftersale.analytics.orders import OrderLines, Returns
from aftersale.analytics.products import product_returns
from aftersale.analytics.rfm import SEGMENTS
from aftersale.analytics.scoring import CustomerScores, orders_until, score_customers

MODEL_NAMES = {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD"}
EXIT_OK = 0
EXIT_INPUT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aftersale analyze",
        description=(
            "Analyse an order export (and optionally returns) into a self-contained HTML report: "
            "net revenue after returns, segments, churn risk (P(alive)), CLV, cohort retention "
            "and product return rates. See docs/analytics.md for the CSV columns."
        ),
    )
    parser.add_argument(
        "orders", type=Path, help="orders CSV (order_id, customer_id, ordered_at, amount)"
    )
    parser.add_argument("--returns", type=Path, help="returns CSV (order_id, returned_amount, ...)")
    parser.add_argument("--out", type=Path, default=Path("report.html"), help="output HTML file")
    parser.add_argument(
        "--model", choices=["bgnbd", "paretonbd"], default="bgnbd", help="purchase model"
    )
    parser.add_argument("--as-of", help="analysis date (ISO); defaults to the last order day")
    parser.add_argument("--horizon-months", type=int, default=12, help="CLV horizon in months")
    parser.add_argument(
        "--discount-rate",
        type=float,
        default=0.01,
        help="monthly discount rate for CLV (0.01 = 1%%)",
    )
    parser.add_argument(
        "--margin",
        type=float,
        default=1.0,
        help="gross margin rate for lines without cost or margin (default 1.0: margin = revenue)",
    )
    parser.add_argument("--currency", default="EUR", help="currency label in the report")
    parser.add_argument("--title", default="Customer value report", help="report title")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``aftersale analyze``; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    err = sys.stderr
    started = time.perf_counter()
    try:
        if not 0 < args.horizon_months <= 120:
            raise ValueError("--horizon-months must be between 1 and 120")
        if not -1.0 <= args.margin <= 1.0:
            raise ValueError("--margin is a rate between -1 and 1, e.g. 0.4 for 40 %")
        _progress(err, f"Reading {args.orders.name} …")
        orders = read_orders(
            args.orders, progress=lambda n: _progress(err, f"  {n:,} order lines read …")
        )
        _progress(err, f"  {len(orders):,} order lines, {len(np.unique(orders.order_id)):,} orders")
        returns: Returns | None = None
        if args.returns is not None:
            _progress(err, f"Reading {args.returns.name} …")
            returns = read_returns(args.returns, orders)
            _progress(err, f"  {len(returns):,} returned lines / unclaimed parcels")
        as_of = None
        if args.as_of:
            try:
                as_of = np.datetime64(args.as_of, "D")
            except ValueError:
                raise ValueError(f"--as-of '{args.as_of}' is not a date like 2024-12-31") from None
        _progress(
            err,
            f"Fitting the {MODEL_NAMES[args.model]} and Gamma-Gamma models …",
        )
        scores = score_customers(
            orders,
            returns,
            model=args.model,
            observation_end=as_of,
            horizon_months=args.horizon_months,
            discount_rate=args.discount_rate,
            default_margin_rate=args.margin,
        )
        for note in scores.notes:
            _progress(err, f"  note: {note}")
        _progress(err, f"Writing {args.out} …")
        html = render_report(scores, orders, returns, title=args.title, currency=args.currency)
        args.out.write_text(html, encoding="utf-8")
    except CsvFormatError as error:
        print(f"error: {error}", file=err)
        return EXIT_INPUT_ERROR
    except ValueError as error:
        print(f"error: {error}", file=err)
        return EXIT_INPUT_ERROR
    except OSError as error:
        print(f"error: cannot write {args.out}: {error.strerror}", file=err)
        return EXIT_INPUT_ERROR
    _progress(
        err,
        f"Done in {time.perf_counter() - started:.1f} s: {len(scores):,} customers → {args.out}",
    )
    return EXIT_OK


def _progress(stream: TextIO, message: str) -> None:
    print(message, file=stream, flush=True)


def _money(value: float, currency: str) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{value:,.2f} {escape(currency)}".replace(",", "\u202f")


def _pct(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{value * 100:.1f} %"


def render_report(
    scores: CustomerScores,
    orders: OrderLines,
    returns: Returns | None,
    *,
    title: str = "Customer value report",
    currency: str = "EUR",
) -> str:
    """The whole report as one HTML document (inline CSS and SVG, no external resources)."""
    orders, returns = orders_until(orders, returns, scores.observation_end)
    value = scores.value
    gross = float(value.gross_revenue.sum())
    returned = float(value.returned_revenue.sum())
    net = float(value.net_revenue.sum())
    net_margin = float(value.net_margin.sum())
    n_customers = len(scores)
    summary_rows = [
        ("Customers", f"{n_customers:,}"),
        ("Orders", f"{int(value.orders.sum()):,}"),
        ("Gross revenue", _money(gross, currency)),
        ("Returned (refunded)", _money(returned, currency)),
        ("Net revenue", _money(net, currency)),
        ("Net margin", _money(net_margin, currency)),
        ("Return rate (by value)", _pct(returned / gross if gross else float("nan"))),
        ("Return shipping paid", _money(float(value.return_shipping_cost.sum()), currency)),
        ("Unclaimed parcels", f"{int(value.unclaimed_parcels.sum()):,}"),
        ("Unclaimed-parcel costs", _money(float(value.unclaimed_cost.sum()), currency)),
        ("Repeat customers", f"{int(np.count_nonzero(scores.summary.frequency > 0)):,}"),
        (
            "Average P(alive)",
            _pct(float(np.nanmean(scores.p_alive)) if n_customers else float("nan")),
        ),
        (
            f"Expected purchases, next {scores.horizon_months} months",
            f"{np.nansum(scores.expected_purchases):,.0f}",
        ),
        (
            f"Net CLV, next {scores.horizon_months} months",
            _money(float(np.nansum(scores.clv)), currency),
        ),
        ("Analysis date", str(scores.observation_end)),
    ]
    sections = [
        _section("Summary", _table(["Measure", "Value"], summary_rows, numeric_from=1)),
        _section("Segments", _segments(scores, currency)),
        _section("Customer lifetime value", _clv(scores, currency)),
        _section("Cohort retention", _cohorts(orders, scores)),
        _section("Gross vs net revenue", _revenue_by_month(orders, returns, currency)),
        _section("Top customers by CLV", _top_customers(scores, currency)),
        _section("Products by return rate", _products(orders, returns, currency)),
        _section("How these numbers are made", _method(scores)),
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>" + "".join(sections) + "</body></html>\n"
    )


_CSS = """
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .6em;border-bottom:1px solid #eee}
th{text-align:left;background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
p.note{color:#555;font-size:.9em}svg{max-width:100%;height:auto;display:block;margin:.5em 0}
"""


def _section(heading: str, body: str) -> str:
    return f"<section><h2>{escape(heading)}</h2>{body}</section>"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 1) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if i >= numeric_from else ''}>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _segments(scores: CustomerScores, currency: str) -> str:
    value = scores.value
    value_rows = []
    labels = {
        PROFITABLE: "Profitable",
        UNPROFITABLE: "Unprofitable",
        SERIAL_RETURNER: "Serial returners",
    }
    counts = []
    for key, label in labels.items():
        mask = value.segment == key
        counts.append(float(np.count_nonzero(mask)))
        value_rows.append(
            [
                escape(label),
                f"{int(np.count_nonzero(mask)):,}",
                _money(float(value.gross_revenue[mask].sum()), currency),
                _money(float(value.net_margin[mask].sum()), currency),
                _pct(
                    float(value.returned_revenue[mask].sum())
                    / max(float(value.gross_revenue[mask].sum()), 1e-12)
                ),
            ]
        )
    limits = ReturnerThresholds()
    rfm_counts = Counter(scores.rfm.segment.tolist())
    rfm_rows = []
    for name in SEGMENTS:
        members = scores.rfm.segment == name
        alive = float(np.nanmean(scores.p_alive[members])) if members.any() else float("nan")
        rfm_rows.append(
            [
                escape(name.replace("_", " ")),
                f"{int(np.count_nonzero(members)):,}",
                _pct(alive),
                _money(float(np.nansum(scores.clv[members])), currency),
            ]
        )
    rfm_counts = Counter(scores.rfm.segment.tolist())
    return (
        charts.bar_chart(
            list(labels.values()),
            counts,
            title="Customers by value after returns",
            colors=["#3a8f4b", "#888888", "#c0392b"],
        )  # fmt: skip
        + _table(["Segment", "Customers", "Gross revenue", "Net margin", "Return rate"], value_rows)
        + f"<p class='note'>Serial returners: at least {limits.min_orders} orders with at least "
        f"{limits.return_rate:.0%} of the ordered value returned, or at least "
        f"{limits.unclaimed_parcels} unclaimed parcels. Profitable: positive net margin after "
        "returns, return shipping and unclaimed-parcel costs.</p>"
        + charts.bar_chart(
            [name.replace("_", " ") for name in SEGMENTS],
            [float(rfm_counts.get(name, 0)) for name in SEGMENTS],
            title="Customers by RFM segment",
        )
        + _table(["RFM segment", "Customers", "Average P(alive)", "Net CLV"], rfm_rows)
    )


def _clv(scores: CustomerScores, currency: str) -> str:
    clv = scores.clv[np.isfinite(scores.clv)]
    if clv.size == 0:
        return "<p>No CLV: " + escape(" ".join(scores.notes)) + "</p>"
    quantiles = np.quantile(clv, [0.5, 0.9, 0.99])
    return charts.histogram(
        clv, title=f"Net CLV per customer, next {scores.horizon_months} months", x_label=currency
    ) + _table(
        ["Net CLV", "Value"],
        [
            ("Median", _money(float(quantiles[0]), currency)),
            ("Top 10 % from", _money(float(quantiles[1]), currency)),
            ("Top 1 % from", _money(float(quantiles[2]), currency)),
            ("Customers with negative net CLV", f"{int(np.count_nonzero(clv < 0)):,}"),
        ],
    )


def _cohorts(orders: OrderLines, scores: CustomerScores) -> str:
    keep = orders.ordered_at <= scores.observation_end
    retention = cohort_retention(orders.customer_id[keep], orders.ordered_at[keep], max_periods=13)
    rows = slice(max(0, retention.cohort.size - 18), None)
    labels = [str(c) for c in retention.cohort[rows]]
    columns = [str(k) for k in range(retention.retention.shape[1])]
    return (
        charts.heat_map(
            [
                f"{label} ({size:,})"
                for label, size in zip(labels, retention.size[rows], strict=True)
            ],
            columns,
            retention.retention[rows],
            title="Share of each monthly cohort buying again, by months since the first purchase",
        )
        + "<p class='note'>Rows: month of first purchase (customers). "
        "Columns: months since then.</p>"
    )


def _revenue_by_month(orders: OrderLines, returns: Returns | None, currency: str) -> str:
    months = orders.ordered_at.astype("datetime64[M]")
    unique_months, code = np.unique(months, return_inverse=True)
    gross = np.bincount(code.ravel(), weights=orders.amount, minlength=unique_months.size)
    refunded = np.zeros_like(gross)
    if returns is not None and len(returns):
        order_ids, first, order_code = np.unique(
            orders.order_id, return_index=True, return_inverse=True
        )
        order_amount = np.bincount(order_code.ravel(), weights=orders.amount)
        position = np.searchsorted(order_ids, returns.order_id)
        amount = np.where(np.isnan(returns.amount), order_amount[position], returns.amount)
        refunded = np.bincount(
            code.ravel()[first[position]], weights=amount, minlength=unique_months.size
        )
    labels = [str(m) for m in unique_months][-24:]
    return charts.paired_bars(
        labels, list(gross[-24:]), list((gross - refunded)[-24:]),
        title=f"Revenue by order month ({currency})", names=("gross", "net of returns"),
    )  # fmt: skip


def _top_customers(scores: CustomerScores, currency: str) -> str:
    order = np.argsort(-np.nan_to_num(scores.clv, nan=-np.inf))[:20]
    v = scores.value
    rows = [
        [
            escape(str(scores.customer_id[i])),
            _money(float(scores.clv[i]), currency),
            _pct(float(scores.p_alive[i])),
            f"{scores.expected_purchases[i]:.2f}",
            f"{int(v.orders[i])}",
            _money(float(v.net_revenue[i]), currency),
            _pct(float(v.return_rate[i])),
            escape(scores.rfm.segment[i].replace("_", " ")),
        ]
        for i in order
    ]
    return _table(
        [
            "Customer",
            "Net CLV",
            "P(alive)",
            "Exp. purchases",
            "Orders",
            "Net revenue",
            "Return rate",
            "RFM segment",
        ],
        rows,
    )


def _products(orders: OrderLines, returns: Returns | None, currency: str) -> str:
    if orders.sku is None:
        return "<p>The orders file has no sku column, so there are no per-product statistics.</p>"
    stats = product_returns(orders, returns)
    eligible = np.flatnonzero(stats.orders >= 5)
    if eligible.size == 0:
        eligible = np.arange(len(stats))
    ranked = eligible[np.argsort(-stats.return_rate[eligible], kind="stable")][:20]
    rows = [
        [
            escape(str(stats.sku[i])),
            f"{int(stats.orders[i]):,}",
            _money(float(stats.revenue[i]), currency),
            _money(float(stats.returned_amount[i]), currency),
            _pct(float(stats.return_rate[i])),
            escape(stats.top_reason(int(i))),
        ]
        for i in ranked
    ]
    return charts.bar_chart(
        [str(stats.sku[i]) for i in ranked[:12]],
        [float(stats.return_rate[i]) * 100 for i in ranked[:12]],
        title="Return rate by value (%), products with at least 5 orders",
    ) + _table(["Product", "Orders", "Sold", "Returned", "Return rate", "Top reason"], rows)


def _method(scores: CustomerScores) -> str:
    model = scores.purchase_model
    params = model.params_
    spend = scores.spend_model.params_ if scores.spend_model is not None else None
    text = [
        "<p>P(alive) is the probability that a customer still buys from the shop; CLV is the "
        f"discounted margin we expect from them over the next {scores.horizon_months} months, "
        "after their returns and costs. See docs/analytics.md for the methods.</p>"
    ]
    if params is not None:
        text.append(
            f"<p class='note'>Purchase model {type(model).__name__}: {escape(str(params))}</p>"
        )
    if spend is not None:
        text.append(f"<p class='note'>Spend model GammaGammaModel: {escape(str(spend))}</p>")
    text.extend(f"<p class='note'>{escape(note)}</p>" for note in scores.notes)
    return "".join(text)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
