"""The forms of the flow pages: the flow editor (flow, steps, trigger filters built from form
controls), templates and messaging settings, and the error summary shown at the top of a form.

Event types are offered by their human names (``backoffice.timeline.type_label``), grouped by
area; a trigger filter is a set of selects and inputs over the event's payload, never JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersale.backoffice.timeline import type_label
from aftersale.flows.conditions import condition_choices
from aftersale.flows.models import (
    LANGUAGES,
    MAX_HOLDOUT_PERCENT,
    Flow,
    MessagingSettings,
    Step,
    Template,
)
from aftersale.flows.rendering import check_syntax
from aftersale.flows.triggers import RECEIVED
from aftersale.insights.models import RfmSegment, ValueSegment
from aftersale.returns.models import Resolution, ReturnMethod, ReturnRequest
from aftersale.timeline import types

CUSTOMER_EVENTS = (
    types.CUSTOMER_CREATED,
    types.CUSTOMER_CONSENT_CHANGED,
    types.CUSTOMER_SEGMENT_ENTERED,
    types.CUSTOMER_LAPSING,
)
ORDER_EVENTS = (
    types.ORDER_PLACED,
    types.ORDER_UPDATED,
    types.ORDER_CANCELLED,
    types.PAYMENT_RECEIVED,
    types.REFUND_ISSUED,
)
SHIPMENT_EVENTS = (
    types.SHIPMENT_CREATED,
    types.SHIPMENT_SHIPPED,
    types.SHIPMENT_IN_TRANSIT,
    types.SHIPMENT_READY_FOR_PICKUP,
    types.SHIPMENT_DELIVERED,
    types.SHIPMENT_PICKED_UP,
    RECEIVED,
    types.SHIPMENT_DELIVERY_FAILED,
    types.SHIPMENT_RETURNED_TO_SENDER,
)
RETURN_EVENTS = (
    types.RETURN_REQUESTED,
    types.RETURN_APPROVED,
    types.RETURN_REJECTED,
    types.RETURN_IN_TRANSIT,
    types.RETURN_RECEIVED,
    types.RETURN_INSPECTED,
    types.RETURN_REFUNDED,
    types.RETURN_EXCHANGED,
    types.RETURN_CREDITED,
    types.RETURN_CLOSED,
)
WITHDRAWAL_EVENTS = (
    types.WITHDRAWAL_NOTIFIED,
    types.WITHDRAWAL_ACKNOWLEDGED,
    types.WITHDRAWAL_GOODS_BACK,
    types.WITHDRAWAL_REFUNDED,
    types.UNCLAIMED_CASE_OPENED,
    types.UNCLAIMED_CASE_REFUNDED,
)
MESSAGE_EVENTS = (types.MESSAGE_UNSUBSCRIBED,)
LOYALTY_EVENTS = (
    types.LOYALTY_JOINED,
    types.LOYALTY_POINTS_EARNED,
    types.LOYALTY_POINTS_VESTED,
    types.LOYALTY_POINTS_REVERSED,
    types.LOYALTY_POINTS_REDEEMED,
    types.LOYALTY_POINTS_ADJUSTED,
    types.LOYALTY_TIER_CHANGED,
)

EVENT_GROUPS = (
    (gettext_lazy("Customers"), CUSTOMER_EVENTS),
    (gettext_lazy("Orders and payments"), ORDER_EVENTS),
    (gettext_lazy("Deliveries"), SHIPMENT_EVENTS),
    (gettext_lazy("Returns"), RETURN_EVENTS),
    (gettext_lazy("Withdrawals and unclaimed parcels"), WITHDRAWAL_EVENTS),
    (gettext_lazy("Loyalty"), LOYALTY_EVENTS),
)
EXIT_EVENT_GROUPS = (*EVENT_GROUPS, (gettext_lazy("Messages"), MESSAGE_EVENTS))


def event_choices(groups, keep: list[str] | tuple[str, ...] = ()) -> list:
    """Grouped (type, human name) choices; types in ``keep`` that no group offers (set through
    the API or by an older version) are offered too, so a form saves what it shows."""
    offered = {t for _label, group in groups for t in group}
    choices: list = [(str(label), [(t, type_label(t)) for t in group]) for label, group in groups]
    others = [t for t in keep if t and t not in offered]
    if others:
        choices.append((_("Other events"), [(t, type_label(t)) for t in others]))
    return choices


@dataclass(frozen=True)
class PayloadFilter:
    """A trigger filter: the event's ``key`` in its payload must equal the chosen value."""

    key: str
    label: object
    events: tuple[str, ...]
    applies_to: object
    choices: tuple = ()


ORDER_SOURCES = (
    ("api", "API"),
    ("shopify", "Shopify"),
    ("woocommerce", "WooCommerce"),
    ("import", gettext_lazy("CSV import")),
)

PAYLOAD_FILTERS = (
    PayloadFilter(
        "segment",
        gettext_lazy("Segment entered"),
        (types.CUSTOMER_SEGMENT_ENTERED,),
        gettext_lazy("a customer entering a segment"),
        tuple(RfmSegment.choices),
    ),
    PayloadFilter(
        "value_segment",
        gettext_lazy("Value after returns"),
        (types.CUSTOMER_SEGMENT_ENTERED,),
        gettext_lazy("a customer entering a segment"),
        tuple(ValueSegment.choices),
    ),
    PayloadFilter(
        "source",
        gettext_lazy("Order came in through"),
        (types.ORDER_PLACED, types.ORDER_UPDATED, types.ORDER_CANCELLED),
        gettext_lazy("order events"),
        ORDER_SOURCES,
    ),
    PayloadFilter(
        "carrier",
        gettext_lazy("Carrier"),
        SHIPMENT_EVENTS,
        gettext_lazy("delivery events"),
    ),
    PayloadFilter(
        "kind",
        gettext_lazy("Return type"),
        RETURN_EVENTS,
        gettext_lazy("return events"),
        tuple(ReturnRequest.Kind.choices),
    ),
    PayloadFilter(
        "resolution",
        gettext_lazy("Resolution"),
        RETURN_EVENTS,
        gettext_lazy("return events"),
        tuple(Resolution.choices),
    ),
    PayloadFilter(
        "return_method",
        gettext_lazy("Return method"),
        RETURN_EVENTS,
        gettext_lazy("return events"),
        tuple(ReturnMethod.choices),
    ),
)
FILTER_KEYS = {f.key for f in PAYLOAD_FILTERS}


def filter_field_name(payload_filter: PayloadFilter) -> str:
    return f"filter_{payload_filter.key}"


STATUS_CHOICES = (
    ("on", gettext_lazy("On: new events start runs")),
    ("off", gettext_lazy("Off: saved, but starts nothing")),
)


class FlowForm(forms.ModelForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether the flow is on or off.")},
    )
    trigger_type = forms.ChoiceField(
        label=gettext_lazy("Starts when"),
        help_text=gettext_lazy("The event that starts a run for the customer it is about."),
    )
    flow_filter = forms.MultipleChoiceField(
        label=gettext_lazy("Only while"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("All must hold at the start and before every step."),
    )
    exit_events = forms.MultipleChoiceField(
        label=gettext_lazy("Stops when"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Any of these about the same order or subject ends the run."),
    )
    max_trigger_lag_hours = forms.IntegerField(
        label=gettext_lazy("Ignore events older than (hours)"),
        min_value=1,
        max_value=24 * 365,
        help_text=gettext_lazy("Older events (such as imported history) start no run."),
    )

    holdout_percent = forms.IntegerField(
        label=gettext_lazy("Control group (%)"),
        required=False,
        min_value=0,
        max_value=MAX_HOLDOUT_PERCENT,
        help_text=gettext_lazy(
            "Marketing flows only. This share of customers, chosen at random, enters the flow "
            "but gets no message, so the report can show what the messages caused. 10 is a "
            "good start; 0 turns the comparison off."
        ),
        error_messages={
            "invalid": gettext_lazy("Give the control group's share as a whole number, 0 to 50."),
            "min_value": gettext_lazy(
                "The control group's share cannot be below %(limit_value)s %%."
            ),
            "max_value": gettext_lazy(
                "The control group's share can be at most %(limit_value)s %%: more would leave "
                "too few customers messaged."
            ),
        },
    )

    class Meta:
        model = Flow
        fields = [
            "name",
            "kind",
            "trigger_type",
            "flow_filter",
            "exit_events",
            "priority",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        flow = self.instance
        self.fields["trigger_type"].choices = [
            ("", _("Choose an event")),
            *event_choices(EVENT_GROUPS, keep=[flow.trigger_type]),
        ]
        self.fields["exit_events"].choices = event_choices(
            EXIT_EVENT_GROUPS, keep=list(flow.exit_events or [])
        )
        known = dict(condition_choices())
        self.fields["flow_filter"].choices = [
            *known.items(),
            *[(name, name) for name in flow.flow_filter or [] if name not in known],
        ]
        self.fields["holdout_percent"].initial = flow.holdout_percent
        lag = flow.max_trigger_lag or timedelta(days=2)
        self.fields["max_trigger_lag_hours"].initial = int(lag.total_seconds() // 3600)
        if flow.pk:
            self.fields["status"].initial = "on" if flow.enabled else "off"
        current = dict(flow.trigger_filter or {})
        for payload_filter in PAYLOAD_FILTERS:
            name = filter_field_name(payload_filter)
            value = current.get(payload_filter.key, "")
            help_text = _("Only for %(events)s.") % {"events": payload_filter.applies_to}
            if payload_filter.choices:
                choices = [("", _("Any")), *payload_filter.choices]
                if value and value not in dict(payload_filter.choices):
                    choices.append((value, value))
                field = forms.ChoiceField(
                    label=payload_filter.label, choices=choices, required=False, help_text=help_text
                )
            else:
                field = forms.CharField(
                    label=payload_filter.label,
                    required=False,
                    max_length=100,
                    help_text=_("%(only)s Leave empty for any; write it as your shop sends it.")
                    % {"only": help_text},
                )
            field.initial = value
            self.fields[name] = field
        # Payload filters this editor has no control for (set through the API) are kept as
        # they are; they are listed on the page.
        self.other_filters = {k: v for k, v in current.items() if k not in FILTER_KEYS}

    def filter_fields(self):
        """(bound field, the event types it applies to, space-separated) for each filter."""
        return [(self[filter_field_name(f)], " ".join(f.events)) for f in PAYLOAD_FILTERS]

    def main_fields(self):
        return [self[name] for name in ("name", "kind", "status", "trigger_type")]

    def clean(self):
        data = super().clean()
        trigger = data.get("trigger_type")
        for payload_filter in PAYLOAD_FILTERS:
            name = filter_field_name(payload_filter)
            if data.get(name) and trigger and trigger not in payload_filter.events:
                self.add_error(
                    name,
                    _(
                        "“%(filter)s” applies only to %(events)s. Leave it empty, or choose "
                        "such an event under “Starts when”."
                    )
                    % {"filter": payload_filter.label, "events": payload_filter.applies_to},
                )
        return data

    def trigger_filter(self) -> dict:
        chosen = {
            f.key: self.cleaned_data[filter_field_name(f)].strip()
            for f in PAYLOAD_FILTERS
            if (self.cleaned_data.get(filter_field_name(f)) or "").strip()
        }
        return {**self.other_filters, **chosen}

    def flow_fields(self) -> dict:
        """The flow's fields for ``services.save_flow``."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in self.Meta.fields},
            "enabled": data["status"] == "on",
            "trigger_filter": self.trigger_filter(),
            "max_trigger_lag": timedelta(hours=data["max_trigger_lag_hours"]),
            # Left empty (or not sent by an older form): the flow keeps its share.
            "holdout_percent": (
                self.instance.holdout_percent
                if data.get("holdout_percent") is None
                else data["holdout_percent"]
            ),
        }


class StepForm(forms.Form):
    """One step. A step whose fields are all left empty is ignored (the blank one at the end)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    type = forms.ChoiceField(label=gettext_lazy("What happens"), required=False)
    wait_days = forms.IntegerField(
        label=gettext_lazy("Wait (days)"), required=False, min_value=0, max_value=730
    )
    wait_hours = forms.IntegerField(
        label=gettext_lazy("and hours"), required=False, min_value=0, max_value=23
    )
    wait_anchor = forms.ChoiceField(
        label=gettext_lazy("Counted"), required=False, choices=Step.WaitAnchor.choices
    )
    condition = forms.ChoiceField(label=gettext_lazy("Condition"), required=False)
    else_position = forms.IntegerField(
        label=gettext_lazy("If not, go to step"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Empty: the run ends when the condition does not hold."),
    )
    template_key = forms.ChoiceField(label=gettext_lazy("Template"), required=False)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("— no step —")), *Step.Type.choices]
        self.fields["condition"].choices = [("", "—"), *condition_choices()]
        self.fields["template_key"].choices = [("", "—"), *templates]

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        if not kind:
            if data.get("DELETE"):
                return data
            if data.get("id"):
                self.add_error(
                    "type", _("Choose what this step does, or tick Delete to remove it.")
                )
            elif any(
                data.get(name) not in (None, "")
                for name in self.fields
                if name not in ("id", "DELETE")
            ):
                self.add_error("type", _("Choose what this step does, or clear its fields."))
            return data
        if kind == Step.Type.WAIT and not (data.get("wait_days") or data.get("wait_hours")):
            self.add_error("wait_days", _("Give the wait in days or hours."))
        if kind == Step.Type.CONDITION and not data.get("condition"):
            self.add_error("condition", _("Choose the condition to check."))
        if kind in (Step.Type.EMAIL, Step.Type.SMS) and not data.get("template_key"):
            self.add_error("template_key", _("Choose the template to send."))
        return data

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data or {}).get("type")

    def as_step(self) -> dict:
        data = self.cleaned_data
        kind = data["type"]
        wait = None
        if kind == Step.Type.WAIT:
            wait = timedelta(days=data.get("wait_days") or 0, hours=data.get("wait_hours") or 0)
        return {
            "id": data.get("id"),
            "type": kind,
            "wait": wait,
            "wait_anchor": (data.get("wait_anchor") or "") if wait else "",
            "condition": (data.get("condition") or "") if kind == Step.Type.CONDITION else "",
            "else_position": data.get("else_position") if kind == Step.Type.CONDITION else None,
            "template_key": (data.get("template_key") or "")
            if kind in (Step.Type.EMAIL, Step.Type.SMS)
            else "",
        }


class BaseStepFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.is_blank and not self._should_delete_form(form)
        ]
        if not kept:
            raise forms.ValidationError(_("A flow needs at least one step."))
        for form in kept:
            target = form.cleaned_data.get("else_position")
            if form.cleaned_data.get("type") == Step.Type.CONDITION and target:
                if target > len(kept):
                    form.add_error(
                        "else_position",
                        _("There is no step %(n)s; the flow has %(count)s steps.")
                        % {"n": target, "count": len(kept)},
                    )

    def steps(self) -> list[dict]:
        return [
            form.as_step()
            for form in self.forms
            if form.cleaned_data and not form.is_blank and not self._should_delete_form(form)
        ]


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=1, can_delete=True)


def step_initial(step: Step) -> dict:
    wait = step.wait or timedelta(0)
    return {
        "id": step.pk,
        "type": step.type,
        "wait_days": wait.days or None,
        "wait_hours": (wait.seconds // 3600) or None,
        "wait_anchor": step.wait_anchor,
        "condition": step.condition,
        "else_position": step.else_position,
        "template_key": step.template_key,
    }


@dataclass(frozen=True)
class FieldError:
    """One error for the summary at the top of a form: the field's label, its id, the text."""

    label: str
    field_id: str
    message: str


def error_summary(*forms_and_formsets) -> list[FieldError]:
    """Every error of the forms (and formsets, step by step), each linked to its field."""
    summary: list[FieldError] = []

    def add_form(form, prefix_label: str = "") -> None:
        for name, errors in form.errors.items():
            if name == "__all__":
                for message in errors:
                    summary.append(FieldError(prefix_label, "", message))
                continue
            bound = form[name]
            label = f"{prefix_label}: {bound.label}" if prefix_label else str(bound.label)
            for message in errors:
                summary.append(FieldError(label, bound.id_for_label or bound.auto_id, message))

    for item in forms_and_formsets:
        if item is None:
            continue
        if isinstance(item, forms.BaseFormSet):
            for message in item.non_form_errors():
                summary.append(FieldError("", "", message))
            for number, form in enumerate(item.forms, start=1):
                add_form(form, _("Step %(n)s") % {"n": number})
        else:
            add_form(item)
    return summary


# --- Templates -------------------------------------------------------------------------------


def _checked_template_text(text: str) -> str:
    error = check_syntax(text)
    if error:
        raise forms.ValidationError(
            _("This template has an error: %(error)s"), params={"error": error}
        )
    return text


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def clean_subject(self):
        return _checked_template_text(self.cleaned_data["subject"])

    def clean_body(self):
        return _checked_template_text(self.cleaned_data["body"])


LANGUAGE_NAMES = {
    "fi": gettext_lazy("Finnish"),
    "sv": gettext_lazy("Swedish"),
    "en": gettext_lazy("English"),
}


class NewTemplateForm(forms.Form):
    """A new template in the shop's languages (required) and optionally the others."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)

    def __init__(self, *args, shop, **kwargs):
        super().__init__(*args, **kwargs)
        self.required_languages = [lang for lang in LANGUAGES if lang in (shop.languages or [])]
        if not self.required_languages:
            self.required_languages = [shop.default_language or "en"]
        for language in LANGUAGES:
            name = LANGUAGE_NAMES[language]
            required = language in self.required_languages
            self.fields[f"subject_{language}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": name},
                max_length=300,
                required=False,
                help_text=_("E-mail only; an SMS has no subject."),
            )
            self.fields[f"body_{language}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                required=required,
                widget=forms.Textarea(attrs={"rows": 8, "lang": language}),
                error_messages={
                    "required": _("Write the %(language)s text; your shop uses %(language)s.")
                    % {"language": name}
                },
            )

    def language_fields(self):
        return [
            (lang, LANGUAGE_NAMES[lang], self[f"subject_{lang}"], self[f"body_{lang}"])
            for lang in LANGUAGES
        ]

    def clean(self):
        data = super().clean()
        for language in LANGUAGES:
            for part in ("subject", "body"):
                name = f"{part}_{language}"
                if data.get(name):
                    try:
                        data[name] = _checked_template_text(data[name])
                    except forms.ValidationError as error:
                        self.add_error(name, error)
            if data.get(f"subject_{language}") and not data.get(f"body_{language}"):
                self.add_error(f"body_{language}", _("Write the text for this subject."))
        return data

    def texts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            lang: (data.get(f"subject_{lang}", ""), data[f"body_{lang}"])
            for lang in LANGUAGES
            if data.get(f"body_{lang}")
        }


class CopyTemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the copy"), max_length=200)


class MessagingSettingsForm(forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = [
            "sender_name",
            "sender_email",
            "quiet_hours_start",
            "quiet_hours_end",
            "frequency_cap",
            "frequency_cap_days",
            "failed_delivery_pause_days",
        ]
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
