"""State changes of flows: built-in flows per shop, editing flows, steps, templates and
messaging settings, consent, unsubscribes, bounces and suppressions.

(Running flows is the worker's job: triggers.py reads the timeline, scheduler.py runs steps.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from aftersale.flows.builtin import FLOWS, TEMPLATES
from aftersale.flows.models import (
    LANGUAGES,
    Channel,
    Click,
    Consent,
    Flow,
    FlowRun,
    Kind,
    Message,
    MessagingSettings,
    Step,
    StepRun,
    Suppression,
    Template,
)
from aftersale.flows.triggers import exit_run
from aftersale.orders.models import Customer
from aftersale.timeline import types
from aftersale.timeline.services import record_event


@transaction.atomic
def install_builtin_flows(shop) -> list[Flow]:
    """Create the shop's messaging settings, built-in templates and flows if missing (the
    transactional flows on, the marketing ones off).

    Safe to call again: what exists (and may have been edited) is left as it is.
    """
    MessagingSettings.objects.get_or_create(shop=shop)
    have_templates = set(Template.objects.for_shop(shop).values_list("key", "language"))
    Template.objects.bulk_create(
        Template(
            shop=shop,
            key=builtin.key,
            language=language,
            name=builtin.name,
            subject=builtin.subject[language],
            body=builtin.full_body(language),
        )
        for builtin in TEMPLATES
        for language in LANGUAGES
        if (builtin.key, language) not in have_templates
    )
    have_flows = set(Flow.objects.for_shop(shop).values_list("key", flat=True))
    new_flows = [builtin for builtin in FLOWS if builtin.key not in have_flows]
    created = Flow.objects.bulk_create(
        Flow(
            shop=shop,
            key=builtin.key,
            name=builtin.name,
            kind=builtin.kind,
            enabled=builtin.enabled,
            trigger_type=builtin.trigger_type,
            trigger_filter=builtin.trigger_filter,
            flow_filter=builtin.flow_filter,
            exit_events=builtin.exit_events,
        )
        for builtin in new_flows
    )
    Step.objects.bulk_create(
        Step(
            shop=shop,
            flow=flow,
            position=index,
            type=step.type,
            template_key=step.template_key,
            wait=step.wait,
            wait_anchor=step.wait_anchor,
            condition=step.condition,
        )
        for builtin, flow in zip(new_flows, created, strict=True)
        for index, step in enumerate(builtin.steps, start=1)
    )
    return list(Flow.objects.for_shop(shop).exclude(key=""))


# --- Editing flows, steps, templates and settings --------------------------------------------


@transaction.atomic
def set_flow_enabled(shop, flow: Flow, enabled: bool) -> Flow:
    """Turn a flow on or off. Turning it off ends its active runs: nothing more is sent."""
    assert flow.shop_id == shop.pk
    flow.enabled = enabled
    flow.save(update_fields=["enabled", "updated_at"])
    if not enabled:
        now = timezone.now()
        for run in FlowRun.objects.for_shop(shop).filter(flow=flow, state=FlowRun.State.ACTIVE):
            exit_run(run, reason="flow turned off", now=now)
    return flow


@transaction.atomic
def set_first_wait(shop, flow: Flow, wait: timedelta) -> Flow:
    """Set how long ``flow`` waits at its first wait step (runs already waiting keep the
    moment they were given)."""
    assert flow.shop_id == shop.pk
    step = Step.objects.filter(flow=flow, type=Step.Type.WAIT).order_by("position").first()
    if step is not None and step.wait != wait:
        step.wait = wait
        step.save(update_fields=["wait"])
    return flow


@transaction.atomic
def save_flow(shop, flow: Flow | None, *, steps: list[dict], **fields) -> Flow:
    """Create or update a flow and replace its steps (the positions are renumbered 1…n).

    Active runs keep going: a waiting step of a removed step is cancelled; runs continue with
    the new steps from the position they reached.
    """
    if flow is None:
        flow = Flow(shop=shop)
    assert flow.shop_id == shop.pk
    for name, value in fields.items():
        setattr(flow, name, value)
    flow.save()
    kept_ids = []
    for position, data in enumerate(steps, start=1):
        step_id = data.pop("id", None)
        step = Step.objects.filter(flow=flow, pk=step_id).first() if step_id else None
        if step is None:
            step = Step(shop=shop, flow=flow)
        step.position = 1000 + position  # avoid clashing with positions not yet renumbered
        for name, value in data.items():
            setattr(step, name, value)
        step.save()
        kept_ids.append(step.pk)
    Step.objects.filter(flow=flow).exclude(pk__in=kept_ids).delete()
    for step in Step.objects.filter(flow=flow):
        step.position -= 1000
        step.save(update_fields=["position"])
    return flow


@transaction.atomic
def save_template(shop, template: Template, *, subject: str, body: str) -> Template:
    assert template.shop_id == shop.pk
    template.subject = subject
    template.body = body
    template.save(update_fields=["subject", "body", "updated_at"])
    return template


class TemplateInUse(Exception):
    """A template that flow steps send cannot be deleted; ``flows`` are the flows using it."""

    def __init__(self, key: str, flows: list[Flow]) -> None:
        self.key = key
        self.flows = flows
        super().__init__(f"template {key!r} is used by {', '.join(f.name for f in flows)}")


def free_template_key(shop, wanted: str) -> str:
    """``wanted`` (a slug) if no template of the shop has it, else ``wanted-2``, ``wanted-3``…"""
    base = (slugify(wanted) or "template")[:52]
    taken = set(
        Template.objects.for_shop(shop)
        .filter(key__startswith=base)
        .values_list("key", flat=True)
        .distinct()
    )
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def create_template(
    shop, *, name: str, key: str, texts: dict[str, tuple[str, str]]
) -> list[Template]:
    """Create a template in each language of ``texts`` ({language: (subject, body)}).

    ``key`` must be free (see ``free_template_key``); languages outside fi/sv/en are refused.
    """
    if Template.objects.for_shop(shop).filter(key=key).exists():
        raise ValueError(f"a template with the key {key!r} exists already")
    unknown = set(texts) - set(LANGUAGES)
    if unknown or not texts:
        raise ValueError(f"template languages must be some of {LANGUAGES}, not {sorted(texts)}")
    return Template.objects.bulk_create(
        Template(shop=shop, key=key, language=language, name=name, subject=subject, body=body)
        for language, (subject, body) in sorted(texts.items())
    )


@transaction.atomic
def copy_template(shop, key: str, *, name: str) -> list[Template]:
    """Copy every language of the template ``key`` under a new key and ``name``."""
    originals = list(Template.objects.for_shop(shop).filter(key=key).order_by("language"))
    if not originals:
        raise Template.DoesNotExist(key)
    return create_template(
        shop,
        name=name,
        key=free_template_key(shop, f"{key}-copy"),
        texts={t.language: (t.subject, t.body) for t in originals},
    )


def flows_using_template(shop, key: str) -> list[Flow]:
    """The shop's flows with a step that sends the template ``key``."""
    return list(
        Flow.objects.for_shop(shop).filter(steps__template_key=key).distinct().order_by("name")
    )


@transaction.atomic
def delete_template(shop, key: str) -> int:
    """Delete every language of the template ``key``; refused while a flow step sends it.

    Returns how many language versions were deleted. Raises ``TemplateInUse`` naming the flows.
    """
    using = flows_using_template(shop, key)
    if using:
        raise TemplateInUse(key, using)
    deleted, _ = Template.objects.for_shop(shop).filter(key=key).delete()
    return deleted


@transaction.atomic
def update_messaging_settings(shop, **fields) -> MessagingSettings:
    messaging, _ = MessagingSettings.objects.get_or_create(shop=shop)
    for name, value in fields.items():
        setattr(messaging, name, value)
    messaging.save()
    return messaging


# --- Consent ---------------------------------------------------------------------------------


def _set_consent(
    shop,
    customer: Customer,
    *,
    granted: bool,
    channel: str,
    source: str,
    wording_version: str,
    at: datetime | None,
) -> Consent:
    assert customer.shop_id == shop.pk
    at = at or timezone.now()
    consent = Consent.objects.create(
        shop=shop,
        customer=customer,
        channel=channel,
        purpose="marketing",
        granted=granted,
        at=at,
        source=source,
        wording_version=wording_version,
    )
    if channel == Channel.EMAIL:
        customer.marketing_consent = granted
        customer.consent_at = at
        customer.consent_source = source[:100]
        customer.consent_wording_version = wording_version[:40]
        customer.save(
            update_fields=[
                "marketing_consent",
                "consent_at",
                "consent_source",
                "consent_wording_version",
                "updated_at",
            ]
        )
    record_event(
        shop,
        types.CUSTOMER_CONSENT_CHANGED,
        subject=customer,
        customer=customer,
        payload={
            **({"marketing_consent": granted} if channel == Channel.EMAIL else {}),
            "channel": channel,
            "purpose": "marketing",
            "granted": granted,
            "source": source,
            "wording_version": wording_version,
        },
        occurred_at=at,
    )
    return consent


@transaction.atomic
def give_consent(
    shop,
    customer: Customer,
    *,
    channel: str = Channel.EMAIL,
    source: str,
    wording_version: str = "",
    at: datetime | None = None,
) -> Consent:
    """Record that the customer accepts marketing on ``channel`` (history + customer fields)."""
    return _set_consent(
        shop,
        customer,
        granted=True,
        channel=channel,
        source=source,
        wording_version=wording_version,
        at=at,
    )


@transaction.atomic
def withdraw_consent(
    shop,
    customer: Customer,
    *,
    channel: str = Channel.EMAIL,
    source: str,
    wording_version: str = "",
    at: datetime | None = None,
) -> Consent:
    """Record that the customer no longer accepts marketing, and end their marketing runs."""
    consent = _set_consent(
        shop,
        customer,
        granted=False,
        channel=channel,
        source=source,
        wording_version=wording_version,
        at=at,
    )
    end_marketing_runs(shop, [customer.pk], reason="consent withdrawn")
    return consent


def end_marketing_runs(shop, customer_ids: list[int], *, reason: str) -> int:
    """End the active marketing runs (and so their waiting steps) of these customers."""
    now = timezone.now()
    runs = FlowRun.objects.for_shop(shop).filter(
        customer_id__in=customer_ids, state=FlowRun.State.ACTIVE, flow__kind=Kind.MARKETING
    )
    count = 0
    for run in runs:
        exit_run(run, reason=reason, now=now)
        count += 1
    return count


def stop_messaging_customer(shop, customer, *, reason: str) -> dict[str, int]:
    """End every active run of ``customer`` and cancel what waits to be sent to them: waiting
    steps (of any run) and messages waiting for a retry. Returns how many of each."""
    now = timezone.now()
    steps = (
        StepRun.objects.for_shop(shop)
        .filter(run__customer=customer, state=StepRun.State.PENDING)
        .update(
            state=StepRun.State.CANCELLED,
            skip_reason=reason[:200],
            finished_at=now,
            updated_at=now,
        )
    )
    messages = (
        Message.objects.for_shop(shop)
        .filter(customer=customer, state=Message.State.RETRYING)
        .update(
            state=Message.State.CANCELLED,
            last_error=reason[:200],
            next_attempt_at=None,
            updated_at=now,
        )
    )
    runs = 0
    for run in FlowRun.objects.for_shop(shop).filter(customer=customer, state=FlowRun.State.ACTIVE):
        exit_run(run, reason=reason, now=now)
        runs += 1
    return {"flow runs": runs, "flow steps": steps, "messages": messages}


# --- Suppression, unsubscribes and bounces ---------------------------------------------------


@transaction.atomic
def suppress(
    shop, *, channel: str, address: str, reason: str, message: Message | None = None
) -> Suppression:
    """Stop marketing to ``address`` (a hard bounce stops everything) and end its pending
    marketing runs."""
    address = address.strip().lower() if channel == Channel.EMAIL else address.strip()
    suppression, _ = Suppression.objects.get_or_create(
        shop=shop, channel=channel, address=address, reason=reason, defaults={"message": message}
    )
    field = "email__iexact" if channel == Channel.EMAIL else "phone"
    customer_ids = list(
        Customer.objects.for_shop(shop).filter(**{field: address}).values_list("pk", flat=True)
    )
    end_marketing_runs(shop, customer_ids, reason=f"suppressed: {reason}")
    return suppression


@transaction.atomic
def unsubscribe(message: Message, *, source: str = "unsubscribe link") -> bool:
    """Unsubscribe the recipient of ``message`` from the shop's marketing on its channel.

    Returns False if they had already unsubscribed through this message (nothing changes).
    """
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("shop", "customer")
        .get(pk=message.pk)
    )
    if message.unsubscribed_at is not None:
        return False
    shop, customer = message.shop, message.customer
    now = timezone.now()
    message.unsubscribed_at = now
    message.save(update_fields=["unsubscribed_at", "updated_at"])
    if customer is not None:  # a message outside flows may go to an address of no customer
        withdraw_consent(shop, customer, channel=message.channel, source=source, at=now)
    suppress(
        shop,
        channel=message.channel,
        address=message.recipient,
        reason=Suppression.Reason.UNSUBSCRIBE,
        message=message,
    )
    record_event(
        shop,
        types.MESSAGE_UNSUBSCRIBED,
        subject=message,
        customer=customer,
        payload={"channel": message.channel, "flow": message.run.flow.name if message.run else ""},
        occurred_at=now,
    )
    return True


@transaction.atomic
def record_bounce(message: Message, *, complaint: bool = False, description: str = "") -> None:
    """A hard bounce or a spam complaint about ``message``: suppress its address."""
    now = timezone.now()
    reason = Suppression.Reason.COMPLAINT if complaint else Suppression.Reason.HARD_BOUNCE
    if not complaint and message.bounced_at is None:
        message.state = Message.State.BOUNCED
        message.bounced_at = now
        message.save(update_fields=["state", "bounced_at", "updated_at"])
    suppress(
        message.shop,
        channel=message.channel,
        address=message.recipient,
        reason=reason,
        message=message,
    )
    record_event(
        message.shop,
        types.MESSAGE_BOUNCED,
        subject=message,
        customer=message.customer,
        payload={"reason": reason, "subject": message.subject, "description": description[:300]},
        occurred_at=now,
    )


def record_tracking(*, event_type: str, message_id: str, recipient: str, description: str) -> int:
    """Apply a provider's tracking event (from Anymail) to the messages it is about.

    ``bounced`` and ``complained`` suppress the address, ``unsubscribed`` unsubscribes it.
    Returns how many messages it applied to.
    """
    if event_type not in {"bounced", "complained", "unsubscribed"}:
        return 0
    messages = (
        list(
            Message.objects.select_related("shop", "customer", "run__flow").filter(
                provider_id=message_id
            )
        )
        if message_id
        else []
    )
    if not messages and recipient:
        # No id match (e.g. a suppression-list event): the last message to that address per shop.
        latest: dict[int, Message] = {}
        for message in (
            Message.objects.select_related("shop", "customer", "run__flow")
            .filter(recipient__iexact=recipient)
            .order_by("created_at")
        ):
            latest[message.shop_id] = message
        messages = list(latest.values())
    for message in messages:
        if event_type == "unsubscribed":
            unsubscribe(message, source="provider unsubscribe")
        else:
            record_bounce(message, complaint=event_type == "complained", description=description)
    return len(messages)


def record_click(message: Message, *, product_id: int | None, url: str) -> Click:
    """A customer followed a product link of ``message`` (the click redirect calls this)."""
    from aftersale.catalog.models import Product

    if product_id is not None and not (
        Product.objects.for_shop(message.shop_id).filter(pk=product_id).exists()
    ):
        product_id = None  # the product was removed since the message was sent
    return Click.objects.create(
        shop_id=message.shop_id,
        message=message,
        product_id=product_id,
        url=url[:500],
        clicked_at=timezone.now(),
    )
