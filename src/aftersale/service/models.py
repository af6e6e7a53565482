"""The service desk's tables: opening hours, closed days, support settings; the help centre;
support tickets.

A ``Ticket`` is a conversation with one customer (or one e-mail address) about one matter. It
has a per-shop ``number`` (shown as "#1234" and put in e-mail subjects), a state, an assignee
and the order it is about; its ``TicketMessage`` rows are what the customer wrote, what staff
answered, staff's internal notes and what the system did, in order. Attachments are stored
under MEDIA_ROOT with random names and served only to the shop's staff.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersale.core.models import Shop, ShopOwnedQuerySet, TimeStamped


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(TimeStamped):
    """One interval in which the shop's customer service answers, in the shop's time zone.

    A day may have several intervals (9–12 and 13–17). ``closes`` at 00:00 means midnight, the
    end of the day. A shop without rows uses ``Shop.opening_hours``."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="service_opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "weekday", "opens"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "weekday", "opens"], name="service_hours_unique_start"
            )
        ]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ShopClosedDay(TimeStamped):
    """A day the shop's customer service is closed on top of the public holidays."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="service_closed_days")
    date = models.DateField(_("date"))
    name = models.CharField(_("reason"), max_length=100, blank=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop", "date"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "date"], name="service_closed_day_unique")
        ]
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


DEFAULT_FIRST_RESPONSE_HOURS = 8
DEFAULT_RESOLUTION_HOURS = 40
DEFAULT_CSAT_INTERVAL_DAYS = 30


class SupportSettings(TimeStamped):
    """Answer-time targets in business hours and whose public holidays close the desk.

    A shop without a row gets the defaults: first response within 8 business hours, resolution
    within 40, the holidays of the shop's own country."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="support_settings")
    first_response_hours = models.PositiveSmallIntegerField(
        _("first response target (business hours)"),
        default=DEFAULT_FIRST_RESPONSE_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )
    resolution_hours = models.PositiveSmallIntegerField(
        _("resolution target (business hours)"),
        default=DEFAULT_RESOLUTION_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
    )
    holiday_countries = models.JSONField(
        _("public holidays of"),
        default=list,
        blank=True,
        help_text=_("Two-letter country codes, e.g. FI, SE."),
    )
    csat_interval_days = models.PositiveSmallIntegerField(
        _("ask a customer about the same ticket again after (days)"),
        default=DEFAULT_CSAT_INTERVAL_DAYS,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_(
            "A ticket solved again within this many days of its last satisfaction question "
            "is not asked about again."
        ),
    )

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["shop"]
        verbose_name = _("support settings")
        verbose_name_plural = _("support settings")

    def __str__(self) -> str:
        return f"{self.shop}: {self.first_response_hours} h / {self.resolution_hours} h"


# --- Support tickets -------------------------------------------------------------------------


class Topic(models.TextChoices):
    ORDER = "order", _("An order")
    DELIVERY = "delivery", _("Delivery")
    RETURN = "return", _("A return")
    PRODUCT = "product", _("A product")
    OTHER = "other", _("Something else")


class TicketState(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    SNOOZED = "snoozed", _("Snoozed")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")
    SPAM = "spam", _("Spam")
    MERGED = "merged", _("Merged")


# States in which a ticket needs staff's attention (counted against the answer-time targets).
ACTIVE_STATES = (TicketState.NEW, TicketState.OPEN)
# States a customer's new message reopens.
REOPENED_BY_CUSTOMER = (TicketState.WAITING, TicketState.SNOOZED, TicketState.SOLVED)
# States that count as "the customer has an open ticket" (the marketing pause).
UNRESOLVED_STATES = (
    TicketState.NEW,
    TicketState.OPEN,
    TicketState.WAITING,
    TicketState.SNOOZED,
)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Source(models.TextChoices):
    PORTAL = "portal", _("Contact form")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    STAFF = "staff", _("Staff")
    # Opened by a low score in a satisfaction survey. Such a ticket does not pause marketing
    # (flows.conditions): pausing it would ask unhappy customers for reviews later than happy
    # ones, which is review gating.
    SURVEY = "survey", _("Satisfaction survey")


class TicketQuerySet(ShopOwnedQuerySet):
    def unresolved(self) -> TicketQuerySet:
        return self.filter(state__in=UNRESOLVED_STATES)


class Ticket(TimeStamped):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="tickets")
    number = models.PositiveIntegerField(_("number"))
    customer = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices, default=Topic.OTHER)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("order"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=TicketState.choices, default=TicketState.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    # When the customer last wrote and staff has not answered since (None once answered):
    # the inbox orders by it and the "breaching target" view compares it with the targets.
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # The answer-time targets as moments (business hours counted when they were set), so that
    # "breaching target" is an indexed comparison: the next reply is due by ``reply_due_at``
    # (None once answered), the ticket should be solved by ``resolve_due_at``.
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # Business time (the shop's opening hours, closed days and holidays) from opening to the
    # first reply and to the (latest) solving, in seconds, kept when they happen so that the
    # desk's figures are aggregate queries (service/figures.py).
    first_response_seconds = models.PositiveIntegerField(
        _("first response (business seconds)"), null=True, blank=True
    )
    resolution_seconds = models.PositiveIntegerField(
        _("resolution (business seconds)"), null=True, blank=True
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "number"], name="ticket_unique_shop_number")
        ]
        indexes = [
            models.Index(fields=["shop", "state", "updated_at"], name="ticket_state"),
            models.Index(fields=["shop", "assignee", "state"], name="ticket_assignee"),
            models.Index(fields=["shop", "customer", "state"], name="ticket_customer"),
            models.Index(fields=["shop", "state", "snoozed_until"], name="ticket_snoozed"),
            models.Index(fields=["shop", "state", "reply_due_at"], name="ticket_reply_due"),
            # The API's change feed: ?updated_since and the cursor walk (updated_at, id).
            models.Index(fields=["shop", "updated_at", "id"], name="ticket_shop_updated"),
            # The desk's figures: tickets solved in a period.
            models.Index(fields=["shop", "solved_at"], name="ticket_shop_solved"),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def requester(self) -> str:
        """Who wrote in, as staff reads it: the name, else the e-mail address."""
        return self.name or self.email


class TicketMessage(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        STAFF = "staff", _("Reply")
        NOTE = "note", _("Internal note")
        SYSTEM = "system", _("System")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    # The e-mail's own Message-ID (inbound) or the one we sent it with (outbound).
    email_message_id = models.CharField(max_length=998, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    # A staff reply's e-mail: one row of the flows app's outbox, written with the reply, which
    # sends it, retries it and records what became of it (flows/direct.py).
    outbox_message = models.ForeignKey(
        "flows.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["shop", "email_message_id"], name="ticket_message_email_id"),
        ]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}: {self.body[:40]}"

    @property
    def delivery(self) -> str:
        """The reply's e-mail state in the outbox (``pending``, ``retrying``, ``sent``,
        ``failed``, ``bounced``, ``cancelled``), or "" for a message that is not e-mailed."""
        return self.outbox_message.state if self.outbox_message_id else ""


def attachment_path(attachment: TicketAttachment, filename: str) -> str:
    """Random names under the shop's folder; the sender's file name is never used on disk."""
    return f"ticket-attachments/{attachment.shop_id}/{secrets.token_hex(16)}"


class TicketAttachment(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["message", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CannedReply(TimeStamped):
    """A ready answer staff inserts into a reply, per shop and language. Its text may use the
    flows' template variables ({{ customer_first_name }}, {{ order_number }}, {{ tracking_url }},
    {{ return_slip_url }}, {{ pickup_point_name }}, {{ held_until }}, …)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="canned_replies")
    language = models.CharField(_("language"), max_length=5)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["language", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "language", "title"], name="canned_reply_unique_title"
            )
        ]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class CsatAnswer(TimeStamped):
    """The customer's answer to "how did we do?" after a ticket was solved: a score from 1 to 5
    and an optional comment, one per solving of the ticket (``solved_event_id``, the
    ``ticket.solved`` event the question was about; answering again updates it).

    ``agent`` is the ticket's assignee when it was solved and ``topic`` its topic then, so the
    figures per agent and topic do not move when the ticket is reassigned later."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="csat_answers", verbose_name=_("ticket")
    )
    solved_event_id = models.PositiveBigIntegerField(_("solved event"))
    customer = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("customer"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"))

    objects = ShopOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "solved_event_id"], name="csat_one_answer_per_solving"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="csat_score_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["shop", "answered_at"], name="csat_shop_answered")]
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")

    def __str__(self) -> str:
        return f"{self.score}/5 on #{self.ticket_id}"


from aftersale.service.help.models import (  # noqa: E402  (the help centre's tables)
    HelpArticle,
    HelpArticleTranslation,
    HelpCategory,
    HelpVisitDay,
    HelpVisitor,
    HelpVisitSalt,
)

__all__ = [
    "HelpArticle",
    "HelpArticleTranslation",
    "HelpCategory",
    "HelpVisitDay",
    "HelpVisitSalt",
    "HelpVisitor",
    "OpeningHours",
    "ShopClosedDay",
    "SupportSettings",
    "Weekday",
    "CannedReply",
    "CsatAnswer",
    "Ticket",
    "TicketAttachment",
    "TicketMessage",
]
