"""What the service desk holds about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.registry import declare, declare_no_customer_data, delete
from aftersale.service.help.models import HelpArticleTranslation, HelpCategory
from aftersale.service.models import (
    CannedReply,
    CsatAnswer,
    ShopClosedDay,
    SupportSettings,
    Ticket,
    TicketAttachment,
    TicketMessage,
)

declare(
    Ticket,
    customer="customer",
    why=_("The customer's support tickets: subject, topic, state and who handled them."),
    export=(
        "id",
        "number",
        "email",
        "name",
        "subject",
        "topic",
        "order_id",
        "state",
        "source",
        "created_at",
        "first_response_at",
        "solved_at",
    ),
    erase=delete(),
)
declare(
    TicketMessage,
    customer="ticket__customer",
    why=_("What the customer wrote to the shop's customer service and what it answered."),
    export=("id", "ticket_id", "kind", "body", "created_at"),
    erase=delete(),
)
declare(
    TicketAttachment,
    customer="message__ticket__customer",
    why=_("Files the customer attached to a support message."),
    export=("id", "message_id", "name", "content_type", "size", "created_at"),
    files=("file",),
    erase=delete(),
)
declare(
    CsatAnswer,
    customer="ticket__customer",
    why=_('The customer\'s answers to "how did we do?" after a support ticket was solved.'),
    export=("id", "ticket_id", "score", "comment", "topic", "answered_at"),
    erase=delete(),
)

declare_no_customer_data(
    CannedReply, _("Reply templates the shop writes; a customer's details fill them when sent.")
)
declare_no_customer_data(ShopClosedDay, _("The days the shop's customer service is closed."))
declare_no_customer_data(
    SupportSettings, _("Answer-time targets and whose public holidays close the desk.")
)
declare_no_customer_data(HelpCategory, _("The shop's help-centre categories."))
declare_no_customer_data(HelpArticleTranslation, _("The shop's help-centre articles."))
