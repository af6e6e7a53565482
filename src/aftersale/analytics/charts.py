"""Small inline-SVG charts for the offline HTML report (no scripts, no external files)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np
import numpy.typing as npt

FONT = "font-family='system-ui,sans-serif' font-size='12'"
BLUE = "#2f6db5"
ORANGE = "#d9822b"
GREY = "#888"


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.0f}k"
    if magnitude >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.2f}"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    width: int = 640,
    colors: Sequence[str] | None = None,
) -> str:
    """Horizontal bar chart with the value printed after each bar."""
    row = 24
    left = 150
    height = row * len(labels) + 40
    top = max([abs(v) for v in values if math.isfinite(v)] + [1e-12])
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 30 + i * row
        length = 0.0 if not math.isfinite(value) else (width - left - 80) * abs(value) / top
        color = (colors[i] if colors else BLUE) if value >= 0 else ORANGE
        parts.append(
            f"<text x='{left - 6}' y='{y + 15}' text-anchor='end' {FONT}>{escape(label)}</text>"
            f"<rect x='{left}' y='{y + 3}' width='{length:.1f}' height='{row - 8}' fill='{color}'/>"
            f"<text x='{left + length + 4:.1f}' y='{y + 15}' {FONT}>{_fmt(value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    values: npt.ArrayLike, *, title: str, bins: int = 30, width: int = 640, x_label: str = ""
) -> str:
    """Histogram of finite values, with the counts on the y axis."""
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data)]
    height = 220
    parts = [_open(width, height, title)]
    if data.size == 0:
        parts.append(f"<text x='20' y='60' {FONT}>No data</text></svg>")
        return "".join(parts)
    upper = float(np.quantile(data, 0.99)) if data.size > 20 else float(data.max())
    lower = min(float(data.min()), 0.0)
    if upper <= lower:
        upper = lower + 1.0
    counts, edges = np.histogram(np.clip(data, lower, upper), bins=bins, range=(lower, upper))
    plot_w, plot_h, left, base = width - 70, height - 70, 50, height - 30
    peak = max(int(counts.max()), 1)
    bar_w = plot_w / bins
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        parts.append(
            f"<rect x='{left + i * bar_w:.1f}' y='{base - h:.1f}' width='{bar_w - 1:.1f}' "
            f"height='{h:.1f}' fill='{BLUE}'><title>{_fmt(edges[i])} – {_fmt(edges[i + 1])}: "
            f"{count}</title></rect>"
        )
    parts.append(
        f"<line x1='{left}' y1='{base}' x2='{left + plot_w}' y2='{base}' stroke='{GREY}'/>"
        f"<text x='{left}' y='{base + 16}' {FONT}>{_fmt(lower)}</text>"
        f"<text x='{left + plot_w}' y='{base + 16}' text-anchor='end' {FONT}>"
        f"{_fmt(upper)}{'+' if data.max() > upper else ''}</text>"
        f"<text x='{left + plot_w / 2}' y='{base + 16}' text-anchor='middle' {FONT}>"
        f"{escape(x_label)}</text>"
        f"<text x='{left - 6}' y='{base - plot_h + 10}' text-anchor='end' {FONT}>{peak}</text>"
        f"<text x='{left - 6}' y='{base}' text-anchor='end' {FONT}>0</text></svg>"
    )
    return "".join(parts)


def paired_bars(
    labels: Sequence[str],
    first: Sequence[float],
    second: Sequence[float],
    *,
    title: str,
    names: tuple[str, str],
    width: int = 720,
) -> str:
    """Two bars per label (e.g. gross and net revenue per month), with a legend."""
    height = 240
    left, base, plot_h = 60, height - 40, height - 90
    n = max(len(labels), 1)
    slot = (width - left - 10) / n
    top = max([v for v in list(first) + list(second) if math.isfinite(v)] + [1e-12])
    parts = [_open(width, height, title)]
    for i, label in enumerate(labels):
        x = left + i * slot
        for j, (series, color) in enumerate(((first, BLUE), (second, ORANGE))):
            value = max(series[i], 0.0)
            h = plot_h * value / top
            parts.append(
                f"<rect x='{x + 2 + j * slot * 0.42:.1f}' y='{base - h:.1f}' "
                f"width='{slot * 0.4:.1f}' height='{h:.1f}' fill='{color}'>"
                f"<title>{escape(label)} {escape(names[j])}: {_fmt(series[i])}</title></rect>"
            )
        every = max(1, math.ceil(n * 50 / (width - left)))
        if i % every == 0:
            parts.append(
                f"<text x='{x + slot / 2:.1f}' y='{base + 14}' text-anchor='middle' "
                f"font-family='system-ui,sans-serif' font-size='10'>{escape(label)}</text>"
            )
    parts.append(
        f"<line x1='{left}' y1='{base}' x2='{width - 10}' y2='{base}' stroke='{GREY}'/>"
        f"<text x='{left - 6}' y='{base - plot_h + 10}' text-anchor='end' {FONT}>{_fmt(top)}</text>"
        f"<rect x='{left}' y='28' width='12' height='12' fill='{BLUE}'/>"
        f"<text x='{left + 16}' y='38' {FONT}>{escape(names[0])}</text>"
        f"<rect x='{left + 120}' y='28' width='12' height='12' fill='{ORANGE}'/>"
        f"<text x='{left + 136}' y='38' {FONT}>{escape(names[1])}</text></svg>"
    )
    return "".join(parts)


def heat_map(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    shares: npt.NDArray[np.float64],
    *,
    title: str,
) -> str:
    """Cohort heat map: darker cells for higher shares, the percentage printed in each cell."""
    cell_w, cell_h, top = 44, 22, 50
    # Room for the longest row label at about 7 px a character.
    left = max(90, 12 + 7 * max((len(label) for label in row_labels), default=0))
    width = left + cell_w * len(column_labels) + 10
    height = top + cell_h * len(row_labels) + 10
    parts = [_open(width, height, title)]
    for j, label in enumerate(column_labels):
        parts.append(
            f"<text x='{left + j * cell_w + cell_w / 2}' y='{top - 6}' text-anchor='middle' "
            f"{FONT}>{escape(label)}</text>"
        )
    for i, label in enumerate(row_labels):
        y = top + i * cell_h
        parts.append(
            f"<text x='{left - 6}' y='{y + 15}' text-anchor='end' {FONT}>{escape(label)}</text>"
        )
        for j in range(len(column_labels)):
            share = float(shares[i, j])
            if not math.isfinite(share):
                continue
            # j = 0 is always 100 %; scale the colour on the later periods
            strength = min(1.0, share / 0.3) if j else 1.0
            light = int(245 - 150 * strength)
            fill = f"rgb({light},{int(light * 0.95 + 8)},{min(255, light + 40)})"
            ink = "#fff" if strength > 0.6 else "#222"
            parts.append(
                f"<rect x='{left + j * cell_w}' y='{y}' width='{cell_w - 1}' height='{cell_h - 1}' "
                f"fill='{fill}'/><text x='{left + j * cell_w + cell_w / 2}' y='{y + 15}' "
                f"text-anchor='middle' fill='{ink}' font-family='system-ui,sans-serif' "
                f"font-size='10'>{share * 100:.0f}%</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int | float, height: int | float, title: str) -> str:
    return (
        f"<svg role='img' aria-label='{escape(title)}' "
        f"width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"
        f"<text x='4' y='16' font-family='system-ui,sans-serif' font-size='13' "
        f"font-weight='600'>{escape(title)}</text>"
    )
