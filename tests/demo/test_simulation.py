"""The simulator alone (no database): same seed, same data; and the shapes the data promises."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from aftersale.demo.places import POSTCODE_CITY
from aftersale.demo.simulation import DemoParameters, fingerprint, simulate

SMALL = DemoParameters(end_date=date(2026, 6, 15), seed=11, customers=300)


@pytest.fixture(scope="module")
def small():
    return simulate(SMALL)


def test_it_gives_the_same_data_for_the_same_seed(small):
    assert fingerprint(simulate(SMALL)) == fingerprint(small)


def test_it_gives_other_data_for_another_seed_or_end_date(small):
    assert fingerprint(simulate(replace(SMALL, seed=12))) != fingerprint(small)
    assert fingerprint(simulate(replace(SMALL, end_date=date(2026, 6, 16)))) != fingerprint(small)


def test_it_needs_no_django():
    code = (
        "import sys; from datetime import date; "
        "from aftersale.demo.simulation import DemoParameters, simulate; "
        "simulate(DemoParameters(end_date=date(2026, 1, 1), customers=30)); "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_it_creates_both_shops_with_a_small_second_one(small):
    pohjola, saaristo = small.shops
    assert pohjola.spec.slug == "pohjola-style" and saaristo.spec.slug == "saaristo-tech"
    assert len(pohjola.customers) == 300 and len(saaristo.customers) == 25
    assert {line.group for line in saaristo.lines} == {"electronics"}
    assert Counter(c.language for c in saaristo.customers).most_common(1)[0][0] in ("sv", "fi")


def test_it_happens_only_inside_the_period(small):
    for shop in small.shops:
        times = [o.placed_at for o in shop.orders]
        times += [e.occurred_at for e in shop.tracking_events]
        times += [at for r in shop.returns for _, at in r.states]
        times += [r.refunded_at for r in shop.refunds]
        assert shop.start <= min(times) and max(times) < shop.end


def test_every_address_has_a_real_postcode_of_its_city(small):
    for shop in small.shops:
        for customer in shop.customers:
            assert POSTCODE_CITY[customer.postcode] == customer.city
        for point in shop.pickup_points:
            assert POSTCODE_CITY[point.postcode] == point.city


def test_every_customer_of_a_shop_has_an_own_email_address(small):
    for shop in small.shops:
        emails = [c.email for c in shop.customers]
        assert len(set(emails)) == len(emails)
        assert all(
            e.rsplit("@", 1)[1] in {"example.com", "example.net", "example.org"} for e in emails
        )


def test_bracketed_orders_hold_one_product_in_several_sizes_and_keep_one(small):
    shop = small.shops[0]
    variants = shop.catalogue.variants
    returned = {rl.order_line for rl in shop.return_lines}
    bracketed = [o for o in shop.orders if o.bracketed]
    assert bracketed, "a 300-customer shop has bracketing customers"
    for order in bracketed:
        assert shop.customers[order.customer].bracketer
        by_product: dict[int, list] = {}
        for index in order.lines:
            line = shop.lines[index]
            by_product.setdefault(variants[line.variant].product, []).append(line)
        sized = [lines for lines in by_product.values() if len(lines) > 1]
        assert len(sized) == 1, order.number
        sizes = {variants[line.variant].size for line in sized[0]}
        assert len(sizes) == len(sized[0]) >= 2
        shipment = next(s for s in shop.shipments if s.order == order.index)
        kept = [line for line in sized[0] if line.index not in returned]
        if shipment.received_at and shipment.received_at < shop.end - 20 * 86_400:
            assert len(kept) == 1, order.number
