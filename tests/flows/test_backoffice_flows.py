"""The merchant's flow pages: list with metrics, editor, templates with preview, settings."""

from __future__ import annotations

from datetime import timedelta

from aftersale.flows.models import Flow, MessagingSettings, Step, Template
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins


def test_it_requires_login(client, shop_a):
    response = client.get("/flows/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_lists_flows_with_metrics(login, shop_a, smtp, clock, django_assert_max_num_queries):
    shop = shop_a.shop
    turn_off_builtins(shop)
    marketing_flow(shop, name="Thanks again", wait=None)
    place_order(shop)
    place_order(shop, CustomerFactory(shop=shop))
    worker_pass()
    client = login(shop_a.staff)
    with django_assert_max_num_queries(20):
        response = client.get("/flows/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thanks again" in page and "Ready for pickup" in page
    assert "no marketing consent: 1" in page


def test_it_shows_step_metrics(login, shop_a, smtp, clock):
    shop = shop_a.shop
    turn_off_builtins(shop)
    flow = marketing_flow(shop, name="Later", wait=timedelta(days=2))
    place_order(shop)
    worker_pass()
    response = login(shop_a.owner).get(f"/flows/{flow.pk}/")
    assert response.status_code == 200
    assert "Later" in response.content.decode()


def test_it_hides_another_shops_flow(login, shop_a, shop_b):
    foreign = Flow.objects.for_shop(shop_b.shop).get(key="order_thanks")
    template = Template.objects.for_shop(shop_b.shop).first()
    client = login(shop_a.owner)
    assert client.get(f"/flows/{foreign.pk}/").status_code == 404
    assert client.get(f"/flows/{foreign.pk}/edit/").status_code == 404
    assert client.post(f"/flows/{foreign.pk}/toggle/").status_code == 404
    assert client.get(f"/flows/templates/{template.pk}/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.enabled is True


def test_it_turns_a_flow_off(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="order_thanks")
    response = login(shop_a.owner).post(f"/flows/{flow.pk}/toggle/")
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.enabled is False


def management(total, initial):
    return {
        "form-TOTAL_FORMS": str(total),
        "form-INITIAL_FORMS": str(initial),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }


def test_it_creates_a_flow_with_a_wait_and_an_email(login, shop_a):
    data = {
        "name": "Review request",
        "kind": "marketing",
        "status": "on",
        "trigger_type": "shipment.delivered",
        "filter_carrier": "posti",
        "flow_filter": ["has_marketing_consent"],
        "priority": "3",
        "max_trigger_lag_hours": "48",
        **management(3, 0),
        "form-0-type": "wait",
        "form-0-wait_days": "10",
        "form-1-type": "email",
        "form-1-template_key": "order_thanks",
        "form-2-type": "wait",
        "form-2-DELETE": "on",
    }
    response = login(shop_a.owner).post("/flows/new/", data)
    assert response.status_code == 302, response.content.decode()
    flow = Flow.objects.for_shop(shop_a.shop).get(name="Review request")
    steps = list(flow.steps.values_list("position", "type", "wait", "template_key"))
    assert steps == [(1, "wait", timedelta(days=10), ""), (2, "email", None, "order_thanks")]
    assert flow.flow_filter == ["has_marketing_consent"]
    assert flow.trigger_filter == {"carrier": "posti"}


def test_it_names_the_field_a_step_is_missing(login, shop_a):
    data = {
        "name": "Broken",
        "kind": "marketing",
        "status": "off",
        "trigger_type": "order.placed",
        "priority": "0",
        "max_trigger_lag_hours": "48",
        **management(1, 0),
        "form-0-type": "email",
    }
    response = login(shop_a.owner).post("/flows/new/", data)
    assert response.status_code == 200
    assert "Choose the template to send." in response.content.decode()
    assert not Flow.objects.filter(name="Broken").exists()


def test_it_edits_a_builtin_flows_steps(login, shop_a):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="pickup_reminder_3d")
    wait, send = flow.steps.all()
    data = {
        "name": flow.name,
        "kind": "transactional",
        "status": "on",
        "trigger_type": flow.trigger_type,
        "flow_filter": flow.flow_filter,
        "exit_events": flow.exit_events,
        "priority": "0",
        "max_trigger_lag_hours": "48",
        **management(3, 2),
        "form-0-id": str(wait.pk),
        "form-0-type": "wait",
        "form-0-wait_days": "4",
        "form-0-wait_anchor": "held_until",
        "form-1-id": str(send.pk),
        "form-1-type": "email",
        "form-1-template_key": "pickup_reminder",
    }
    response = login(shop_a.owner).post(f"/flows/{flow.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()
    wait.refresh_from_db()
    assert wait.wait == timedelta(days=4) and wait.wait_anchor == "held_until"
    assert Step.objects.filter(flow=flow).count() == 2


def test_it_previews_a_template_in_its_language_without_saving(login, shop_a):
    template = Template.objects.for_shop(shop_a.shop).get(key="ready_for_pickup", language="sv")
    original = template.body
    response = login(shop_a.owner).post(
        f"/flows/templates/{template.pk}/",
        {
            "subject": "Hämta senast {{ held_until }}",
            "body": "Hej {{ customer_first_name }}!",
            "action": "preview",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hej Aino!" in page and "Hämta senast" in page
    template.refresh_from_db()
    assert template.body == original


def test_it_saves_a_template_and_rejects_broken_syntax(login, shop_a):
    template = Template.objects.for_shop(shop_a.shop).get(key="shipped", language="fi")
    client = login(shop_a.owner)
    broken = client.post(
        f"/flows/templates/{template.pk}/",
        {"subject": "Matkalla", "body": "{% if %}", "action": "save"},
    )
    assert broken.status_code == 200 and "This template has an error" in broken.content.decode()
    saved = client.post(
        f"/flows/templates/{template.pk}/",
        {"subject": "Matkalla!", "body": "Seuraa: {{ tracking_url }}", "action": "save"},
    )
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Matkalla!"


def test_it_lists_templates_in_every_language(login, shop_a):
    page = login(shop_a.staff).get("/flows/templates/").content.decode()
    assert "Ready for pickup" in page and "SV" in page and "FI" in page


def test_it_saves_messaging_settings(login, shop_a):
    response = login(shop_a.owner).post(
        "/flows/settings/",
        {
            "sender_name": "Pohjola",
            "sender_email": "shop@pohjola.example",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:30",
            "frequency_cap": "3",
            "frequency_cap_days": "7",
            "failed_delivery_pause_days": "14",
        },
    )
    assert response.status_code == 302
    messaging = MessagingSettings.objects.get(shop=shop_a.shop)
    assert messaging.frequency_cap == 3 and str(messaging.quiet_hours_end) == "07:30:00"


def test_it_lists_the_outbox_and_shows_a_message(login, shop_a, smtp, clock):
    shop = shop_a.shop
    order = place_order(shop)
    worker_pass()
    client = login(shop_a.staff)
    page = client.get(f"/flows/messages/?customer={order.customer_id}").content.decode()
    assert "Kiitos tilauksestasi" in page
    message = order.customer.messages.get()
    detail = client.get(f"/flows/messages/{message.pk}/")
    assert detail.status_code == 200 and "Hei Aino" in detail.content.decode()


def test_it_hides_another_shops_messages(login, shop_a, shop_b, smtp, clock):
    order = place_order(shop_b.shop)
    worker_pass()
    message = order.customer.messages.get()
    client = login(shop_a.owner)
    assert client.get(f"/flows/messages/{message.pk}/").status_code == 404
    assert "Kiitos" not in client.get("/flows/messages/").content.decode()
