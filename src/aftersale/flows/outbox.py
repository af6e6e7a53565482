"""The outbox: messages are written (and committed) before they are sent, and marked after.

    pending (committed, with the claim's token) ──count attempt──▶ send ──record──▶ sent

Only the claim that holds a step may write, count or send its message: every write checks the
step run's ``claim_token`` in the same statement or transaction. A worker records the results of
its batch in one transaction; if it dies between sending and recording, the messages sent since
its last record are still ``pending`` and are sent once more when the step is claimed again
(same Message-ID). That is the only way a duplicate can happen (docs/operators/workers.md).
"""

from __future__ import annotations

import base64
import secrets

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersale.flows import channels
from aftersale.flows.models import (
    UNSUBSCRIBE_TOKEN_BYTES,
    Channel,
    Kind,
    Message,
    StepRun,
    Template,
    new_unsubscribe_token,
)
from aftersale.flows.products import HTML_MARKER, ProductCard, html_block, text_block
from aftersale.flows.rendering import Rendered, render

SENDABLE = (Message.State.PENDING, Message.State.RETRYING)


def idempotency_key(step_run: StepRun) -> str:
    return f"run{step_run.run_id}-step{step_run.step_id}"


def choose_template(shop, customer, templates: dict[str, Template]) -> Template | None:
    """The template in the customer's language if there is one, else the shop's, else any."""
    for language in (customer.language, shop.default_language, "en", *sorted(templates)):
        if language in templates:
            return templates[language]
    return None


def shop_identity(shop) -> str:
    """Who is sending: the shop's name, address, e-mail and website on one line."""
    parts = [shop.name, ", ".join(line.strip() for line in shop.address.splitlines() if line)]
    parts += [shop.contact_email, shop.website]
    return " · ".join(part for part in parts if part)


def marketing_footer(shop, language: str, url: str) -> str:
    """The lines every marketing e-mail ends with, whatever its template says."""
    with translation.override(language):
        return "\n\n-- \n{}\n{}\n{}\n".format(
            shop_identity(shop),
            _("You get this e-mail because you agreed to receive marketing from %(shop)s.")
            % {"shop": shop.name},
            _("Unsubscribe: %(url)s") % {"url": url},
        )


def unsubscribe_tokens(count: int) -> list[str]:
    """``count`` new unsubscribe tokens (as ``new_unsubscribe_token``) from one read of the
    system's randomness."""
    raw = secrets.token_bytes(UNSUBSCRIBE_TOKEN_BYTES * count)
    return [
        base64.urlsafe_b64encode(raw[i : i + UNSUBSCRIBE_TOKEN_BYTES]).rstrip(b"=").decode()
        for i in range(0, len(raw), UNSUBSCRIBE_TOKEN_BYTES)
    ]


def build(
    step_run: StepRun,
    *,
    recipient: str,
    template: Template,
    context: dict,
    token: str,
    unsubscribe_token: str | None = None,
    products: list[ProductCard] | None = None,
) -> Message:
    """The step's outbox message rendered from ``template`` (not saved yet). With
    ``products``, the template's ``product_block`` is the products as text lines, and the
    message gets an HTML part that shows them as cards with images."""
    run, step = step_run.run, step_run.step
    channel = Channel.SMS if step.type == step.Type.SMS else Channel.EMAIL
    message = Message(
        shop_id=run.shop_id,
        customer_id=run.customer_id,
        run=run,
        step=step,
        kind=run.flow.kind,
        channel=channel,
        recipient=recipient,
        language=template.language,
        idempotency_key=idempotency_key(step_run),
        claim_token=token,
        unsubscribe_token=unsubscribe_token or new_unsubscribe_token(),
    )
    context["unsubscribe_url"] = channels.unsubscribe_url(message)
    if products:
        context["products"] = [card.as_dict() for card in products]
        context["product_block"] = text_block(products)
    rendered = render(template.subject, template.body, context)
    message.subject = rendered.subject[:300]
    message.body = rendered.body
    footer = ""
    if message.kind == Kind.MARKETING and channel == Channel.EMAIL:
        footer = marketing_footer(run.shop, template.language, context["unsubscribe_url"])
        message.body = message.body.rstrip("\n") + footer
    if products and channel == Channel.EMAIL:
        marked = render(template.subject, template.body, {**context, "product_block": HTML_MARKER})
        html = Rendered(marked.subject, marked.body.rstrip("\n") + footer).html
        block = html_block(products)
        html = html.replace(f"<p>{HTML_MARKER}</p>", block).replace(HTML_MARKER, block)
        message.html = html
    return message


def held(token: str, step_run_ids: list[int]) -> set[int]:
    """Of ``step_run_ids``, the ones still claimed with ``token`` (locked on PostgreSQL until
    the transaction ends, so the claim cannot change under the caller)."""
    rows = StepRun.objects.filter(
        id__in=step_run_ids, claim_token=token, state=StepRun.State.RUNNING
    )
    if connection.features.has_select_for_update:
        rows = rows.select_for_update(of=("self",))
    return set(rows.values_list("id", flat=True))


def write(token: str, pairs: list[tuple[StepRun, Message]]) -> list[tuple[StepRun, Message]]:
    """Save (commit) the messages of the steps still claimed with ``token``, in one insert,
    with their first attempt already counted: they are sent next."""
    with transaction.atomic():
        mine = held(token, [step_run.pk for step_run, _ in pairs])
        kept = [(step_run, message) for step_run, message in pairs if step_run.pk in mine]
        for _, message in kept:
            message.send_attempts = 1
        Message.objects.bulk_create([message for _, message in kept])
    return kept


def count_attempts(token: str, messages: list[Message]) -> set[int]:
    """Count one more attempt (in the database) for each message whose step is still claimed
    with ``token``, and take the messages over for this claim. Returns the ids it may send."""
    if not messages:
        return set()
    ids = [message.pk for message in messages]
    claimed_step = StepRun.objects.filter(
        run_id=OuterRef("run_id"),
        step_id=OuterRef("step_id"),
        claim_token=token,
        state=StepRun.State.RUNNING,
    )
    with transaction.atomic():
        Message.objects.filter(id__in=ids, state__in=SENDABLE).filter(Exists(claimed_step)).update(
            send_attempts=F("send_attempts") + 1,
            claim_token=token,
            state=Message.State.PENDING,
            updated_at=timezone.now(),
        )
        counted = dict(
            Message.objects.filter(
                id__in=ids, claim_token=token, state=Message.State.PENDING
            ).values_list("id", "send_attempts")
        )
    for message in messages:
        if message.pk in counted:
            message.send_attempts = counted[message.pk]
            message.state = Message.State.PENDING
            message.claim_token = token
    return set(counted)


def uncount_attempts(message_ids: list[int]) -> None:
    """Take back the attempt counted for messages that were not tried after all."""
    if message_ids:
        Message.objects.filter(id__in=message_ids, send_attempts__gt=0).update(
            send_attempts=F("send_attempts") - 1
        )
