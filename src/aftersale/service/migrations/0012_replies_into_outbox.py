"""Staff replies move into the flows app's outbox: every reply that was e-mailed (or is still
to be) gets its outbox message, linked from the reply, with the state, attempts and last error
it had. A reply still pending or retrying is due in the outbox as it was, and the outbox's
worker sends it (once: the reply's own sending loop and its fields are gone in the next
migration). Stop the workers while migrating (docs/operators/deployment.md, "Upgrading")."""

from django.db import migrations
from django.utils import timezone

BATCH = 500
STATES = {"pending", "retrying", "sent", "failed"}


def _references(TicketMessage, message) -> list[str]:
    earlier = (
        TicketMessage.objects.filter(ticket_id=message.ticket_id, id__lt=message.pk)
        .exclude(email_message_id="")
        .exclude(kind__in=("note", "system"))
        .order_by("-id")
        .values_list("email_message_id", flat=True)[:10]
    )
    return [value for value in reversed(list(earlier)) if value.startswith("<")]


def _outbox_message(apps, message):
    """The outbox row for one reply, as the service's ``replies.queue_reply`` writes it."""
    # The subject and the signed Reply-To are the service's own code: plain functions of the
    # ticket's shop id, id and number (the same the inbound mail is checked against).
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from aftersale.service.mail_identity import reply_to_address, subject_for

    Message = apps.get_model("flows", "Message")
    TicketMessage = apps.get_model("service", "TicketMessage")
    ticket = message.ticket
    language = ticket.language or ticket.shop.default_language
    with override(language):
        subject = subject_for(ticket, _("Re: %(subject)s") % {"subject": ticket.subject})
    headers = {"Message-ID": message.email_message_id, "Reply-To": reply_to_address(ticket)}
    earlier = _references(TicketMessage, message)
    if earlier:
        headers["In-Reply-To"] = earlier[-1]
        headers["References"] = " ".join(earlier)
    due = message.delivery in ("pending", "retrying")
    return Message(
        shop_id=message.shop_id,
        customer_id=ticket.customer_id,
        kind="transactional",
        channel="email",
        recipient=message.recipient or ticket.email,
        language=language,
        subject=subject[:300],
        body=message.body,
        headers=headers,
        attachments=[
            {"name": item.name, "content_type": item.content_type, "file": item.file.name}
            for item in message.attachments.all()
        ],
        idempotency_key=f"ticket-reply-{message.pk}",
        state=message.delivery,
        send_attempts=message.send_attempts,
        last_error=message.last_error,
        next_attempt_at=(message.next_attempt_at or timezone.now()) if due else None,
        provider_id=message.email_message_id[:200] if message.delivery == "sent" else "",
        sent_at=message.sent_at,
    )


def forwards(apps, schema_editor):
    Message = apps.get_model("flows", "Message")
    TicketMessage = apps.get_model("service", "TicketMessage")
    replies = (
        TicketMessage.objects.filter(
            kind="staff", delivery__in=STATES, outbox_message__isnull=True
        )
        .select_related("ticket__shop")
        .prefetch_related("attachments")
        .order_by("id")
    )
    while True:
        batch = list(replies[:BATCH])
        if not batch:
            return
        created = Message.objects.bulk_create([_outbox_message(apps, m) for m in batch])
        for message, outbox in zip(batch, created, strict=True):
            message.outbox_message_id = outbox.pk
        TicketMessage.objects.bulk_update(batch, ["outbox_message"])


def backwards(apps, schema_editor):
    """Back to the replies' own fields (the outbox rows of replies are removed)."""
    Message = apps.get_model("flows", "Message")
    TicketMessage = apps.get_model("service", "TicketMessage")
    replies = TicketMessage.objects.filter(outbox_message__isnull=False).select_related(
        "outbox_message"
    )
    for message in replies.iterator(chunk_size=BATCH):
        outbox = message.outbox_message
        message.delivery = outbox.state if outbox.state in STATES else "failed"
        message.recipient = outbox.recipient
        message.send_attempts = outbox.send_attempts
        message.next_attempt_at = outbox.next_attempt_at
        message.last_error = outbox.last_error
        message.sent_at = outbox.sent_at
        message.save(
            update_fields=[
                "delivery",
                "recipient",
                "send_attempts",
                "next_attempt_at",
                "last_error",
                "sent_at",
            ]
        )
    Message.objects.filter(step__isnull=True, idempotency_key__startswith="ticket-reply-").delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0011_ticketmessage_outbox_message")]

    operations = [migrations.RunPython(forwards, backwards)]
