"""Labels of stored choices come from a dict made once per field, in the reader's language."""

from __future__ import annotations

from django.db.models import Model
from django.utils import translation

from aftersale.core.choices import _display
from aftersale.delivery.models import Shipment
from aftersale.orders.models import Order
from aftersale.returns.models import ReturnRequest


def test_a_label_is_in_the_active_language_and_the_same_as_djangos():
    state = ReturnRequest._meta.get_field("state")
    for language in ("en", "fi", "sv"):
        with translation.override(language):
            for value, _label in state.choices:
                request = ReturnRequest(state=value)
                assert request.get_state_display() == Model._get_FIELD_display(request, state)
    with translation.override("fi"):
        assert ReturnRequest(state="approved").get_state_display() == "Hyväksytty"
    with translation.override("sv"):
        assert ReturnRequest(state="approved").get_state_display() == "Godkänd"


def test_a_value_without_a_choice_is_shown_as_it_is():
    assert Order(status="from-an-old-version").get_status_display() == "from-an-old-version"
    assert Order(status=None).get_status_display() is None


def test_every_choices_field_of_the_domain_uses_it():
    for model, field in ((Order, "status"), (Order, "delivery_method"), (Shipment, "status")):
        assert model.__dict__[f"get_{field}_display"].func is _display, (model, field)
