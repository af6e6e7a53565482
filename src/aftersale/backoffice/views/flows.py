"""The merchant's flow pages: the list with metrics, the flow editor, templates (create, copy,
delete, edit with preview), messaging settings, the outbox, and failed messages with retry and
cancel (through ``flows.operations``; nothing here writes a flows row itself)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.flow_forms import (
    CopyTemplateForm,
    FlowForm,
    MessagingSettingsForm,
    NewTemplateForm,
    StepFormSet,
    TemplateForm,
    error_summary,
    step_initial,
)
from aftersale.backoffice.pagination import page_of
from aftersale.backoffice.timeline import describe_events
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.flows import operations, reports, selectors, services
from aftersale.flows.context import sample_context
from aftersale.flows.models import Flow, Message, MessagingSettings, Template
from aftersale.flows.rendering import render as render_message
from aftersale.reviews import figures as review_figures
from aftersale.service.models import TicketMessage
from aftersale.surveys import selectors as survey_selectors
from aftersale.timeline.models import Event

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
    review_rate = review_figures.review_rates_by_flow(shop, flow=flow).get(flow.pk)
    return render(
        request,
        "backoffice/flows/detail.html",
        {"flow": flow, "rows": rows, "total": total, "review_rate": review_rate},
    )


@shop_required
def flow_report(request, flow_id: int):
    """What a marketing flow caused: the holdout result beside last-touch revenue; for the
    review request flow its review rate, for a survey flow its response rate."""
    shop = request.shop
    flow = get_for_shop_or_404(Flow.objects.all(), shop, pk=flow_id)
    report = reports.holdout_report(shop, flow) if flow.is_marketing else None
    total = selectors.flow_metrics(shop)[flow.pk]
    review_rate = None
    if flow.steps.filter(template_key__startswith=review_figures.REVIEW_TEMPLATE_PREFIX).exists():
        review_rate = review_figures.review_rates_by_flow(shop, flow=flow).get(
            flow.pk, review_figures.ReviewRate(asked=0, written=0)
        )
    return render(
        request,
        "backoffice/flows/report.html",
        {
            "flow": flow,
            "report": report,
            "total": total,
            "min_group": reports.MIN_GROUP,
            "review_rate": review_rate,
            "survey_response": survey_selectors.response_rate(shop, flow),
        },
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


def _template_choices(shop) -> list[tuple[str, str]]:
    return [
        (key, f"{versions[0].name} ({key})")
        for key, versions in selectors.templates_by_key(shop).items()
    ]


@shop_required
def flow_edit(request, flow_id: int | None = None):
    """Create or edit a flow and its steps. What the page shows is what is saved: the blank
    step at the end is ignored, and every error is shown beside its field and at the top."""
    shop = request.shop
    flow = get_for_shop_or_404(Flow.objects.all(), shop, pk=flow_id) if flow_id else None
    initial_steps = [step_initial(step) for step in flow.steps.all()] if flow else []
    form_kwargs = {"templates": _template_choices(shop)}
    if request.method == "POST":
        form = FlowForm(request.POST, instance=flow or Flow(shop=shop))
        formset = StepFormSet(request.POST, initial=initial_steps, form_kwargs=form_kwargs)
        if form.is_valid() and formset.is_valid():
            saved = services.save_flow(shop, flow, steps=formset.steps(), **form.flow_fields())
            if saved.enabled:
                messages.success(request, _("The flow was saved. It is on."))
            else:
                messages.success(request, _("The flow was saved. It is off."))
            return redirect("backoffice:flow_detail", flow_id=saved.pk)
        summary = error_summary(form, formset)
    else:
        form = FlowForm(instance=flow or Flow(shop=shop))
        formset = StepFormSet(initial=initial_steps, form_kwargs=form_kwargs)
        summary = []
    return render(
        request,
        "backoffice/flows/edit.html",
        {"flow": flow, "form": form, "formset": formset, "summary": summary},
    )


@shop_required
def template_list(request):
    shop = request.shop
    grouped = selectors.templates_by_key(shop)
    used = selectors.template_use(shop)
    rows = [(key, versions, used.get(key, [])) for key, versions in grouped.items()]
    return render(request, "backoffice/flows/templates.html", {"rows": rows})


@shop_required
def template_new(request):
    """A new template: a name and its text in the shop's languages."""
    shop = request.shop
    if request.method == "POST":
        form = NewTemplateForm(request.POST, shop=shop)
        if form.is_valid():
            name = form.cleaned_data["name"]
            created = services.create_template(
                shop,
                name=name,
                key=services.free_template_key(shop, name),
                texts=form.texts(),
            )
            messages.success(request, _("The template “%(name)s” was created.") % {"name": name})
            return redirect("backoffice:flow_template_edit", template_id=created[0].pk)
        summary = error_summary(form)
    else:
        form = NewTemplateForm(shop=shop)
        summary = []
    return render(request, "backoffice/flows/template_new.html", {"form": form, "summary": summary})


@shop_required
@require_POST
def template_copy(request, template_id: int):
    """Copy every language of a template under a new name (and key)."""
    shop = request.shop
    template = get_for_shop_or_404(Template.objects.all(), shop, pk=template_id)
    form = CopyTemplateForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    name = name or _("%(name)s (copy)") % {"name": template.name}
    copies = services.copy_template(shop, template.key, name=name)
    messages.success(request, _("The copy “%(name)s” was created.") % {"name": name})
    return redirect("backoffice:flow_template_edit", template_id=copies[0].pk)


@shop_required
def template_delete(request, template_id: int):
    """Ask, then delete every language of a template; refused while a flow step sends it."""
    shop = request.shop
    template = get_for_shop_or_404(Template.objects.all(), shop, pk=template_id)
    if request.method == "POST":
        try:
            services.delete_template(shop, template.key)
        except services.TemplateInUse:
            messages.error(
                request,
                _("“%(name)s” was not deleted: a flow sends it.") % {"name": template.name},
            )
        else:
            messages.success(
                request, _("The template “%(name)s” was deleted.") % {"name": template.name}
            )
            return redirect("backoffice:flow_templates")
    languages = (
        Template.objects.for_shop(shop)
        .filter(key=template.key)
        .order_by("language")
        .values_list("language", flat=True)
    )
    return render(
        request,
        "backoffice/flows/template_delete.html",
        {
            "template": template,
            "languages": list(languages),
            "using": services.flows_using_template(shop, template.key),
        },
    )


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


def _mark_ticket_replies(shop, messages) -> None:
    """Give each message that is a staff reply (no flow) its ticket as ``ticket_reply``."""
    direct = {message.pk: message for message in messages if message.run_id is None}
    if not direct:
        return
    rows = (
        TicketMessage.objects.for_shop(shop)
        .filter(outbox_message_id__in=list(direct))
        .values_list("outbox_message_id", "ticket_id", "ticket__number")
    )
    for message_id, ticket_id, number in rows:
        direct[message_id].ticket_reply = {"pk": ticket_id, "number": number}


@shop_required
def message_list(request):
    """The outbox: every message the shop's flows and staff replies wrote, newest first, by
    customer or state."""
    shop = request.shop
    outbox = Message.objects.for_shop(shop).select_related("customer", "run__flow")
    state = request.GET.get("state", "")
    if state in Message.State.values:
        outbox = outbox.filter(state=state)
    customer = request.GET.get("customer", "")
    if customer.isdigit():
        outbox = outbox.filter(customer_id=int(customer))
    page = page_of(request, outbox.order_by("-created_at", "-id"), per_page=50)
    _mark_ticket_replies(shop, page)
    return render(
        request,
        "backoffice/flows/messages.html",
        {"page": page, "state": state, "states": Message.State.choices, "customer": customer},
    )


@shop_required
def message_detail(request, message_id: int):
    shop = request.shop
    message = get_for_shop_or_404(
        Message.objects.select_related("customer", "run__flow", "step"), shop, pk=message_id
    )
    _mark_ticket_replies(shop, [message])
    history = describe_events(
        shop, Event.objects.for_shop(shop).about("message", message.pk).order_by("occurred_at")
    )
    return render(
        request,
        "backoffice/flows/message.html",
        {
            "message": message,
            "history": history,
            "can_retry": message.state in operations.RETRYABLE,
            "can_cancel": message.state in operations.CANCELLABLE,
        },
    )


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@shop_required
def dead_letters(request):
    """Messages given up or waiting to be retried, with the provider's reply, the attempts and
    the next attempt; retry or cancel them one by one or ticked together."""
    shop = request.shop
    state = request.GET.get("state", "")
    flow_id = _int_or_none(request.GET.get("flow"))
    step_id = _int_or_none(request.GET.get("step"))
    flow = Flow.objects.for_shop(shop).filter(pk=flow_id).first() if flow_id else None
    page = page_of(
        request,
        selectors.dead_letters(
            shop, state=state, flow_id=flow.pk if flow else None, step_id=step_id
        ),
        per_page=50,
    )
    _mark_ticket_replies(shop, page)
    return render(
        request,
        "backoffice/flows/dead_letters.html",
        {"page": page, "state": state, "flow": flow, "step_id": step_id},
    )


def _report(request, outcome, done_text: str) -> None:
    if outcome.done:
        messages.success(request, done_text % {"n": outcome.done})
    for message_id, reason in sorted(outcome.refused.items()):
        messages.error(
            request,
            _("Message %(id)s was left as it is: %(reason)s.")
            % {"id": message_id, "reason": reason},
        )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@shop_required
@require_POST
def dead_letters_act(request):
    """Retry or cancel the ticked messages (each through the flows' operations service)."""
    ids = [int(v) for v in request.POST.getlist("message") if v.isdigit()]
    action = request.POST.get("action")
    if not ids:
        messages.error(request, _("Tick the messages to retry or cancel first."))
    elif action == "retry":
        outcome = operations.retry_messages(request.shop, ids, by=request.user)
        _report(request, outcome, _("%(n)s messages will be sent again now."))
    elif action == "cancel":
        outcome = operations.cancel_messages(request.shop, ids, by=request.user)
        _report(request, outcome, _("%(n)s messages were cancelled."))
    return _back(request, "backoffice:flow_dead_letters")


def _message_action(request, message_id: int, action, done_text: str):
    message = get_for_shop_or_404(Message.objects.all(), request.shop, pk=message_id)
    try:
        action(request.shop, message.pk, by=request.user)
    except operations.NotPossible as exc:
        messages.error(request, _("Nothing was done: %(reason)s.") % {"reason": exc})
    else:
        messages.success(request, done_text)
    return redirect("backoffice:flow_message", message_id=message.pk)


@shop_required
@require_POST
def message_retry(request, message_id: int):
    return _message_action(
        request, message_id, operations.retry_message, _("The message will be sent again now.")
    )


@shop_required
@require_POST
def message_cancel(request, message_id: int):
    return _message_action(
        request, message_id, operations.cancel_message, _("The message was cancelled.")
    )
