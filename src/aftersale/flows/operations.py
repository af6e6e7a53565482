"""Staff actions on messages that failed or wait to be retried: retry now, or cancel.

Each action is recorded on the customer's timeline (``message.retried``, ``message.cancelled``)
with who did it; the timestamp is the event's. The worker does the sending: a retry only puts the
message and its step back in the queue, due now, and the engine sends an existing ``retrying``
message under its next claim (see scheduler.py); a message written outside a flow (a staff
reply to a ticket) is put back due now with a fresh round of attempts and sent by its own loop
(direct.py). A message being sent at this moment (``pending``) is left alone, so staff can
never cause a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.flows.models import FlowRun, Message, StepRun
from aftersale.timeline import types
from aftersale.timeline.services import record_event

RETRYABLE = (Message.State.FAILED, Message.State.RETRYING)
CANCELLABLE = (Message.State.FAILED, Message.State.RETRYING)


class NotPossible(Exception):
    """The action does not apply to the message now; the text says why (for staff)."""


@dataclass
class Outcome:
    """What a bulk action did: how many messages, and why the others were left as they were."""

    done: int = 0
    refused: dict[int, str] = field(default_factory=dict)


def _actor(user) -> dict:
    return {"by": user.get_username(), "by_id": user.pk}


def _locked(shop, message_id: int) -> Message:
    rows = Message.objects.for_shop(shop).select_related("run__flow", "customer", "step")
    return rows.select_for_update(of=("self",)).get(pk=message_id)


@transaction.atomic
def retry_message(shop, message_id: int, *, by) -> Message:
    """Send a failed or retrying message again now (a fresh round of attempts).

    Raises ``Message.DoesNotExist`` for another shop's message and ``NotPossible`` when the
    message is sent, being sent or cancelled, or its run has ended for another reason (an exit
    event such as the parcel being picked up: the message no longer applies).
    """
    message = _locked(shop, message_id)
    if message.state not in RETRYABLE:
        raise NotPossible(
            _("the message is “%(state)s”, not failed or retrying")
            % {"state": message.get_state_display()}
        )
    run = message.run
    if run is None:
        return _retry_direct(shop, message, by=by)
    if run.state == FlowRun.State.EXITED:
        raise NotPossible(
            _("its flow run has ended (%(reason)s)") % {"reason": run.exit_reason or "exited"}
        )
    now = timezone.now()
    message.state = Message.State.RETRYING
    message.next_attempt_at = now
    message.failed_at = None
    message.save(update_fields=["state", "next_attempt_at", "failed_at", "updated_at"])
    StepRun.objects.filter(run_id=message.run_id, step_id=message.step_id).exclude(
        state=StepRun.State.RUNNING
    ).update(
        state=StepRun.State.PENDING,
        due_at=now,
        attempts=0,
        claimed_until=None,
        finished_at=None,
        skip_reason="",
        updated_at=now,
    )
    if run.state == FlowRun.State.COMPLETED:  # the run had gone on past the failed step
        FlowRun.objects.filter(pk=run.pk).update(
            state=FlowRun.State.ACTIVE, ended_at=None, updated_at=now
        )
    record_event(
        shop,
        types.MESSAGE_RETRIED,
        subject=message,
        customer=message.customer,
        payload={
            **_actor(by),
            "flow": run.flow.name,
            "subject": message.subject,
            "attempts": message.send_attempts,
            "last_error": message.last_error[:300],
        },
        occurred_at=now,
    )
    return message


def _retry_direct(shop, message: Message, *, by) -> Message:
    now = timezone.now()
    attempts = message.send_attempts
    message.state = Message.State.RETRYING
    message.next_attempt_at = now
    message.failed_at = None
    message.send_attempts = 0
    message.save(
        update_fields=["state", "next_attempt_at", "failed_at", "send_attempts", "updated_at"]
    )
    record_event(
        shop,
        types.MESSAGE_RETRIED,
        subject=message,
        customer=message.customer,
        payload={
            **_actor(by),
            "flow": "",
            "subject": message.subject,
            "attempts": attempts,
            "last_error": message.last_error[:300],
        },
        occurred_at=now,
    )
    return message


@transaction.atomic
def cancel_message(shop, message_id: int, *, by) -> Message:
    """Stop trying to send a failed or retrying message; it leaves the dead-letter list.

    A retrying message's step is closed by the worker on its next pass (due now) and the run
    goes on with its next step, as after any message that was not sent.
    """
    message = _locked(shop, message_id)
    if message.state not in CANCELLABLE:
        raise NotPossible(
            _("the message is “%(state)s”, not failed or retrying")
            % {"state": message.get_state_display()}
        )
    now = timezone.now()
    previous = message.state
    message.state = Message.State.CANCELLED
    message.next_attempt_at = None
    message.save(update_fields=["state", "next_attempt_at", "updated_at"])
    if message.in_flow:
        StepRun.objects.filter(
            run_id=message.run_id, step_id=message.step_id, state=StepRun.State.PENDING
        ).update(due_at=now, updated_at=now)
    record_event(
        shop,
        types.MESSAGE_CANCELLED,
        subject=message,
        customer=message.customer,
        payload={
            **_actor(by),
            "flow": message.run.flow.name if message.run else "",
            "subject": message.subject,
            "was": previous,
            "last_error": message.last_error[:300],
        },
        occurred_at=now,
    )
    return message


def _bulk(action, shop, message_ids: list[int], *, by) -> Outcome:
    outcome = Outcome()
    for message_id in sorted(set(message_ids)):
        try:
            action(shop, message_id, by=by)
        except Message.DoesNotExist:
            outcome.refused[message_id] = _("not found")
        except NotPossible as exc:
            outcome.refused[message_id] = str(exc)
        else:
            outcome.done += 1
    return outcome


def retry_messages(shop, message_ids: list[int], *, by) -> Outcome:
    """``retry_message`` for each id (each in its own transaction); ids of other shops are
    refused as not found."""
    return _bulk(retry_message, shop, message_ids, by=by)


def cancel_messages(shop, message_ids: list[int], *, by) -> Outcome:
    """``cancel_message`` for each id (each in its own transaction)."""
    return _bulk(cancel_message, shop, message_ids, by=by)
