"""``aftersale analyze``: turn an order export into a self-contained HTML report.

No server, no database, no network: the report is one HTML file with inline CSS and SVG
charts. Progress goes to stderr: a line per stage, and on a terminal a progress bar with the
rate and the time left for every stage that takes more than a couple of seconds (``--quiet``
prints nothing but errors). The report lists how long each stage took. A malformed file stops
with a message naming the row and column and exit code 2.

Usage::

    aftersale analyze orders.csv --returns returns.csv --out report.html
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Never, TextIO

import numpy as np
from tqdm import tqdm

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
from aftersale.analytics.rfm import ONE_TIME_SEGMENTS, SEGMENTS
from aftersale.analytics.scoring import (
    SCORING_STEPS,
    CustomerScores,
    orders_until,
    score_customers,
)

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
    parser.add_argument(
        "--quiet", action="store_true", help="print nothing but errors (no progress)"
    )
    return parser


class Stages:
    """Progress of the command's stages on ``stream``, and how long each one took.

    Each stage prints one line when it starts. On a terminal, a stage that runs longer than
    ``delay`` seconds also shows a tqdm bar with its rate and the time left; off a terminal
    (a log file, a pipe) or with ``quiet`` there are no bars.
    """

    def __init__(
        self, stream: TextIO, *, quiet: bool = False, delay: float = 2.0, interval: float = 0.5
    ) -> None:
        self.stream = stream
        self.quiet = quiet
        self.delay = delay
        self.interval = interval
        self.bars = not quiet and bool(getattr(stream, "isatty", lambda: False)())
        self.timings: list[tuple[str, float]] = []

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def stage(
        self, label: str, *, total: float | None = None, unit: str = "it", record: bool = True
    ) -> Iterator[tqdm[Never]]:
        """A stage; the yielded bar takes ``update(n)`` / ``n = done`` as work is done."""
        self.say(f"{label} …")
        started = time.perf_counter()
        bar = tqdm(
            total=total,
            desc=label,
            unit=unit,
            unit_scale=unit == "B",
            unit_divisor=1024 if unit == "B" else 1000,
            file=self.stream,
            disable=not self.bars,
            delay=self.delay,
            mininterval=self.interval,
            leave=False,
        )
        try:
            yield bar
        finally:
            bar.close()
            if record:
                self.timings.append((label, time.perf_counter() - started))

    def to(self, bar: tqdm[Never]) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback that moves ``bar``."""

        def update(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
                bar.refresh()
            bar.update(done - bar.n)

        return update


def main(argv: list[str] | None = None) -> int:
    """Run ``aftersale analyze``; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    err = sys.stderr
    stages = Stages(err, quiet=args.quiet)
    started = time.perf_counter()
    try:
        if not 0 < args.horizon_months <= 120:
            raise ValueError("--horizon-months must be between 1 and 120")
        if not -1.0 <= args.margin <= 1.0:
            raise ValueError("--margin is a rate between -1 and 1, e.g. 0.4 for 40 %")
        as_of = None
        if args.as_of:
            try:
                as_of = np.datetime64(args.as_of, "D")
            except ValueError:
                raise ValueError(f"--as-of '{args.as_of}' is not a date like 2024-12-31") from None
        with stages.stage(f"Reading {args.orders.name}", unit="B") as bar:
            orders = read_orders(args.orders, progress=stages.to(bar))
        stages.say(f"  {len(orders):,} order lines")
        returns: Returns | None = None
        if args.returns is not None:
            with stages.stage(f"Reading {args.returns.name}", unit="B") as bar:
                returns = read_returns(args.returns, orders, progress=stages.to(bar))
            stages.say(f"  {len(returns):,} returned lines / unclaimed parcels")
        with stages.stage(
            f"Scoring customers ({MODEL_NAMES[args.model]} and Gamma-Gamma)",
            total=len(SCORING_STEPS),
            unit="step",
            record=False,
        ) as bar:

            def step(name: str) -> None:
                bar.set_postfix_str(name, refresh=False)
                bar.update(1)

            scores = score_customers(
                orders,
                returns,
                model=args.model,
                observation_end=as_of,
                horizon_months=args.horizon_months,
                discount_rate=args.discount_rate,
                default_margin_rate=args.margin,
                progress=step,
            )
        stages.timings.extend(scores.timings)
        stages.say(f"  {len(scores):,} customers")
        for note in scores.notes:
            stages.say(f"  note: {note}")
        with stages.stage(f"Writing {args.out}", total=len(SECTIONS), unit="section") as bar:
            html = render_report(
                scores,
                orders,
                returns,
                title=args.title,
                currency=args.currency,
                timings=stages.timings,
                progress=lambda: bar.update(1),
            )
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
    stages.say(
        f"Done in {time.perf_counter() - started:.1f} s: {len(scores):,} customers → {args.out}"
    )
    return EXIT_OK


def _money(value: float, currency: str) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{value:,.2f} {escape(currency)}".replace(",", "\u202f")


def _pct(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{value * 100:.1f} %"


def _total(values: np.ndarray) -> float:
    """Sum of the finite values; NaN (shown as "–") when there are none, e.g. no model."""
    finite = values[np.isfinite(values)]
    return float(finite.sum()) if finite.size else float("nan")


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def _count(value: float, digits: int = 0) -> str:
    return "–" if not np.isfinite(value) else f"{value:,.{digits}f}"


#: The report's sections, in order.
SECTIONS = (
    "Summary",
    "Segments",
    "One-time buyers",
    "Customer lifetime value",
    "Cohort retention",
    "Gross vs net revenue",
    "Top customers by CLV",
    "Products by return rate",
    "How these numbers are made",
)


def render_report(
    scores: CustomerScores,
    orders: OrderLines,
    returns: Returns | None,
    *,
    title: str = "Customer value report",
    currency: str = "EUR",
    timings: Sequence[tuple[str, float]] = (),
    progress: Callable[[], object] | None = None,
) -> str:
    """The whole report as one HTML document (inline CSS and SVG, no external resources).

    ``timings`` (stage, seconds) are listed at the end; ``progress`` is called per section.
    """
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
        ("Average P(alive)", _pct(_mean(scores.p_alive))),
        (
            f"Expected purchases, next {scores.horizon_months} months",
            _count(_total(scores.expected_purchases)),
        ),
        (
            f"Net CLV, next {scores.horizon_months} months",
            _money(_total(scores.clv), currency),
        ),
        ("Analysis date", str(scores.observation_end)),
    ]
    builders: list[Callable[[], str]] = [
        lambda: _table(["Measure", "Value"], summary_rows, numeric_from=1),
        lambda: _segments(scores, currency),
        lambda: _one_time_buyers(scores, currency),
        lambda: _clv(scores, currency),
        lambda: _cohorts(orders, scores),
        lambda: _revenue_by_month(orders, returns, currency),
        lambda: _top_customers(scores, currency),
        lambda: _products(orders, returns, currency),
        lambda: _method(scores, timings),
    ]
    sections = []
    for heading, build in zip(SECTIONS, builders, strict=True):
        sections.append(_section(heading, build()))
        if progress is not None:
            progress()
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
        rfm_rows.append(
            [
                escape(name.replace("_", " ")),
                f"{int(np.count_nonzero(members)):,}",
                _pct(_mean(scores.p_alive[members])),
                _count(_mean(scores.expected_purchases[members]), 2),
                _money(_total(scores.clv[members]), currency),
            ]
        )
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
        + _table(
            [
                "RFM segment",
                "Customers",
                "Average P(alive)",
                f"Expected purchases per customer, next {scores.horizon_months} months",
                "Net CLV",
            ],
            rfm_rows,
        )
        + "<p class='note'>R scores recency and M money among all customers; F scores the "
        "number of purchases among repeat buyers only, so customers who bought once have "
        "segments of their own (one time recent / one time lapsed) instead of sharing one "
        "middling F score with everybody. “–”: no model could be fitted for that figure.</p>"
        + _p_alive_note(scores)
    )


def _p_alive_note(scores: CustomerScores) -> str:
    once = scores.summary.frequency == 0
    if not once.any() or not np.all(np.isfinite(scores.p_alive[once])):
        return ""
    if not np.allclose(scores.p_alive[once], 1.0):
        return ""
    return (
        "<p class='note'>P(alive) is 100 % for every customer who bought once: the "
        f"{escape(type(scores.purchase_model).__name__)} model lets customers drop out only "
        "right after a repeat purchase, so one purchase gives no evidence that they left. That "
        "is why a segment of one-time buyers can show 100 % however long ago they bought. Their "
        "expected purchases, which fall the longer they stay away, rank them instead (next "
        "section).</p>"
    )


def _one_time_buyers(scores: CustomerScores, currency: str) -> str:
    once = np.flatnonzero(scores.summary.frequency == 0)
    share = once.size / max(len(scores), 1)
    intro = (
        f"<p>{once.size:,} customers ({share:.0%}) bought once. Split by how recently they "
        "bought (R score 3–5: one time recent, 1–2: one time lapsed) and ranked by the "
        "purchases the model expects from them, the most likely to come back first.</p>"
    )
    if once.size == 0:
        return intro
    expected = scores.expected_purchases[once]
    if not np.any(np.isfinite(expected)):
        return intro + "<p>No purchase model could be fitted, so they are not ranked (–).</p>"
    ranked = once[np.argsort(-np.nan_to_num(expected, nan=-np.inf), kind="stable")][:20]
    rows = [
        [
            escape(str(scores.customer_id[i])),
            escape(scores.rfm.segment[i].replace("_", " ")),
            _count(float(scores.expected_purchases[i]), 2),
            str(scores.summary.last_purchase[i]),
            _money(float(scores.value.net_revenue[i]), currency),
            _money(float(scores.clv[i]), currency),
        ]
        for i in ranked
    ]
    groups = [
        [
            escape(name.replace("_", " ")),
            f"{int(np.count_nonzero(scores.rfm.segment[once] == name)):,}",
            _count(_mean(expected[scores.rfm.segment[once] == name]), 3),
        ]
        for name in ONE_TIME_SEGMENTS
    ]
    return (
        intro
        + _table(["Group", "Customers", "Expected purchases per customer"], groups)
        + _table(
            [
                "Customer",
                "Group",
                f"Expected purchases, next {scores.horizon_months} months",
                "Purchase day",
                "Net revenue",
                "Net CLV",
            ],
            rows,
        )
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
            _count(float(scores.expected_purchases[i]), 2),
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


def _method(scores: CustomerScores, timings: Sequence[tuple[str, float]] = ()) -> str:
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
    if timings:
        text.append(
            "<h3>Time taken</h3>"
            + _table(
                ["Stage", "Seconds"],
                [[escape(label), f"{seconds:,.2f}"] for label, seconds in timings]
                + [["Total", f"{sum(seconds for _, seconds in timings):,.2f}"]],
            )
        )
    return "".join(text)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
