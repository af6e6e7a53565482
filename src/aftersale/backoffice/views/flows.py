"""The merchant's flow pages: the list with metrics, the flow editor, templates with preview,
and messaging settings."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import shop_required
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.flows import selectors, services
from aftersale.flows.conditions import condition_choices
from aftersale.flows.context import sample_context
from aftersale.flows.models import Flow, Message, MessagingSettings, Step, Template
from aftersale.flows.rendering import check_syntax
from aftersale.flows.rendering import render as render_message
from aftersale.timeline import types

EVENT_TYPES = sorted(
    value for name, value in vars(types).items() if name.isupper() and isinstance(value, str)
)


# --- Forms -----------------------------------------------------------------------------------


class FlowForm(forms.ModelForm):
    trigger_type = forms.ChoiceField(
        label=gettext_lazy("Trigger event"), choices=[(t, t) for t in EVENT_TYPES]
    )
    flow_filter = forms.MultipleChoiceField(
        label=gettext_lazy("Flow filter"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("All must hold at the start and before every step."),
    )
    exit_events = forms.MultipleChoiceField(
        label=gettext_lazy("Exit events"),
        required=False,
        choices=[(t, t) for t in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Any of these about the same order or subject ends the run."),
    )
    max_trigger_lag_hours = forms.IntegerField(
        label=gettext_lazy("Maximum trigger lag (hours)"),
        min_value=1,
        max_value=24 * 365,
        help_text=gettext_lazy("Older events (such as imported history) start no run."),
    )

    class Meta:
        model = Flow
        fields = [
            "name",
            "kind",
            "enabled",
            "trigger_type",
            "trigger_filter",
            "flow_filter",
            "exit_events",
            "priority",
        ]
        widgets = {"trigger_filter": forms.Textarea(attrs={"rows": 2})}

    def clean_trigger_filter(self):
        value = self.cleaned_data.get("trigger_filter")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise forms.ValidationError(
                _('Write the filter as an object, e.g. {"delivery_method": "home"}.')
            )
        return value

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow_filter"].choices = condition_choices()
        lag = self.instance.max_trigger_lag or timedelta(days=2)
        self.fields["max_trigger_lag_hours"].initial = int(lag.total_seconds() // 3600)


class StepForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    type = forms.ChoiceField(label=gettext_lazy("Step"), choices=Step.Type.choices)
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
        label=gettext_lazy("If not, go to step"), required=False, min_value=1
    )
    template_key = forms.ChoiceField(label=gettext_lazy("Template"), required=False)

    def __init__(self, *args, template_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["condition"].choices = [("", "—"), *condition_choices()]
        self.fields["template_key"].choices = [("", "—")] + [(k, k) for k in template_keys]

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        if kind == Step.Type.WAIT and not (data.get("wait_days") or data.get("wait_hours")):
            self.add_error("wait_days", _("Give the wait in days or hours."))
        if kind == Step.Type.CONDITION and not data.get("condition"):
            self.add_error("condition", _("Choose the condition to check."))
        if kind in (Step.Type.EMAIL, Step.Type.SMS) and not data.get("template_key"):
            self.add_error("template_key", _("Choose the template to send."))
        return data

    def as_step(self) -> dict:
        data = self.cleaned_data
        wait = None
        if data["type"] == Step.Type.WAIT:
            wait = timedelta(days=data.get("wait_days") or 0, hours=data.get("wait_hours") or 0)
        return {
            "id": data.get("id"),
            "type": data["type"],
            "wait": wait,
            "wait_anchor": (data.get("wait_anchor") or "") if wait else "",
            "condition": data.get("condition") or "",
            "else_position": data.get("else_position"),
            "template_key": data.get("template_key") or "",
        }


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


def _step_initial(step: Step) -> dict:
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


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def clean_subject(self):
        return self._checked("subject")

    def clean_body(self):
        return self._checked("body")

    def _checked(self, name: str) -> str:
        text = self.cleaned_data[name]
        error = check_syntax(text)
        if error:
            raise forms.ValidationError(
                _("This template has an error: %(error)s"), params={"error": error}
            )
        return text


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


# --- Views -----------------------------------------------------------------------------------


@shop_required
def flow_list(request):
    shop = request.shop
    flows = list(Flow.objects.for_shop(shop).order_by("kind", "name"))
    metrics = selectors.flow_metrics(shop)
    rows = [(flow, metrics[flow.pk]) for flow in flows]
    return render(request, "backoffice/flows/list.html", {"rows": rows})


@shop_required
def flow_detail(request, flow_id: int):
    shop = request.shop
    flow = get_for_shop_or_404(Flow.objects.all(), shop, pk=flow_id)
    steps = list(flow.steps.all())
    metrics = selectors.step_metrics(shop, flow)
    rows = [(step, metrics[step.pk]) for step in steps]
    total = selectors.flow_metrics(shop)[flow.pk]
    return render(
        request, "backoffice/flows/detail.html", {"flow": flow, "rows": rows, "total": total}
    )


@shop_required
@require_POST
def flow_toggle(request, flow_id: int):
    flow = get_for_shop_or_404(Flow.objects.all(), request.shop, pk=flow_id)
    services.set_flow_enabled(request.shop, flow, not flow.enabled)
    if flow.enabled:
        messages.success(request, _("“%(flow)s” is on.") % {"flow": flow.name})
    else:
        messages.success(
            request, _("“%(flow)s” is off; its waiting runs have ended.") % {"flow": flow.name}
        )
    return redirect("backoffice:flow_list")


@shop_required
def flow_edit(request, flow_id: int | None = None):
    shop = request.shop
    flow = get_for_shop_or_404(Flow.objects.all(), shop, pk=flow_id) if flow_id else None
    template_keys = sorted(selectors.templates_by_key(shop))
    initial_steps = [_step_initial(step) for step in flow.steps.all()] if flow else []
    form_kwargs = {"template_keys": template_keys}
    if request.method == "POST":
        form = FlowForm(request.POST, instance=flow or Flow(shop=shop))
        formset = StepFormSet(request.POST, initial=initial_steps, form_kwargs=form_kwargs)
        if form.is_valid() and formset.is_valid():
            steps = [
                step_form.as_step()
                for step_form in formset.forms
                if step_form.cleaned_data and not step_form.cleaned_data.get("DELETE")
            ]
            if not steps:
                form.add_error(None, _("A flow needs at least one step."))
            else:
                fields = {name: form.cleaned_data[name] for name in FlowForm.Meta.fields}
                fields["max_trigger_lag"] = timedelta(
                    hours=form.cleaned_data["max_trigger_lag_hours"]
                )
                with transaction.atomic():
                    saved = services.save_flow(shop, flow, steps=steps, **fields)
                messages.success(request, _("The flow was saved."))
                return redirect("backoffice:flow_detail", flow_id=saved.pk)
    else:
        form = FlowForm(instance=flow or Flow(shop=shop))
        formset = StepFormSet(initial=initial_steps, form_kwargs=form_kwargs)
    return render(
        request, "backoffice/flows/edit.html", {"flow": flow, "form": form, "formset": formset}
    )


@shop_required
def template_list(request):
    grouped = selectors.templates_by_key(request.shop)
    return render(request, "backoffice/flows/templates.html", {"grouped": grouped})


@shop_required
def template_edit(request, template_id: int):
    shop = request.shop
    template = get_for_shop_or_404(Template.objects.all(), shop, pk=template_id)
    siblings = Template.objects.for_shop(shop).filter(key=template.key).order_by("language")
    preview = None
    if request.method == "POST":
        form = TemplateForm(request.POST, instance=template)
        if form.is_valid():
            if request.POST.get("action") == "save":
                services.save_template(
                    shop,
                    template,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                )
                messages.success(request, _("The template was saved."))
                return redirect("backoffice:flow_template_edit", template_id=template.pk)
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            preview = render_message(subject, body, sample_context(shop, template.language))
    else:
        form = TemplateForm(instance=template)
        preview = render_message(
            template.subject, template.body, sample_context(shop, template.language)
        )
    return render(
        request,
        "backoffice/flows/template_edit.html",
        {"template": template, "siblings": siblings, "form": form, "preview": preview},
    )


@shop_required
def messaging_settings(request):
    shop = request.shop
    current = MessagingSettings.objects.filter(shop=shop).first() or MessagingSettings(shop=shop)
    if request.method == "POST":
        form = MessagingSettingsForm(request.POST, instance=current)
        if form.is_valid():
            services.update_messaging_settings(shop, **form.cleaned_data)
            messages.success(request, _("Messaging settings were saved."))
            return redirect("backoffice:flow_messaging_settings")
    else:
        form = MessagingSettingsForm(instance=current)
    return render(request, "backoffice/flows/settings.html", {"form": form})


@shop_required
def message_list(request):
    """The outbox: every message the shop's flows wrote, newest first, by customer or state."""
    shop = request.shop
    outbox = Message.objects.for_shop(shop).select_related("customer", "run__flow")
    state = request.GET.get("state", "")
    if state in Message.State.values:
        outbox = outbox.filter(state=state)
    customer = request.GET.get("customer", "")
    if customer.isdigit():
        outbox = outbox.filter(customer_id=int(customer))
    page = Paginator(outbox.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/flows/messages.html",
        {"page": page, "state": state, "states": Message.State.choices, "customer": customer},
    )


@shop_required
def message_detail(request, message_id: int):
    message = get_for_shop_or_404(
        Message.objects.select_related("customer", "run__flow", "step"), request.shop, pk=message_id
    )
    return render(request, "backoffice/flows/message.html", {"message": message})
