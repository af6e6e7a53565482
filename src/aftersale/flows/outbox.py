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


def choose_template(shop, customer, templates: dict[str, Template]) -> Template | None:
    """The template in the customer's language if there is one, else the shop's, else any."""
    for language in (customer.language, shop.default_language, "en", *sorted(templates)):
        if language in templates:
            return templates[language]
    return None


def prepare(
    step_run: StepRun, *, recipient: str, context_for, templates: dict[str, Template]
) -> Message | None:
    """Render and write (commit) the step's outbox message from one of ``templates`` (by
    language). Returns None if there is no template in any language."""
    key = idempotency_key(step_run)
    run, step = step_run.run, step_run.step
    template = choose_template(run.shop, run.customer, templates)
    if template is None:
        return None
    language = template.language
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
