"""The headline rates of a simulated shop, as printed by ``aftersale demo`` and documented in
docs/demo.md (the tests compute the same rates from the database with their own queries)."""

from __future__ import annotations

from collections import Counter

from aftersale.demo.simulation import DAY, ShopHistory


def headline_rates(history: ShopHistory) -> dict[str, str]:
    h = history
    customers = len(h.customers)
    orders = len(h.orders)
    counts = Counter(o.customer for o in h.orders)
    returned = {rl.order_line for rl in h.return_lines}
    # Return rates count lines delivered at least 30 days before the end (their window closed).
    settled = {s.order for s in h.shipments if s.received_at and s.received_at < h.end - 30 * DAY}
    lines: Counter[str] = Counter()
    back: Counter[str] = Counter()
    for line in h.lines:
        if line.order in settled:
            lines[line.group] += 1
            back[line.group] += line.index in returned
    finished: Counter[str] = Counter()
    unclaimed: Counter[str] = Counter()
    for s in h.shipments:
        method = h.orders[s.order].delivery_method
        if s.received_at or s.returned_at:
            finished[method] += 1
            unclaimed[method] += s.returned_at is not None
    net: Counter[str] = Counter()
    cost: Counter[str] = Counter()
    for line in h.lines:
        net[line.group] += line.total_cents * 10_000 / (10_000 + line.vat_rate_bp)
        cost[line.group] += (line.unit_cost_cents or 0) * line.quantity
    rates = {
        "customers": f"{customers:,}",
        "orders": f"{orders:,}",
        "orders per customer": f"{orders / max(customers, 1):.2f}",
        "customers with a repeat order": _pct(sum(1 for n in counts.values() if n > 1), customers),
        "marketing consent": _pct(sum(c.marketing_consent for c in h.customers), customers),
        "serial returners": _pct(sum(c.serial_returner for c in h.customers), customers),
    }
    fashion_buyers = {h.orders[line.order].customer for line in h.lines if line.group == "fashion"}
    if fashion_buyers:
        bracketers = sum(h.customers[c].bracketer for c in fashion_buyers)
        rates["bracketers (of fashion buyers)"] = _pct(bracketers, len(fashion_buyers))
    for group in ("fashion", "electronics", "personalised"):
        if lines[group]:
            rates[f"return rate of {group} lines"] = _pct(back[group], lines[group])
    for method in ("pickup_point", "parcel_locker", "home"):
        if finished[method]:
            rates[f"unclaimed, {method.replace('_', ' ')}"] = _pct(
                unclaimed[method], finished[method]
            )
    for group in ("fashion", "electronics", "personalised"):
        if net[group]:
            rates[f"gross margin of {group}"] = _pct(net[group] - cost[group], net[group])
    return rates


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"
