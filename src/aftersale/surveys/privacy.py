"""What surveys hold about a customer (see aftersale/privacy/registry.py)."""

from django.utils.translation import gettext_lazy as _

from aftersale.privacy.registry import declare, declare_no_customer_data, delete
from aftersale.surveys.models import SurveyAnswer, SurveySettings

declare(
    SurveyAnswer,
    customer="customer",
    why=_("The customer's answers to satisfaction surveys: the score and their comment."),
    export=(
        "id",
        "order_id",
        "shipment_id",
        "scale",
        "score",
        "comment",
        "about",
        "language",
        "answered_at",
    ),
    erase=delete(),
)
declare_no_customer_data(
    SurveySettings, _("How the shop asks: the scale and when a low score opens a ticket.")
)
