"""``aftersale demo``: creates the demo shops and logins, refuses to overwrite, resets cleanly."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from aftersale.core.models import Membership, Shop
from aftersale.delivery.models import Shipment
from aftersale.demo.logins import demo_logins
from aftersale.orders.models import Customer, Order
from aftersale.service.models import Ticket
from aftersale.timeline.models import Event
from tests.factories import OrderFactory
from tests.planner import forget_statistics, statistics_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The command hashes the demo password once per run; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


END = date(2026, 6, 15)


def run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", end_date=END, customers=40, seed=3, stdout=out, **options)
    return out.getvalue()


def key_columns(slug: str) -> list[tuple]:
    shop = Shop.objects.get(slug=slug)
    orders = Order.objects.for_shop(shop).order_by("external_id")
    shipments = Shipment.objects.for_shop(shop).order_by("external_id")
    # The support tickets are opened when the demo is loaded (at the wall clock's time): they
    # are compared by what they say, their events without their time.
    events = Event.objects.for_shop(shop).exclude(type__startswith="ticket.")
    tickets = Ticket.objects.for_shop(shop).order_by("number")
    return [
        *orders.values_list("external_id", "placed_at", "total_cents", "customer__email", "status"),
        *shipments.values_list("external_id", "status", "held_until", "received_at"),
        *events.order_by("occurred_at", "type", "subject_type").values_list(
            "type", "occurred_at", "customer__external_id"
        ),
        *tickets.values_list("number", "subject", "state", "customer__external_id"),
    ]


def test_it_creates_both_shops_and_prints_the_logins():
    out = run_demo()
    assert set(Shop.objects.values_list("slug", flat=True)) == {"pohjola-style", "saaristo-tech"}
    assert Shop.objects.get(slug="saaristo-tech").default_language == "sv"
    assert "owner / " in out and "admin / " in out and "return rate of fashion lines" in out


def test_the_agency_user_sees_both_shops_and_admin_is_a_superuser():
    run_demo()
    User = get_user_model()
    agency = User.objects.get(username="agency")
    roles = set(Membership.objects.filter(user=agency).values_list("shop__slug", "role"))
    assert roles == {("saaristo-tech", "owner"), ("pohjola-style", "staff")}
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("aftersale-demo")
    assert any(
        line.startswith("agency / ") and "staff of pohjola-style" in line for line in demo_logins()
    )


def test_it_refuses_to_overwrite_the_demo_shops_without_reset():
    run_demo()
    orders = Order.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        run_demo()
    assert Order.objects.count() == orders


def test_reset_replaces_only_the_demo_shops(shop_a):
    OrderFactory(shop=shop_a.shop, customer__shop=shop_a.shop)
    run_demo()
    first = key_columns("pohjola-style")
    run_demo(reset=True)
    assert Order.objects.for_shop(shop_a.shop).count() == 1
    assert key_columns("pohjola-style") == first, "same seed, same data after a reset"
    assert Shop.objects.filter(slug__in=["pohjola-style", "saaristo-tech"]).count() == 2


def test_another_seed_gives_other_data():
    run_demo()
    first = key_columns("pohjola-style")
    out = StringIO()
    call_command("demo", end_date=END, customers=40, seed=4, reset=True, stdout=out)
    assert key_columns("pohjola-style") != first


def test_scale_multiplies_the_customers_and_their_orders():
    out = StringIO()
    call_command("demo", end_date=END, customers=20, seed=3, stdout=out)
    shop = Shop.objects.get(slug="pohjola-style")
    assert Customer.objects.for_shop(shop).count() == 20
    base_orders = Order.objects.for_shop(shop).count()
    call_command("demo", end_date=END, customers=20, scale=5, seed=3, reset=True, stdout=out)
    shop = Shop.objects.get(slug="pohjola-style")
    assert "100 customers" in out.getvalue()
    assert Customer.objects.for_shop(shop).count() == 100
    assert 3 * base_orders < Order.objects.for_shop(shop).count() < 8 * base_orders


@pytest.mark.parametrize("scale", ["0", "101", "ten"])
def test_it_explains_a_bad_scale(scale):
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo", "--scale", scale, "--customers", "20", stdout=StringIO())
    assert not Shop.objects.exists()


def test_the_query_planner_has_statistics_after_a_load():
    tables = ("orders_customer", "orders_order", "delivery_shipment", "timeline_event")
    forget_statistics(*tables)
    for table in tables:
        assert statistics_rows(table) == 0, "no statistics before the load"
    run_demo()
    for table in tables:
        assert statistics_rows(table) > 0, f"{table} was not analysed"


def test_it_explains_a_bad_end_date():
    with pytest.raises(CommandError, match="--end-date"):
        call_command("demo", "--end-date", "15.6.2026", stdout=StringIO())


def test_new_rows_get_fresh_ids_after_a_load(shop_a):
    run_demo()
    order = OrderFactory(shop=shop_a.shop, customer__shop=shop_a.shop)
    assert order.pk > Order.objects.exclude(pk=order.pk).order_by("-pk").first().pk
    assert Event.objects.create(
        shop=shop_a.shop,
        type="order.placed",
        subject_type="order",
        subject_id=order.pk,
        occurred_at=order.placed_at,
    ).pk


def test_a_history_up_to_today_has_a_few_recent_tickets_and_nobody_is_emailed(mailoutbox):
    from aftersale.service.models import TicketMessage

    call_command("demo", customers=40, seed=3, stdout=StringIO())  # history up to today
    for slug in ("pohjola-style", "saaristo-tech"):
        tickets = Ticket.objects.for_shop(Shop.objects.get(slug=slug))
        assert tickets.count() == 5
        assert {"new", "waiting", "solved"} <= set(tickets.values_list("state", flat=True))
    replies = TicketMessage.objects.filter(kind="staff")
    assert replies.exists()
    assert not replies.filter(outbox_message__isnull=False).exists()  # never e-mailed
    assert mailoutbox == []


def test_a_history_that_ended_earlier_has_no_tickets_after_it():
    from aftersale.service.models import Ticket

    run_demo()
    assert not Ticket.objects.exists()
