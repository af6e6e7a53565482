"""The flow editor saves what it shows: the measured failures of issue 12 as stories.

Each test reads the editor page as a browser would submit it (tests/html_forms.py), so the
blank step at the end, the default choices and the labels are what a merchant meets.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from aftersale.flows.models import Flow, Step
from aftersale.timeline import types
from tests.html_forms import form_data


def editor(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), form_data(response.content.decode(), "flow-editor")


def new_flow(client, **fields):
    """The new-flow page as shown, filled in with ``fields`` and one step sending a template."""
    _page, data = editor(client, "/flows/new/")
    data.update({"form-0-type": "email", "form-0-template_key": "order_thanks"})
    data.update(fields)
    return data


def steps_of(flow):
    return list(
        flow.steps.order_by("position").values_list(
            "type", "wait", "wait_anchor", "condition", "template_key"
        )
    )


@pytest.mark.parametrize(
    "key", ["order_thanks", "pickup_reminder_3d", "ready_for_pickup", "shipped"]
)
def test_it_saves_an_existing_flow_unchanged(login, shop_a, key):
    flow = Flow.objects.for_shop(shop_a.shop).get(key=key)
    before = (
        steps_of(flow),
        flow.enabled,
        flow.trigger_type,
        sorted(flow.exit_events),
        flow.flow_filter,
    )
    client = login(shop_a.owner)
    _page, data = editor(client, f"/flows/{flow.pk}/edit/")

    response = client.post(f"/flows/{flow.pk}/edit/", data)

    assert response.status_code == 302, response.content.decode()
    flow.refresh_from_db()
    after = (
        steps_of(flow),
        flow.enabled,
        flow.trigger_type,
        sorted(flow.exit_events),
        flow.flow_filter,
    )
    assert after == before


def test_it_saves_a_new_flow_as_the_user_chose(login, shop_a):
    client = login(shop_a.owner)
    data = new_flow(
        client, name="Thanks for the review", status="on", trigger_type=types.SHIPMENT_DELIVERED
    )
    response = client.post("/flows/new/", data)
    assert response.status_code == 302, response.content.decode()
    flow = Flow.objects.for_shop(shop_a.shop).get(name="Thanks for the review")
    assert flow.enabled is True
    assert steps_of(flow) == [("email", None, "", "", "order_thanks")]

    data = new_flow(client, name="Draft", status="off", trigger_type=types.ORDER_PLACED)
    assert client.post("/flows/new/", data).status_code == 302
    assert Flow.objects.for_shop(shop_a.shop).get(name="Draft").enabled is False


def test_it_asks_whether_a_new_flow_is_on_or_off(login, shop_a):
    client = login(shop_a.owner)
    data = new_flow(client, name="Undecided", trigger_type=types.ORDER_PLACED)
    assert "status" not in data, "a new flow's status is not chosen for the merchant"
    response = client.post("/flows/new/", data)
    assert response.status_code == 200
    assert "Choose whether the flow is on or off." in response.content.decode()
    assert not Flow.objects.filter(name="Undecided").exists()


def test_it_shows_errors_beside_the_field_and_in_a_summary_at_the_top(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    client = login(shop_a.owner)
    _page, data = editor(client, f"/flows/{flow.pk}/edit/")
    new = int(data["form-TOTAL_FORMS"]) - 1
    data[f"form-{new}-type"] = "wait"

    response = client.post(f"/flows/{flow.pk}/edit/", data)

    page = response.content.decode()
    assert response.status_code == 200
    summary = page[
        page.index('class="error-summary"') : page.index(
            "</div>", page.index('class="error-summary"')
        )
    ]
    field_id = f"id_form-{new}-wait_days"
    assert f'href="#{field_id}"' in summary
    assert "Give the wait in days or hours." in summary
    assert page.index('class="error-summary"') < page.index('id="flow-editor"')
    beside = page[page.index(f'for="{field_id}"') - 400 : page.index(f'id="{field_id}"') + 200]
    assert "Give the wait in days or hours." in beside
    assert 'aria-invalid="true"' in beside
    assert steps_of(flow) == [("email", None, "", "", "order_thanks")]


def test_it_ignores_the_blank_step_and_adds_a_filled_one(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    client = login(shop_a.owner)
    _page, data = editor(client, f"/flows/{flow.pk}/edit/")
    new = int(data["form-TOTAL_FORMS"]) - 1
    data.update({f"form-{new}-type": "wait", f"form-{new}-wait_days": "3"})
    assert client.post(f"/flows/{flow.pk}/edit/", data).status_code == 302
    assert steps_of(flow) == [
        ("email", None, "", "", "order_thanks"),
        ("wait", timedelta(days=3), "", "", ""),
    ]


def test_it_names_a_half_filled_step_without_a_type(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    client = login(shop_a.owner)
    _page, data = editor(client, f"/flows/{flow.pk}/edit/")
    new = int(data["form-TOTAL_FORMS"]) - 1
    data[f"form-{new}-wait_days"] = "2"
    response = client.post(f"/flows/{flow.pk}/edit/", data)
    assert response.status_code == 200
    assert "Choose what this step does, or clear its fields." in response.content.decode()


def test_it_needs_at_least_one_step(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    client = login(shop_a.owner)
    _page, data = editor(client, f"/flows/{flow.pk}/edit/")
    data["form-0-DELETE"] = "on"
    response = client.post(f"/flows/{flow.pk}/edit/", data)
    assert response.status_code == 200
    assert "A flow needs at least one step." in response.content.decode()
    assert flow.steps.count() == 1


def test_it_refuses_a_condition_that_jumps_past_the_last_step(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    client = login(shop_a.owner)
    _page, data = editor(client, f"/flows/{flow.pk}/edit/")
    new = int(data["form-TOTAL_FORMS"]) - 1
    data.update(
        {
            f"form-{new}-type": "condition",
            f"form-{new}-condition": "has_marketing_consent",
            f"form-{new}-else_position": "9",
        }
    )
    response = client.post(f"/flows/{flow.pk}/edit/", data)
    assert response.status_code == 200
    assert "There is no step 9; the flow has 2 steps." in response.content.decode()


@pytest.mark.parametrize(
    "language, trigger, exit_event",
    [
        ("en", "Parcel ready for pickup", "Parcel picked up"),
        ("fi", "Paketti noudettavissa", "Paketti noudettu"),
        ("sv", "Paket redo att hämtas", "Paket hämtat"),
    ],
)
def test_it_names_triggers_and_events_in_the_readers_language(
    login, shop_a, language, trigger, exit_event
):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="ready_for_pickup")
    client = login(shop_a.owner)
    client.cookies["django_language"] = language
    page, data = editor(client, f"/flows/{flow.pk}/edit/")
    assert f'<option value="shipment.ready_for_pickup" selected>{trigger}</option>' in page
    assert exit_event in page
    assert ">shipment.ready_for_pickup<" not in page and ">order.placed<" not in page
    assert data["trigger_type"] == "shipment.ready_for_pickup"
    with translation.override(language):
        detail = client.get(f"/flows/{flow.pk}/").content.decode()
    assert trigger in detail


def test_it_builds_the_trigger_filter_from_form_controls(login, shop_a):
    client = login(shop_a.owner)
    page, data = editor(client, "/flows/new/")
    assert "trigger_filter" not in data and "{" not in data.get("filter_kind", "")
    assert (
        '<select name="filter_kind"' in page and '<input type="text" name="filter_carrier"' in page
    )
    data = new_flow(
        client,
        name="Complaint follow-up",
        status="on",
        trigger_type=types.RETURN_REQUESTED,
        filter_kind="complaint",
        filter_return_method="drop_off",
    )
    assert client.post("/flows/new/", data).status_code == 302
    flow = Flow.objects.for_shop(shop_a.shop).get(name="Complaint follow-up")
    assert flow.trigger_filter == {"kind": "complaint", "return_method": "drop_off"}

    _page, again = editor(client, f"/flows/{flow.pk}/edit/")
    assert again["filter_kind"] == "complaint" and again["filter_return_method"] == "drop_off"


def test_it_refuses_a_filter_that_the_trigger_never_carries(login, shop_a):
    client = login(shop_a.owner)
    data = new_flow(
        client,
        name="Mismatch",
        status="on",
        trigger_type=types.ORDER_PLACED,
        filter_carrier="posti",
    )
    response = client.post("/flows/new/", data)
    assert response.status_code == 200
    assert "“Carrier” applies only to delivery events." in response.content.decode()
    assert not Flow.objects.filter(name="Mismatch").exists()


def test_it_keeps_filters_and_events_it_has_no_control_for(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    Flow.objects.filter(pk=flow.pk).update(
        trigger_filter={"currency": "EUR"}, exit_events=["pickup_points.imported"]
    )
    client = login(shop_a.owner)
    page, data = editor(client, f"/flows/{flow.pk}/edit/")
    assert "currency = EUR" in page
    assert client.post(f"/flows/{flow.pk}/edit/", data).status_code == 302
    flow.refresh_from_db()
    assert flow.trigger_filter == {"currency": "EUR"}
    assert flow.exit_events == ["pickup_points.imported"]


def test_a_condition_step_offers_conditions_by_name(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    page, _data = editor(login(shop_a.owner), f"/flows/{flow.pk}/edit/")
    assert "the customer accepts marketing" in page
    assert str(Step.Type.CONDITION.label) in page


def test_it_asks_to_delete_an_existing_step_rather_than_blank_it(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="pickup_reminder_3d")
    client = login(shop_a.owner)
    _page, data = editor(client, f"/flows/{flow.pk}/edit/")
    data["form-0-type"] = ""
    response = client.post(f"/flows/{flow.pk}/edit/", data)
    assert "Choose what this step does, or tick Delete to remove it." in response.content.decode()
    data["form-0-DELETE"] = "on"
    assert client.post(f"/flows/{flow.pk}/edit/", data).status_code == 302
    assert steps_of(flow) == [("email", None, "", "", "pickup_reminder")]
