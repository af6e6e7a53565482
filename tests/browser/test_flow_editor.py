"""A merchant edits flows in a real browser: an unchanged built-in flow saves, a mistake in a
new step is shown beside the field and in a summary at the top (linked to the field), a new
flow is saved on or off as chosen; the flow and template pages fit a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersale.flows.models import Flow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_builtin_flow_saves_unchanged_and_a_mistake_is_shown_where_it_is(
    page, live_server, sign_in, shop_a, screenshot
):
    flow = Flow.objects.for_shop(shop_a.shop).get(key="pickup_reminder_3d")
    steps_before = list(flow.steps.values_list("type", "wait", "wait_anchor", "template_key"))
    sign_in(page, shop_a.owner)
    page.goto(f"{live_server.url}/flows/{flow.pk}/edit/")
    page.get_by_role("button", name="Save flow").click()
    page.wait_for_url(f"{live_server.url}/flows/{flow.pk}/")
    assert "The flow was saved. It is on." in page.locator(".messages").inner_text()
    assert list(flow.steps.values_list("type", "wait", "wait_anchor", "template_key")) == (
        steps_before
    )

    page.goto(f"{live_server.url}/flows/{flow.pk}/edit/")
    new_step = page.locator("fieldset.step-form").last
    new_step.get_by_label("What happens").select_option(label="Wait")
    page.get_by_role("button", name="Save flow").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.bounding_box()["y"] < page.locator("#flow-editor").bounding_box()["y"]
    link = summary.get_by_role("link", name="Give the wait in days or hours.")
    field = new_step.get_by_label("Wait (days)")
    assert field.get_attribute("aria-invalid") == "true"
    beside = new_step.locator(".errorlist", has_text="Give the wait in days or hours.")
    assert beside.is_visible()
    link.click()
    assert page.evaluate("document.activeElement.id") == field.get_attribute("id")
    screenshot(page, "flow-editor-error")
    assert flow.steps.count() == len(steps_before)


@pytest.mark.parametrize("choice, enabled", [("On: new events start runs", True), ("Off", False)])
def test_a_new_flow_is_saved_as_the_merchant_chose(
    page, live_server, sign_in, shop_a, choice, enabled
):
    sign_in(page, shop_a.owner)
    page.goto(f"{live_server.url}/flows/new/")
    page.get_by_label("Name").fill("Review request")
    page.get_by_label(choice).check()
    page.get_by_label("Starts when").select_option(label="Parcel delivered")
    assert page.get_by_label("Carrier").is_visible()
    assert not page.get_by_label("Return type").is_visible(), "filters of other events hide"
    step = page.locator("fieldset.step-form").first
    assert not step.get_by_label("Template").is_visible(), "a blank step shows only its kind"
    step.get_by_label("What happens").select_option(label="Send e-mail")
    assert not step.get_by_label("Wait (days)").is_visible()
    step.get_by_label("Template").select_option(value="order_thanks")
    page.get_by_role("button", name="Save flow").click()
    page.get_by_role("heading", name="Review request").wait_for()
    flow = Flow.objects.for_shop(shop_a.shop).get(name="Review request")
    assert flow.enabled is enabled
    assert flow.trigger_type == "shipment.delivered"
    assert ("On" if enabled else "Off") in page.locator("dl.facts").inner_text()


@pytest.mark.parametrize(
    "path",
    [
        "/flows/",
        "/flows/new/",
        "/flows/templates/",
        "/flows/templates/new/",
        "/flows/dead-letters/",
        "/flows/messages/",
    ],
)
def test_the_flow_pages_fit_a_phone(phone_page, live_server, sign_in, shop_a, screenshot, path):
    sign_in(phone_page, shop_a.owner)
    phone_page.goto(f"{live_server.url}{path}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    name = "flows" + path.replace("/", "-").rstrip("-")
    screenshot(phone_page, f"{name}-phone")
    assert width <= phone_page.viewport_size["width"], f"{path} is {width} px wide"
