"""Inputs and selects written in Python are exactly what Django's widget templates write."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation

from aftersale.backoffice.forms import CustomerSearchForm, OrderSearchForm
from aftersale.backoffice.views.deliveries import CostsForm
from aftersale.backoffice.views.returns import QueueFilter
from aftersale.backoffice.views.withdrawals import SettingsForm
from aftersale.core.widgets import WidgetRenderer
from aftersale.portal.forms import LookupForm, MagicLinkForm

pytestmark = pytest.mark.django_db


class Everything(forms.Form):
    text = forms.CharField(
        label="Text <b>", max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "q" & b'})
    )
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    email = forms.EmailField(required=False, disabled=True)
    number = forms.IntegerField(min_value=0, max_value=10_000)
    amount = forms.DecimalField(max_digits=7, decimal_places=2, initial="6.90")
    when = forms.DateField(initial=date(2026, 12, 1))
    agree = forms.BooleanField(required=False, initial=True)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput, initial="x<y")
    choice = forms.ChoiceField(choices=[("", "—"), ("a&b", "A & B"), (3, 3000), ("ä", "Ä")])
    grouped = forms.ChoiceField(
        choices=[("Nordic", [("fi", "Finnish"), ("sv", "Swedish")]), ("en", "English")]
    )
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two")], required=False)
    dated = forms.ChoiceField(choices=[(date(2026, 1, 2), date(2026, 1, 2))])
    note = forms.CharField(widget=forms.Textarea, required=False)
    kind = forms.ChoiceField(widget=forms.RadioSelect, choices=[("x", "X"), ("y", "Y")])


FORMS = [
    lambda: Everything(),
    lambda: Everything(
        {"text": "<script>", "choice": "a&b", "grouped": "sv", "many": ["1", "2"], "number": "-1"}
    ),
    lambda: OrderSearchForm({"q": 'a"b', "status": "delivered"}),
    lambda: CustomerSearchForm(),
    lambda: QueueFilter({"state": "all", "age": "7"}),
    lambda: LookupForm({"number": "", "email": "bad"}),
    lambda: MagicLinkForm(),
    lambda: CostsForm(initial={"outbound": 6.9, "back": 0, "handling": 1.5}),
    lambda: SettingsForm(),
]


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
@pytest.mark.parametrize("make", FORMS)
def test_every_field_is_written_as_djangos_templates_write_it(make, language):
    with translation.override(language):
        form = make()
        form.is_bound and form.is_valid()
        ours, theirs = WidgetRenderer(), DjangoTemplates()
        for name in form.fields:
            form.renderer = ours
            written = str(form[name])
            form.renderer = theirs
            assert written == str(form[name]), name


def test_it_is_the_forms_renderer_and_writes_selects_itself(monkeypatch):
    form = OrderSearchForm()
    assert isinstance(form.renderer, WidgetRenderer)
    rendered = []
    monkeypatch.setattr(DjangoTemplates, "render", lambda *args, **kw: rendered.append(args[1]))
    str(form["status"]) and str(form["q"])
    assert rendered == []
