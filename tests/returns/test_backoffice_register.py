"""Staff register a return for a customer who phones: the portal's rules (the statutory right
included), recorded as registered by staff on the return and the customer's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from aftersale.returns.models import ReturnRequest
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.returns.fixtures import DELIVERED_AT, delivered_order, non_returnable_line, set_policy

pytestmark = pytest.mark.django_db

NOW = DELIVERED_AT + timedelta(days=3)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def post_return(client, order, line, reason="too_small", **extra):
    prefix = f"line-{line.pk}"
    data = {
        f"{prefix}-selected": "1",
        f"{prefix}-quantity": "1",
        f"{prefix}-reason": reason,
        f"{prefix}-comment": "Called on Monday",
        "resolution": "refund",
        "method": "drop_off",
        **extra,
    }
    return client.post(reverse("backoffice:return_register", args=[order.pk]), data)


def test_staff_register_a_return_that_is_marked_and_audited(login, shop_a):
    set_policy(shop_a.shop, drop_off_fee_cents=490)
    order = delivered_order(shop_a.shop)
    line = order.lines.order_by("id").first()
    client = login(shop_a.staff)
    page = client.get(reverse("backoffice:order_detail", args=[order.pk])).content.decode()
    assert reverse("backoffice:return_register", args=[order.pk]) in page
    form = client.get(reverse("backoffice:return_register", args=[order.pk])).content.decode()
    assert "Merino shirt M" in form and "statutory 14-day right" in form

    response = post_return(client, order, line)

    return_request = ReturnRequest.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:return_detail", args=[return_request.pk])
    assert return_request.registered_by == shop_a.staff
    assert return_request.fee_cents == 490  # the shop's policy, as in the portal
    assert return_request.lines.get().comment == "Called on Monday"
    event = Event.objects.get(type=types.RETURN_REQUESTED, subject_id=return_request.pk)
    assert event.payload["registered_by_staff"] == "a-staff"
    timeline = client.get(reverse("backoffice:customer_detail", args=[order.customer_id]))
    assert "Return registered by staff (a-staff)" in timeline.content.decode()
    detail = client.get(response["Location"]).content.decode()
    assert "Registered by staff" in detail


def test_the_return_page_links_to_its_order_and_customer(login, shop_a):
    order = delivered_order(shop_a.shop)
    post_return(login(shop_a.staff), order, order.lines.first())
    return_request = ReturnRequest.objects.get(order=order)
    html = (
        login(shop_a.staff)
        .get(reverse("backoffice:return_detail", args=[return_request.pk]))
        .content.decode()
    )
    assert f'href="{reverse("backoffice:order_detail", args=[order.pk])}"' in html
    assert f'href="{reverse("backoffice:customer_detail", args=[order.customer_id])}"' in html


def test_after_the_return_period_only_a_complaint_is_taken(login, shop_a):
    order = delivered_order(shop_a.shop)
    line = order.lines.order_by("id").first()
    with time_machine.travel(DELIVERED_AT + timedelta(days=90), tick=False):
        client = login(shop_a.staff)
        refused = post_return(client, order, line, reason="too_small")
        assert refused.status_code == 400
        assert "return period ended" in refused.content.decode()
        assert not ReturnRequest.objects.exists()
        # A defect can always be reported; staff need no photo from a caller.
        accepted = post_return(client, order, line, reason="arrived_damaged")
    assert accepted.status_code == 302
    assert ReturnRequest.objects.get().kind == ReturnRequest.Kind.COMPLAINT


def test_a_hygiene_item_is_refused_as_in_the_portal(login, shop_a):
    order = delivered_order(shop_a.shop)
    line = non_returnable_line(order, "hygiene")
    response = post_return(login(shop_a.staff), order, line)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_a_foreign_shops_order_cannot_get_a_return(login, shop_a, shop_b):
    order = delivered_order(shop_b.shop)
    response = post_return(login(shop_a.owner), order, order.lines.first())
    assert response.status_code == 404
    assert not ReturnRequest.objects.exists()
