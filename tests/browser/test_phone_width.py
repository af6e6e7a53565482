"""Every page fits a 390 px phone: no sideways scrolling of the whole page.

In a real Chromium on a 390 px wide phone, on a small demo shop, the test walks every back-office
page (found from the URL configuration, so a new page is walked without editing this file), every
portal page of a customer's return and withdrawal, and the tracking page, and checks that the
document is no wider than the screen. Wide tables scroll inside their own container instead.

Measured before the fix: the flows list was 951 px wide, the dashboard 412–458 px and the
portal's return items 482 px.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from aftersale.catalog.models import Product
from aftersale.core.models import Shop
from aftersale.core.services import create_api_token
from aftersale.delivery.models import Shipment, ShipmentStatus
from aftersale.flows.models import Flow, FlowRun, Message, Template
from aftersale.insights.models import RfmSegment
from aftersale.loyalty import referrals, rewards
from aftersale.loyalty import services as loyalty
from aftersale.loyalty.models import Tier
from aftersale.loyalty.referral_models import Referral
from aftersale.orders.models import Customer, Order
from aftersale.portal.access import magic_token
from aftersale.portal.export_links import ERASURE, data_link_path, export_link_path
from aftersale.returns import policy
from aftersale.returns.models import ReturnRequest, UnclaimedCase, Withdrawal
from aftersale.returns.unclaimed import open_unclaimed_case
from aftersale.reviews.links import request_token
from aftersale.reviews.models import Review, ReviewRequest
from aftersale.service.attachments import Upload
from aftersale.service.canned import save_canned_reply
from aftersale.service.csat import csat_token
from aftersale.service.help.models import HelpArticle, HelpCategory
from aftersale.service.models import Ticket, TicketState
from aftersale.service.services import add_closed_day, add_note, change_state, open_ticket
from aftersale.service.services import reply as reply_to
from aftersale.surveys.links import make_token, survey_path
from aftersale.timeline import types
from aftersale.timeline.models import Event
from aftersale.webhooks.services import add_webhook_endpoint
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# URLs that are no page: files, images and POST-only actions.
NOT_PAGES = {
    "backoffice:return_photo",
    "backoffice:ticket_attachment",
    "backoffice:product_recommendation_rule",  # POST
    "backoffice:review_photo",
}
PORTAL_NOT_PAGES = {
    "portal:request_link",  # POST: sends the link, answers with the lookup page
    "portal:sign_out",
    "portal:return_slip",
    "portal:return_qr",
    "portal:return_photo",
    "portal:withdrawal_acknowledgement",
    "portal:help_feedback",  # POST: answers "did this help?"
    "portal:redeem_reward",  # POST
    "portal:give_back_reward",  # POST
    "portal:contact_suggestions",  # a fragment the contact form fetches as the customer types
    # Reviews for the shop's own pages: a fragment inside the shop's page (its browser test
    # puts it on a plain product page), JSON, JSON-LD, XML and photos.
    "portal:review_widget",
    "portal:review_json",
    "portal:review_json_ld",
    "portal:review_feed",
    "portal:review_photo",
}

# The widest elements that stick out of the screen, for the failure message.
OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right <= limit + 0.5 || box.width === 0) continue;
    let clipped = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) { clipped = true; break; }
    }
    if (clipped) continue;
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
    out.push(name + ' ' + Math.round(box.right) + 'px');
  }
  return out.slice(0, 6);
}"""


def page_width(page) -> tuple[int, int]:
    """The document's width and the phone's. A page without a viewport tag is laid out 980 px
    wide and shrunk, so it is measured against the phone's 390 px, not its own layout."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    return scroll, min(PHONE["width"], page.evaluate("document.documentElement.clientWidth"))


class Walk:
    """Visits pages and remembers those wider than the phone."""

    def __init__(self, page, base_url: str, screenshot):
        self.page, self.base_url, self.screenshot = page, base_url, screenshot
        self.visited: list[str] = []
        self.url_names: set[str] = set()
        self.urls: list[str] = []  # the pages opened by address (not by a form)
        self.too_wide: list[str] = []

    def check(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        scroll, client = page_width(self.page)
        self.visited.append(label)
        self.url_names.add(resolve(urlsplit(self.page.url).path).view_name)
        # Every page's picture goes to test-results/phone-*.png for a person to look at.
        name = re.sub(r"[^0-9a-z]+", "-", label.lower()).strip("-") or "dashboard"
        self.screenshot(self.page, f"phone-{name}")
        if scroll > client:
            stuck_out = self.page.evaluate(OVERFLOWING)
            self.too_wide.append(f"{label}: {scroll}px > {client}px {stuck_out}")

    def visit(self, path: str, label: str = "") -> int:
        """Opens ``path`` if it is a page (a POST-only URL answers 405 and is left alone)."""
        answer = self.page.request.get(self.base_url + path, max_redirects=0)
        if answer.status == 200 and "text/html" in answer.headers.get("content-type", ""):
            self.page.goto(self.base_url + path)
            self.urls.append(path)
            self.check(label or path)
        return answer.status


@pytest.fixture
def demo_shop(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("demo", customers=300, seed=11, stdout=StringIO())
    return Shop.objects.get(slug="pohjola-style")


def objects_to_show(shop: Shop) -> dict[str, object]:
    """One object of each kind a back-office URL names, the richest the demo has."""
    order = (
        Order.objects.for_shop(shop)
        .filter(returns__isnull=False, shipments__isnull=False)
        .order_by("-placed_at")
        .first()
    )
    returned = ReturnRequest.objects.for_shop(shop).filter(order=order).first()
    unclaimed = Shipment.objects.for_shop(shop).filter(status=ShipmentStatus.RETURNED_TO_SENDER)
    shipment = unclaimed.order_by("-id").first()
    case = UnclaimedCase.objects.for_shop(shop).first() or open_unclaimed_case(shop, shipment)
    _token, _plain = create_api_token(shop, name="Shop site")
    endpoint = add_webhook_endpoint(
        shop, url="https://shop.example/hooks/aftersale", event_types=[]
    )
    flow = Flow.objects.for_shop(shop).order_by("id").first()
    message = Message.objects.for_shop(shop).first() or a_sent_message(flow, order)
    tier = Tier.objects.for_shop(shop).first() or Tier.objects.create(
        shop=shop, name="Kultainen kanta-asiakas", threshold=50000, free_returns=True
    )
    return {
        "review_id": a_review(order).pk,
        "customer_id": order.customer_id,
        "order_id": order.pk,
        "return_id": returned.pk,
        "flow_id": flow.pk,
        "template_id": Template.objects.for_shop(shop).order_by("id").first().pk,
        "message_id": message.pk,
        "withdrawal_id": Withdrawal.objects.for_shop(shop).order_by("-id").first().pk,
        "shipment_id": shipment.pk,
        "case_id": case.pk,
        "token_id": _token.pk,
        "endpoint_id": endpoint.pk,
        "segment": RfmSegment.values[0],
        "category_id": HelpCategory.objects.for_shop(shop).order_by("id").first().pk,
        "article_id": HelpArticle.objects.for_shop(shop).order_by("id").first().pk,
        "closed_day_id": add_closed_day(shop, timezone.localdate() + timedelta(days=30)).pk,
        "tier_id": tier.pk,
        "product_id": Product.objects.for_shop(shop).filter(relations__isnull=False).first().pk,
        **ticket_objects(shop, order),
    }


def a_review(order: Order) -> Review:
    """A long, flagged review of the order's first product with the shop's reply."""
    line = order.lines.filter(variant__isnull=False).first()
    return Review.objects.create(
        shop=order.shop,
        product=line.variant.product,
        order_line=line,
        customer=order.customer,
        author_name="Aino V.",
        language="fi",
        rating=2,
        title="Liian pieni, tilaa kokoa isompi " * 3,
        body="Kangas on hyvää, mutta mitoitus on pieni. www.esimerkki.fi " * 12,
        verification="order",
        verified_buyer=True,
        submitted_at=timezone.now(),
        flags=["spam: link", "profanity: perkele"],
        shop_reply="Kiitos palautteesta, välitämme tiedon mitoituksesta eteenpäin. " * 4,
    )


def a_review_request(order: Order) -> ReviewRequest:
    now = timezone.now()
    return ReviewRequest.objects.create(
        shop=order.shop, order=order, customer=order.customer, received_at=now, due_at=now,
        released_at=now,
    )  # fmt: skip


def loyalty_to_show(shop: Shop, customer: Customer) -> dict[str, object]:
    """A reward the customer redeemed and a referral to review (the programme runs)."""
    loyalty.adjust(shop, customer, points=1500, reason="Welcome", staff_user=None)
    reward = rewards.save_reward(
        shop,
        name="Lahjakortti 5 €",
        kind="fixed_amount",
        amount_cents=500,
        points_cost=500,
        code_source="platform",
    )
    redemption = rewards.redeem_reward(shop, customer, reward, channel="staff")
    referral = Referral.objects.create(
        shop=shop,
        advocate=customer,
        code="WALK",
        state="review",
        friend_email_digest="walk",
        reasons=["busy_ip", "same_address"],
    )
    return {
        "reward_id": reward.pk,
        "redemption_id": redemption.pk,
        "referral_id": referral.pk,
        "referral_code": referrals.referral_code_for(shop, customer).code,
    }


def ticket_objects(shop: Shop, order: Order) -> dict[str, object]:
    """A long ticket about ``order`` with a reply, a note, a file and a canned reply."""
    ticket = Ticket.objects.for_shop(shop).filter(order=order).first() or open_ticket(
        shop,
        email=order.customer.email,
        name=order.customer.full_name,
        subject="Paketti ei ole saapunut, vaikka seuranta sanoo toimitetuksi " * 3,
        body="Hei, tilaukseni ei ole tullut perille. https://pohjola-style.example/seuranta " * 8,
        topic="delivery",
        source="portal",
        customer=order.customer,
        order=order,
        attachments=[Upload("kuitti-pitkalla-nimella-ilman-valeja.txt", "text/plain", b"x" * 80)],
    )
    owner = ticket.shop.memberships.order_by("id").first().user
    reply = reply_to(ticket, author=owner, body="Selvitämme asiaa kuljetusyhtiön kanssa. " * 6)
    add_note(ticket, author=owner, body="Asiakas soitti myös. " * 10)
    canned = save_canned_reply(
        shop, language="fi", title="Paketti matkalla", body="Hei {{ customer_first_name }}!"
    )
    return {
        "ticket_id": ticket.pk,
        "ticket_message_id": reply.pk,
        "reply_id": canned.pk,
        "attachment_id": ticket.messages.first().attachments.first().pk,
    }


def a_sent_message(flow: Flow, order: Order) -> Message:
    """An outbox row as the worker leaves it, with a long body (the demo runs no worker)."""
    step = flow.steps.order_by("position").first()
    run = FlowRun.objects.create(
        shop=order.shop,
        flow=flow,
        customer=order.customer,
        subject_type="order",
        subject_id=order.pk,
        order=order,
        started_at=timezone.now(),
    )
    return Message.objects.create(
        shop=order.shop,
        customer=order.customer,
        run=run,
        step=step,
        kind="transactional",
        channel="email",
        recipient=order.customer.email,
        language="fi",
        subject="Kiitos tilauksestasi",
        body="Kiitos tilauksestasi! https://pohjola-style.example/tuotteet/hoitoohjeet " * 20,
        idempotency_key="phone-width-walk",
    )


def survey_pages(shop: Shop, order: Order) -> list[str]:
    """The survey page of a run about ``order``, on the 0–10 scale (its widest row of scores)
    and on the 1–5 one."""
    flow = Flow.objects.get(shop=shop, key="satisfaction_survey_delivered")
    run = FlowRun.objects.create(
        shop=shop,
        flow=flow,
        customer=order.customer,
        subject_type="order",
        subject_id=order.pk,
        order=order,
        started_at=timezone.now(),
    )
    return [
        survey_path(shop, make_token(shop.pk, run.pk, "fi", scale)) + "?score=4"
        for scale in ("nps", "csat")
    ]


def url_patterns(namespace: str) -> list[tuple[str, URLPattern]]:
    """(``namespace:name``, pattern) of every URL in ``namespace``."""
    found = []

    def walk(patterns, current=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or current)
            elif isinstance(pattern, URLPattern) and current == namespace:
                found.append((f"{namespace}:{pattern.name}", pattern))

    walk(get_resolver().url_patterns)
    return found


def backoffice_urls(objects: dict[str, object]) -> list[str]:
    """Every back-office URL, its arguments filled from ``objects``."""
    urls = []
    for name, pattern in url_patterns("backoffice"):
        if name in NOT_PAGES:
            continue
        wanted = pattern.pattern.regex.groupindex
        unknown = [arg for arg in wanted if arg not in objects]
        assert not unknown, f"{name}: add an object for {unknown} to objects_to_show()"
        urls.append(reverse(name, kwargs={arg: objects[arg] for arg in wanted}))
    return urls


def a_returnable_order(shop: Shop, besides: Order | None = None) -> Order:
    """A recent, delivered order with a sized item the customer can still return."""
    recent = (
        Order.objects.for_shop(shop)
        .exclude(pk=getattr(besides, "pk", None))
        .filter(
            shipments__received_at__gte=timezone.now() - timedelta(days=10),
            lines__variant__size__gt="",
            returns__isnull=True,
        )
    )
    for order in recent.order_by("-placed_at")[:50]:
        if any(item.can_withdraw for item in policy.eligibility(order).lines):
            return order
    raise AssertionError("the demo has no recent order with a returnable sized item")


def with_loyalty_points(shop: Shop, customer: Customer) -> str:
    """The shop runs a loyalty programme and ``customer`` has pending, available and adjusted
    points with a long history: the portal's loyalty page at its fullest."""
    loyalty.save_programme(shop, enabled=True, starts_at=timezone.now() - timedelta(days=400))
    Tier.objects.get_or_create(
        shop=shop,
        threshold=50000,
        defaults={"name": "Kultainen kanta-asiakas", "free_returns": True},
    )
    for n in range(25):
        entry = loyalty.earn(
            shop,
            customer,
            points=1234 + n,
            source_type="order_line",
            source_id=900_000 + n,
            rule=None,
            vests_on=timezone.localdate() + timedelta(days=n % 4),
        )
        if n % 2:
            loyalty.vest(shop, entry)
    loyalty.adjust(
        shop,
        customer,
        points=-150,
        reason="Hyvitys myöhästyneestä toimituksesta, pahoittelemme viivästystä",
        staff_user=None,
    )
    return f"/s/{shop.slug}/loyalty/"


def csat_path(shop: Shop, customer: Customer) -> str:
    """The satisfaction page of a solved ticket of ``customer``, a score chosen as the e-mail's
    links do."""
    ticket = open_ticket(
        shop,
        email=customer.email,
        name=customer.full_name,
        subject="Vaihdoin koon, mutta uusi paketti ei ole vielä tullut perille",
        body="Milloin uusi koko lähtee?",
        topic="return",
        source="portal",
    )
    change_state(ticket, TicketState.SOLVED, actor=None)
    event = Event.objects.get(type=types.TICKET_SOLVED, subject_id=ticket.pk)
    return f"/s/{shop.slug}/csat/{csat_token(shop.pk, ticket.pk, event.pk)}/?score=4"


def test_every_page_fits_a_390px_phone(browser, live_server, demo_shop, screenshot):
    shop = demo_shop
    order = a_returnable_order(shop)
    customer: Customer = order.customer
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="fi-FI")
    context.set_default_timeout(15_000)
    context.route(re.compile(r"^(?!https?://(localhost|127\.0\.0\.1)[:/])"), lambda r: r.abort())
    page = context.new_page()
    walk = Walk(page, live_server.url, screenshot)

    # The customer: the portal, a return through both steps, a withdrawal, the tracking page.
    walk.visit(f"/s/{shop.slug}/")
    page.locator("#lookup-number").fill(order.number)
    page.locator("#lookup-email").fill(customer.email)
    page.locator("#lookup-number").press("Enter")
    page.wait_for_url(f"**/orders/{order.pk}/")
    walk.check(f"/s/{shop.slug}/orders/<id>/")
    walk.visit(f"/s/{shop.slug}/orders/{order.pk}/return/")
    line = next(item.line for item in policy.eligibility(order).lines if item.can_withdraw)
    page.locator(f"input[name='line-{line.pk}-selected']").check()
    page.locator(f"#line-{line.pk}-reason").select_option("too_small")
    page.locator("form button.primary").click()
    page.locator(f"#photos-{line.pk}").wait_for()
    walk.check(f"/s/{shop.slug}/orders/<id>/return/ (confirm)")
    page.locator("form button.primary").click()
    page.wait_for_url("**/returns/*/")
    walk.check(f"/s/{shop.slug}/returns/<code>/")
    status_page = urlsplit(page.url).path
    other = a_returnable_order(shop, besides=order)
    walk.visit(f"/s/{shop.slug}/withdraw/")
    page.locator("#lookup-number").fill(other.number)
    page.locator("#lookup-email").fill(other.customer.email)
    page.locator("#lookup-number").press("Enter")
    page.wait_for_url(f"**/withdraw/{other.pk}/")
    walk.check(f"/s/{shop.slug}/withdraw/<id>/")
    page.locator("input[name=lines]").first.check()
    page.locator("form button.primary").click()
    page.get_by_role("button", name="Vahvista peruminen").click()
    page.wait_for_url("**/withdrawals/*/")
    walk.check(f"/s/{shop.slug}/withdrawals/<code>/")
    walk.visit(f"/s/{shop.slug}/link/{magic_token(shop, customer.email)}/")
    loyalty_page = with_loyalty_points(shop, customer)
    rewards_objects = loyalty_to_show(shop, customer)
    walk.visit(loyalty_page)
    walk.visit(f"/s/{shop.slug}/r/{rewards_objects['referral_code']}/")
    walk.visit(f"/s/{shop.slug}/my-data/")
    walk.visit(f"/s/{shop.slug}/contact/")
    walk.visit(f"/s/{shop.slug}/contact/sent/")
    satisfaction_page = csat_path(shop, customer)
    walk.visit(satisfaction_page)
    surveys = survey_pages(shop, order)
    for survey in surveys:
        walk.visit(survey)
    page.locator("#id_comment").fill("Paketti tuli nopeasti, mutta koko oli vähän pieni. " * 3)
    page.locator("form button.primary").click()
    page.locator("[role=status]").wait_for()
    walk.check("/s/<shop>/survey/<token>/ (answered)")
    # The help centre: its index, a search and an article.
    walk.visit(f"/s/{shop.slug}/help/")
    walk.visit(f"/s/{shop.slug}/help/?q=palautus")
    article = HelpArticle.objects.for_shop(shop).filter(published=True).order_by("id").first()
    walk.visit(f"/s/{shop.slug}/help/{article.pk}/")
    walk.visit(export_link_path(shop, customer.email))
    # Erasure: the request, the confirmation, the receipt and the used link, for a customer of
    # its own so that the rest of the walk keeps its data.
    walk.visit(f"/s/{shop.slug}/my-data/erase/")
    leaving = CustomerFactory(shop=shop, email="walk.erasure@example.fi")
    erasure_link = data_link_path(shop, leaving.email, ERASURE)
    walk.visit(erasure_link)
    page.locator("#erase-my-data").click()
    page.locator("[data-erased]").wait_for()
    walk.check(f"{erasure_link} (erased)")
    page.goto(live_server.url + erasure_link)
    walk.check(f"{erasure_link} (used)")
    # A review: the page behind the e-mail's link, sent with stars and text, the thank-you
    # page, and the shop's policy page.
    reviewed = a_review_request(a_returnable_order(shop, besides=other))
    review_link = f"/s/{shop.slug}/review/{request_token(reviewed)}/"
    walk.visit(review_link)
    page.locator(".star-row label").nth(3).click()
    page.locator("textarea").first.fill("Hyvä ja lämmin, kesti pesun. " * 5)
    page.locator("form.review-form button.primary").click()
    page.wait_for_url("**/thanks/")
    walk.check(f"/s/{shop.slug}/review/<token>/thanks/")
    walk.visit(f"/s/{shop.slug}/reviews/policy/")
    for status in (ShipmentStatus.READY_FOR_PICKUP, ShipmentStatus.IN_TRANSIT):
        parcel = (
            Shipment.objects.for_shop(shop)
            .filter(status=status, tracking_events__isnull=False)
            .order_by("-id")
            .first()
        ) or Shipment.objects.for_shop(shop).filter(tracking_events__isnull=False).first()
        walk.visit(f"/t/{parcel.tracking_token}/")
    # Swedish and English words are of other lengths: the customer's pages again in both.
    again = [
        f"/s/{shop.slug}/orders/{order.pk}/return/",
        f"/s/{shop.slug}/r/{rewards_objects['referral_code']}/",
        status_page,
        f"/s/{shop.slug}/withdraw/",
        f"/s/{shop.slug}/help/",
        f"/s/{shop.slug}/help/{article.pk}/",
        loyalty_page,
        f"/s/{shop.slug}/contact/",
        satisfaction_page,
        *surveys,
        review_link,
        f"/s/{shop.slug}/reviews/policy/",
        *[url for url in walk.urls if url.startswith("/t/")],
    ]
    for language in ("sv", "en"):
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        walk.visit(f"/s/{shop.slug}/", label=f"/s/{shop.slug}/ ({language})")
        page.locator("#lookup-number").fill(order.number)
        page.locator("#lookup-email").fill(customer.email)
        page.locator("#lookup-number").press("Enter")
        page.wait_for_url(f"**/orders/{order.pk}/")
        walk.check(f"/s/{shop.slug}/orders/<id>/ ({language})")
        for url in again:
            assert walk.visit(url, label=f"{url} ({language})") == 200, url

    # The merchant: the login page, then every back-office page.
    objects = {**objects_to_show(shop), **rewards_objects}
    unsubscribe = Message.objects.get(pk=objects["message_id"]).unsubscribe_token
    walk.visit(f"/u/{unsubscribe}/")
    page.locator("form button.primary").click()
    page.wait_for_load_state("load")
    walk.check("/u/<token>/ (done)")
    walk.visit("/login/")
    page.locator("#id_username").fill("owner")
    page.locator("#id_password").fill(settings.DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    pages = 0
    for url in backoffice_urls(objects):
        status = walk.visit(url)
        assert status in (200, 302, 405), f"{url} answered {status}"
        pages += status == 200
    # The API docs render with every request off this machine refused: Swagger UI is ours.
    assert walk.visit("/api/v1/docs") == 200
    page.locator(".swagger-ui .info .title").wait_for()
    walk.check("/api/v1/docs (rendered)")
    context.close()

    assert pages >= 25, walk.visited
    portal_pages = {name for name, _pattern in url_patterns("portal")} - PORTAL_NOT_PAGES
    assert portal_pages <= walk.url_names, (
        f"walk these portal pages: {portal_pages - walk.url_names}"
    )
    assert {"tracking", "unsubscribe"} <= walk.url_names
    assert not walk.too_wide, "\n".join(walk.too_wide)
