"""The outbox: a message is written (and committed) before it is sent, and marked sent after.

    pending (committed) ──send──▶ provider accepted ──record──▶ sent

If the worker dies between "send" and "record", the message is still pending and its step is
claimed again when the claim's lease expires; it is then sent once more (same Message-ID). That
is the only way a duplicate can happen: at most one per message in flight at the crash.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from aftersale.flows import channels
from aftersale.flows.models import Channel, Message, StepRun, Template
from aftersale.flows.rendering import render


def idempotency_key(step_run: StepRun) -> str:
    return f"run{step_run.run_id}-step{step_run.step_id}"


def pick_language(shop, customer, key: str) -> str | None:
    """The customer's language if the template exists in it, else the shop's, else any."""
    available = set(
        Template.objects.for_shop(shop).filter(key=key).values_list("language", flat=True)
    )
    for language in (customer.language, shop.default_language, "en", *sorted(available)):
        if language in available:
            return language
    return None


def prepare(step_run: StepRun, *, recipient: str, context_for) -> Message | None:
    """The step's outbox message: the one already written for it, or a newly rendered one.

    Returns None if the step's template is missing in every language.
    """
    key = idempotency_key(step_run)
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    run, step = step_run.run, step_run.step
    language = pick_language(run.shop, run.customer, step.template_key)
    if language is None:
        return None
    template = Template.objects.for_shop(run.shop).get(key=step.template_key, language=language)
    message = Message(
        shop_id=run.shop_id,
        customer_id=run.customer_id,
        run=run,
        step=step,
        kind=run.flow.kind,
        channel=Channel.SMS if step.type == step.Type.SMS else Channel.EMAIL,
        recipient=recipient,
        language=language,
        idempotency_key=key,
    )
    context = context_for(run, language)
    context["unsubscribe_url"] = channels.unsubscribe_url(message)
    rendered = render(template.subject, template.body, context)
    message.subject = rendered.subject[:300]
    message.body = rendered.body
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # written by another worker a moment ago
        return Message.objects.get(idempotency_key=key)
    return message


def send(message: Message, *, from_email: str, connection=None) -> str:
    """Count the attempt (committed first, so a crash leaves a trace), then send."""
    Message.objects.filter(pk=message.pk).update(send_attempts=message.send_attempts + 1)
    message.send_attempts += 1
    return channels.send(message, from_email=from_email, connection=connection)


def mark_sent(message: Message, *, provider_id: str, now: datetime) -> None:
    message.state = Message.State.SENT
    message.provider_id = provider_id[:200]
    message.sent_at = now
    message.save(update_fields=["state", "provider_id", "sent_at", "updated_at"])
