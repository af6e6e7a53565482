"""What the flows app holds about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.flows.models import (
    Click,
    Consent,
    Flow,
    FlowRun,
    Message,
    MessagingSettings,
    StepRun,
    Suppression,
    Template,
)
from aftersale.privacy.registry import declare, declare_no_customer_data, delete

declare(
    FlowRun,
    customer="customer",
    why=_("The automated messages a customer is going through; running ones are cancelled."),
    erase=delete(),
)
declare(
    StepRun,
    customer="run__customer",
    why=_("Each step of a flow for the customer and when it is due."),
    erase=delete(),
)
declare(
    Message,
    customer="customer",
    why=_("E-mails and text messages sent to the customer, with their text."),
    # The headers of a staff reply carry the ticket's signed reply address and Message-ID.
    secret=("unsubscribe_token", "idempotency_key", "headers"),
    erase=delete(),
)
declare(
    Click,
    customer="message__customer",
    why=_("Which product links in our messages the customer followed, and when."),
    erase=delete(),
)
declare(
    Consent,
    customer="customer",
    why=_("When the customer gave or withdrew marketing consent, and where."),
    erase=delete(),
)
declare(
    Suppression,
    customer="message__customer",
    why=_("Addresses that must not get marketing (unsubscribed, bounced, complained)."),
    erase=delete(),
)
declare_no_customer_data(MessagingSettings, _("The shop's sender name and address."))
declare_no_customer_data(Flow, _("The shop's automations: triggers, filters and steps."))
declare_no_customer_data(
    Template, _("Message templates; the customer's details are filled in when a message is made.")
)
