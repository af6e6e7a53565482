"""Flows: what starts them, their steps, each customer's run, and the outbox of messages.

A ``Flow`` is started by a timeline event. Each started flow is a ``FlowRun`` for one customer
and one subject (the order, shipment or return the event was about). The run moves through the
flow's ``Step`` rows one ``StepRun`` at a time; a StepRun with a ``due_at`` in the future is a
wait that survives restarts. Sending creates a ``Message`` row first (the outbox), so a crash
between sending and recording can be recovered (see docs/operators/workers.md).
"""

from __future__ import annotations

import secrets
from datetime import time, timedelta

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped

LANGUAGES = ("fi", "sv", "en")


class Kind(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Transactional")
    MARKETING = "marketing", _("Marketing")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


UNSUBSCRIBE_TOKEN_BYTES = 24


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(UNSUBSCRIBE_TOKEN_BYTES)


def new_holdout_key() -> str:
    return secrets.token_hex(16)


DEFAULT_HOLDOUT_PERCENT = 10
MAX_HOLDOUT_PERCENT = 50


class MessagingSettings(TimeStamped):
    """A shop's sender, quiet hours and marketing frequency cap."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="messaging")
    sender_name = models.CharField(_("sender name"), max_length=100, blank=True)
    sender_email = models.EmailField(
        _("sender address"),
        blank=True,
        help_text=_("Leave empty to use the installation's default sender."),
    )
    quiet_hours_start = models.TimeField(_("quiet hours start"), default=time(21, 0))
    quiet_hours_end = models.TimeField(_("quiet hours end"), default=time(8, 0))
    frequency_cap = models.PositiveSmallIntegerField(
        _("marketing messages at most"),
        default=2,
        help_text=_("Per customer within the period below. 0 means no cap."),
    )
    frequency_cap_days = models.PositiveSmallIntegerField(_("within days"), default=7)
    failed_delivery_pause_days = models.PositiveSmallIntegerField(
        _("pause marketing after a failed delivery (days)"), default=14
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop"]
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")

    def __str__(self) -> str:
        return f"{self.shop} messaging"


class Flow(TimeStamped):
    """An automation: a trigger event, filters, exit conditions and an ordered list of steps."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="flows")
    key = models.SlugField(
        _("key"), max_length=60, blank=True, help_text=_("Set for built-in flows.")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.MARKETING)
    enabled = models.BooleanField(_("on"), default=False)
    trigger_type = models.CharField(_("trigger event"), max_length=64)
    trigger_filter = models.JSONField(
        _("trigger filter"),
        default=dict,
        blank=True,
        help_text=_('Payload values the event must have, e.g. {"delivery_method": "home"}.'),
    )
    flow_filter = models.JSONField(
        _("flow filter"),
        default=list,
        blank=True,
        help_text=_("Conditions checked at the start and before every step."),
    )
    exit_events = models.JSONField(
        _("exit events"),
        default=list,
        blank=True,
        help_text=_("Event types that end a run about the same subject or customer."),
    )
    max_trigger_lag = models.DurationField(
        _("maximum trigger lag"),
        default=timedelta(days=2),
        help_text=_("Events older than this when processed start no run (e.g. imported history)."),
    )
    priority = models.SmallIntegerField(
        _("priority"), default=0, help_text=_("Higher wins when the frequency cap is reached.")
    )
    holdout_percent = models.PositiveSmallIntegerField(
        _("control group (%)"),
        default=DEFAULT_HOLDOUT_PERCENT,
        validators=[MaxValueValidator(MAX_HOLDOUT_PERCENT)],
        help_text=_(
            "Marketing flows only: this share of customers enters the flow but gets no "
            "message, so the flow report can show what the messages caused. 0 to 50."
        ),
    )
    # The key of the keyed hash that puts a customer in the control group (flows.holdout).
    holdout_key = models.CharField(max_length=32, default=new_holdout_key, editable=False)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "kind", "name"]
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "key"], condition=~models.Q(key=""), name="flow_unique_key"
            )
        ]
        indexes = [models.Index(fields=["shop", "trigger_type", "enabled"], name="flow_trigger")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_marketing(self) -> bool:
        return self.kind == Kind.MARKETING

    @property
    def control_share(self) -> float:
        """The share of customers held out: none for transactional flows."""
        return self.holdout_percent / 100 if self.is_marketing else 0.0


class Step(models.Model):
    """One step of a flow: a wait, a condition split or an action (send e-mail or SMS)."""

    class Type(models.TextChoices):
        WAIT = "wait", _("Wait")
        CONDITION = "condition", _("Condition")
        EMAIL = "email", _("Send e-mail")
        SMS = "sms", _("Send SMS")

    class WaitAnchor(models.TextChoices):
        PREVIOUS = "", _("after the previous step")
        HELD_UNTIL = "held_until", _("before the parcel's held-until date")
        REORDER_DUE = "reorder_due", _("before the customer is expected to reorder")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    wait = models.DurationField(_("wait"), null=True, blank=True)
    wait_anchor = models.CharField(
        _("wait relative to"), max_length=20, choices=WaitAnchor.choices, blank=True
    )
    condition = models.CharField(_("condition"), max_length=60, blank=True)
    else_position = models.PositiveSmallIntegerField(
        _("if not, go to step"),
        null=True,
        blank=True,
        help_text=_("Empty: end the run when the condition does not hold."),
    )
    template_key = models.SlugField(_("template"), max_length=60, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["flow", "position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(fields=["flow", "position"], name="step_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.flow} #{self.position} {self.type}"

    @property
    def sends(self) -> bool:
        return self.type in (self.Type.EMAIL, self.Type.SMS)


class FlowRun(TimeStamped):
    """One customer going through one flow, started by one event about one subject."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        EXITED = "exited", _("Exited")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="runs")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="flow_runs"
    )
    trigger_event = models.ForeignKey(
        "timeline.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(_("subject"), max_length=32)
    subject_id = models.BigIntegerField()
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    control = models.BooleanField(
        _("control group"),
        default=False,
        help_text=_("In the flow's control group: goes through the steps but gets no message."),
    )
    exit_reason = models.CharField(_("exit reason"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("flow run")
        verbose_name_plural = _("flow runs")
        constraints = [
            models.UniqueConstraint(fields=["flow", "trigger_event"], name="flowrun_unique_trigger")
        ]
        indexes = [
            models.Index(fields=["shop", "customer", "state"], name="flowrun_customer"),
            models.Index(fields=["shop", "subject_type", "subject_id"], name="flowrun_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.flow} for {self.customer_id}"


class StepRun(TimeStamped):
    """A step of a run, due at ``due_at``; claimed by one worker at a time."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(FlowRun, on_delete=models.CASCADE, related_name="step_runs")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="step_runs")
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    # A new random token with every claim: a worker writes only while the row still carries
    # the token it claimed with, so a worker whose lease was taken over changes nothing.
    claim_token = models.CharField(max_length=32, blank=True)
    skip_reason = models.CharField(_("reason"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("step run")
        verbose_name_plural = _("step runs")
        indexes = [models.Index(fields=["state", "due_at"], name="steprun_due")]
        constraints = [
            # Advancing a run is idempotent: a step is scheduled at most once per run.
            models.UniqueConstraint(fields=["run", "step"], name="steprun_unique_step")
        ]

    def __str__(self) -> str:
        return f"{self.step} due {self.due_at:%Y-%m-%d %H:%M} ({self.state})"


class Message(TimeStamped):
    """The outbox: a rendered message, written before it is sent and updated after.

    A flow's message has its ``run`` and ``step`` and is sent by the scheduler under the step's
    claim. A message written outside a flow (a staff reply to a ticket: transactional, with
    no run or step, and a customer only when the ticket has one) is sent by its own loop
    (flows/direct.py). ``headers`` are extra e-mail headers (a reply's own Message-ID,
    In-Reply-To, References, Reply-To); ``attachments`` are files in the default storage, as
    ``{"name", "content_type", "file"}`` with ``file`` the storage name.

    ``pending`` is being sent now (or, outside a flow, due at ``next_attempt_at``);
    ``retrying`` was refused for a temporary reason and waits for ``next_attempt_at``;
    ``failed`` was given up (``failed_at``, ``failure_class`` and the provider's reply in
    ``last_error`` say when and why); ``cancelled`` was stopped by staff.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        CANCELLED = "cancelled", _("Cancelled")

    class FailureClass(models.TextChoices):
        TEMPORARY = "temporary", _("Temporary")
        PERMANENT = "permanent", _("Permanent")
        BOUNCE = "bounce", _("Hard bounce")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    run = models.ForeignKey(
        FlowRun, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    # The HTML part when it is more than the body's text (product cards with images).
    html = models.TextField(_("HTML part"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    send_attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(
        _("last error"), blank=True, help_text=_("The provider's reply to the last attempt.")
    )
    failure_class = models.CharField(
        _("failure"), max_length=10, choices=FailureClass.choices, blank=True
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    # The claim token of the step run that wrote this message: only that claim may send it.
    claim_token = models.CharField(max_length=32, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=200, blank=True, db_index=True)
    unsubscribe_token = models.CharField(max_length=40, unique=True, default=new_unsubscribe_token)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["shop", "customer", "kind", "sent_at"], name="message_cap"),
            models.Index(fields=["shop", "state"], name="message_state"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(step__isnull=True, state__in=["pending", "retrying"]),
                name="message_direct_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject or self.body[:40]}"

    @property
    def in_flow(self) -> bool:
        """Written by a flow's step (else by a service directly, such as a staff reply)."""
        return self.step_id is not None


class Template(TimeStamped):
    """The text of a message in one language, editable per shop (Django template syntax)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="message_templates")
    key = models.SlugField(_("key"), max_length=60)
    language = models.CharField(_("language"), max_length=5)
    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "key", "language"]
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "key", "language"], name="template_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Consent(models.Model):
    """One change of a customer's consent for a channel and purpose: the history behind it."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, default="marketing")
    granted = models.BooleanField(_("granted"))
    at = models.DateTimeField(_("at"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    wording_version = models.CharField(_("wording version"), max_length=40, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(fields=["shop", "customer", "channel", "at"], name="consent_latest")
        ]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrawn"
        return f"{self.channel} {self.purpose} {verb} at {self.at:%Y-%m-%d}"


class Suppression(models.Model):
    """An address the shop must not send marketing to (and, after a hard bounce, nothing)."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "channel", "address", "reason"], name="suppression_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.reason})"


class EventCursor(models.Model):
    """How far the trigger processor has read the timeline (by Event id)."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} at {self.last_event_id}"


class Click(models.Model):
    """A customer followed a product link in a message (through the signed click redirect)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="clicks")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(_("link"), max_length=500)
    clicked_at = models.DateTimeField(_("clicked at"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-clicked_at", "-id"]
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [models.Index(fields=["shop", "message"], name="click_message")]

    def __str__(self) -> str:
        return f"{self.url} at {self.clicked_at:%Y-%m-%d %H:%M}"
