"""A mid-size demo load (2,000 customers) read back from the database with the ORM: the
headline rates are inside the bands docs/demo.md promises, and the rows agree with each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max, Q, Sum

from aftersale.core.models import Shop
from aftersale.delivery.models import Shipment, TrackingEvent
from aftersale.demo.logins import DEMO_SUPERUSER, DEMO_USERS, delete_demo_shops
from aftersale.demo.places import POSTCODE_CITY
from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund
from aftersale.returns.models import ReturnLine, ReturnRequest
from aftersale.timeline import types
from aftersale.timeline.models import Event

END_DATE = date(2026, 6, 15)
# The history ends at midnight in Helsinki (UTC+3 in summer) at the start of END_DATE.
END = datetime(2026, 6, 14, 21, 0, tzinfo=UTC)
SETTLED = END - timedelta(days=30)  # deliveries whose return window has closed

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command(
            "demo", customers=2000, seed=7, end_date=END_DATE, reset=True, stdout=StringIO()
        )
        yield Shop.objects.get(slug="pohjola-style")
        delete_demo_shops()
        from django.contrib.auth import get_user_model

        names = [u for u, _, _ in DEMO_USERS] + [DEMO_SUPERUSER]
        get_user_model().objects.filter(username__in=names).delete()


def share(part: int, whole: int) -> float:
    assert whole, "nothing to measure"
    return part / whole


def group_of(line_category_parent: str) -> str:
    return line_category_parent.removeprefix("root-")


# -- headline rates ------------------------------------------------------------------------


def test_it_creates_enough_orders_with_repeat_buyers(demo):
    customers = Customer.objects.for_shop(demo).count()
    per_customer = Order.objects.for_shop(demo).values("customer").annotate(n=Count("id"))
    orders = sum(row["n"] for row in per_customer)
    assert customers == 2000
    assert 2.3 <= orders / customers <= 3.2
    assert 0.45 <= share(sum(1 for row in per_customer if row["n"] > 1), customers) <= 0.65


def test_return_rates_by_category_are_in_their_bands(demo):
    lines = (
        OrderLine.objects.for_shop(demo)
        .filter(order__shipments__received_at__lt=SETTLED)
        .annotate(returned=Count("return_lines"))
    )
    totals, back = Counter(), Counter()
    for group, returned in lines.values_list(
        "variant__product__category__parent__external_id", "returned"
    ):
        totals[group_of(group)] += 1
        back[group_of(group)] += bool(returned)
    assert 0.30 <= share(back["fashion"], totals["fashion"]) <= 0.50
    assert share(back["electronics"], totals["electronics"]) < 0.10
    assert share(back["personalised"], totals["personalised"]) < 0.05


def test_return_reasons_fit_the_category(demo):
    reasons = defaultdict(Counter)
    for group, reason in ReturnLine.objects.for_shop(demo).values_list(
        "order_line__variant__product__category__parent__external_id", "reason"
    ):
        reasons[group_of(group)][reason] += 1
    assert [r for r, _ in reasons["fashion"].most_common(2)] in (
        ["too_small", "too_large"],
        ["too_large", "too_small"],
    )
    top = {r for r, _ in reasons["electronics"].most_common(3)}
    assert top <= {"arrived_damaged", "not_as_described", "changed_mind"}


def test_unclaimed_rates_by_delivery_method_are_realistic_and_concentrated(demo):
    finished = Shipment.objects.for_shop(demo).filter(
        Q(received_at__isnull=False) | Q(returned_at__isnull=False)
    )
    rates = {}
    for method in ("pickup_point", "parcel_locker", "home"):
        of_method = finished.filter(order__delivery_method=method)
        rates[method] = share(
            of_method.filter(returned_at__isnull=False).count(), of_method.count()
        )
    assert 0.02 <= rates["pickup_point"] <= 0.06, rates
    assert 0.01 <= rates["parcel_locker"] <= 0.05, rates
    assert rates["home"] <= 0.02, rates
    unclaimed = Counter(
        finished.filter(returned_at__isnull=False).values_list("order__customer", flat=True)
    )
    repeat = sum(n for n in unclaimed.values() if n > 1)
    assert share(repeat, sum(unclaimed.values())) >= 0.25, "a few customers leave many parcels"


def test_delivery_and_payment_shares(demo):
    orders = Order.objects.for_shop(demo)
    total = orders.count()
    methods = Counter(orders.values_list("delivery_method", flat=True))
    assert 0.50 <= share(methods["pickup_point"], total) <= 0.60
    assert 0.20 <= share(methods["parcel_locker"], total) <= 0.30
    assert 0.15 <= share(methods["home"], total) <= 0.25
    payments = Counter(Payment.objects.for_shop(demo).values_list("method", flat=True))
    assert set(payments) == {"card", "bank", "mobile", "invoice"}
    assert payments.most_common(1)[0][0] == "card"


def test_customers_speak_finnish_swedish_and_english_and_six_in_ten_consent(demo):
    customers = Customer.objects.for_shop(demo)
    languages = Counter(customers.values_list("language", flat=True))
    assert 0.80 <= share(languages["fi"], 2000) <= 0.90
    assert 0.07 <= share(languages["sv"], 2000) <= 0.13
    assert 0.02 <= share(languages["en"], 2000) <= 0.08
    consenting = customers.filter(marketing_consent=True)
    assert 0.55 <= share(consenting.count(), 2000) <= 0.65
    assert not consenting.filter(
        Q(consent_at__isnull=True) | ~Q(consent_source="checkout")
    ).exists()
    assert set(consenting.values_list("consent_wording_version", flat=True)) == {"2024-01"}


def test_margins_are_realistic(demo):
    margins = {}
    for group in ("fashion", "electronics"):
        lines = OrderLine.objects.for_shop(demo).filter(
            variant__product__category__parent__external_id=f"root-{group}"
        )
        net = sum(
            total * 10_000 / (10_000 + rate)
            for total, rate in lines.values_list("total_cents", "vat_rate_bp")
        )
        cost = lines.aggregate(c=Sum(F("unit_cost_cents") * F("quantity")))["c"]
        margins[group] = (net - cost) / net
    assert 0.55 <= margins["fashion"] <= 0.65, margins
    assert 0.15 <= margins["electronics"] <= 0.25, margins


def test_a_minority_return_most_of_what_they_buy(demo):
    bought = Counter(OrderLine.objects.for_shop(demo).values_list("order__customer", flat=True))
    returned = Counter(
        ReturnLine.objects.for_shop(demo).values_list("order_line__order__customer", flat=True)
    )
    heavy = [c for c, n in bought.items() if n >= 4 and returned[c] / n >= 0.6]
    assert 0.01 <= share(len(heavy), len(bought)) <= 0.06


# -- consistency ---------------------------------------------------------------------------


def test_every_shipment_status_is_its_last_tracking_event(demo):
    last = {}
    for shipment, status in (
        TrackingEvent.objects.for_shop(demo)
        .order_by("shipment", "occurred_at", "id")
        .values_list("shipment", "status")
    ):
        last[shipment] = status
    shipments = dict(Shipment.objects.for_shop(demo).values_list("id", "status"))
    assert shipments == last


def test_shipment_times_agree_with_the_holding_period(demo):
    shipments = Shipment.objects.for_shop(demo)
    waiting = shipments.filter(ready_at__isnull=False)
    for ready, held, kind in waiting.values_list("ready_at", "held_until", "pickup_point__kind"):
        assert held - ready == timedelta(days=14 if kind == "counter" else 7)
    assert not shipments.filter(received_at__lt=F("shipped_at")).exists()
    assert shipments.filter(status="ready_for_pickup", held_until__gt=END).exists(), (
        "parcels are waiting for pickup at the end of the history"
    )
    assert shipments.filter(status__in=["created", "shipped", "in_transit"]).exists()
    assert not TrackingEvent.objects.for_shop(demo).filter(occurred_at__gte=END).exists()


def test_every_order_has_one_payment_of_its_total(demo):
    orders = Order.objects.for_shop(demo).annotate(
        paid=Sum("payments__amount_cents"), payments_count=Count("payments")
    )
    assert not orders.exclude(payments_count=1).exists()
    assert not orders.exclude(paid=F("total_cents")).exists()


def test_refunds_never_exceed_what_was_paid(demo):
    refunded = Order.objects.for_shop(demo).annotate(refunded=Sum("refunds__amount_cents"))
    assert refunded.filter(refunded__gt=0).exists()
    assert not refunded.filter(refunded__gt=F("total_cents")).exists()
    returns = ReturnRequest.objects.for_shop(demo)
    assert not returns.filter(state="refunded", refund_cents__isnull=True).exists()
    unclaimed = Refund.objects.for_shop(demo).filter(return_request__isnull=True)
    assert unclaimed.filter(amount_cents__lt=F("order__total_cents")).exists()


def test_returned_quantities_never_exceed_what_was_bought(demo):
    lines = OrderLine.objects.for_shop(demo).annotate(back=Sum("return_lines__quantity"))
    assert not lines.filter(back__gt=F("quantity")).exists()


def test_returns_reach_realistic_states(demo):
    returns = ReturnRequest.objects.for_shop(demo)
    old = Counter(returns.filter(requested_at__lt=SETTLED).values_list("state", flat=True))
    assert old.most_common(1)[0][0] == "refunded"
    assert not set(old) & {"requested", "approved", "in_transit", "received"}
    recent = set(
        returns.filter(requested_at__gte=END - timedelta(days=7)).values_list("state", flat=True)
    )
    assert len(recent & {"requested", "approved", "in_transit", "received", "inspected"}) >= 2


def test_bracketers_orders_hold_one_product_in_several_sizes(demo):
    lines = OrderLine.objects.for_shop(demo).filter(order__shipments__received_at__lt=SETTLED)
    # One product in one colour, several lines: necessarily several sizes.
    repeated = (
        lines.values("order", "variant__product", "variant__colour")
        .annotate(sizes=Count("variant__size", distinct=True), lines=Count("id"))
        .filter(lines__gt=1)
    )
    assert repeated.count() >= 20
    kept_one = 0
    for row in repeated:
        assert row["sizes"] == row["lines"]
        same = lines.filter(
            order=row["order"],
            variant__product=row["variant__product"],
            variant__colour=row["variant__colour"],
        )
        kept_one += same.filter(return_lines__isnull=True).count() == 1
    assert kept_one / repeated.count() >= 0.9, "bracketers keep one size and return the rest"


def test_every_event_is_on_a_customer_timeline_and_nothing_is_in_the_future(demo):
    events = Event.objects.for_shop(demo)
    assert not events.filter(customer__isnull=True).exists()
    assert events.aggregate(last=Max("occurred_at"))["last"] < END
    counts = Counter(events.values_list("type", flat=True))
    orders = Order.objects.for_shop(demo).count()
    assert counts[types.ORDER_PLACED] == orders == counts[types.PAYMENT_RECEIVED]
    shipment_events = sum(n for t, n in counts.items() if t.startswith("shipment."))
    assert shipment_events == TrackingEvent.objects.for_shop(demo).count()
    assert counts[types.REFUND_ISSUED] == Refund.objects.for_shop(demo).count()
    assert counts[types.RETURN_REQUESTED] == ReturnRequest.objects.for_shop(demo).count()


def test_addresses_have_real_postcodes_and_apartments_have_stair_and_flat(demo):
    customers = Customer.objects.for_shop(demo)
    for postcode, city in customers.values_list("postcode", "city"):
        assert POSTCODE_CITY[postcode] == city
    flats = [s for s in customers.values_list("street", flat=True) if len(s.split()) == 4]
    assert share(len(flats), 2000) >= 0.5
    assert all(s.split()[2].isalpha() and s.split()[3].isdigit() for s in flats)


# -- the unclaimed loop on demo data -------------------------------------------------------


def test_unclaimed_statistics_match_an_independent_count(demo):
    from aftersale.delivery.selectors import UnclaimedCosts, flagged_customers, unclaimed_by

    reached_states = {"ready_for_pickup", "delivered", "picked_up", "returned_to_sender"}
    by_method: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_customer: Counter = Counter()
    rows = Shipment.objects.for_shop(demo).values_list(
        "status",
        "ready_at",
        "received_at",
        "returned_at",
        "order__delivery_method",
        "order__customer_id",
    )
    for status, ready, received, returned, method, customer in rows:
        came_back = status == "returned_to_sender" or returned is not None
        if status in reached_states or ready or received or came_back:
            by_method[method][0] += 1
            by_method[method][1] += came_back
        if came_back and returned is not None and returned > END - timedelta(days=365):
            by_customer[customer] += 1
    per_parcel = UnclaimedCosts().per_parcel_cents
    report = {row.key: row for row in unclaimed_by(demo, "delivery_method")}
    assert set(report) == set(by_method)
    for method, (parcels, came_back) in by_method.items():
        assert (report[method].shipments, report[method].unclaimed) == (parcels, came_back)
        assert report[method].cost_cents == came_back * per_parcel
    assert sum(u for _, u in by_method.values()) > 0
    flagged = {f.customer.pk: f.unclaimed for f in flagged_customers(demo, END)}
    assert flagged == {c: n for c, n in by_customer.items() if n >= 2}
    assert flagged, "the demo has customers who repeatedly leave parcels unclaimed"
