"""Review moderation: the queue (waiting reviews first), one review with its photos, flags,
moderation history and the shop's public reply, the shop's moderation log, and the review
settings.

Moderation is by content only. No list can be filtered or acted on by rating, and a
rejection or take-down needs a reason from the fixed list (stored as a ModerationDecision).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersale.backoffice.access import shop_required
from aftersale.backoffice.pagination import PAGE_SIZE, page_of
from aftersale.catalog.models import Category
from aftersale.core.selectors import get_for_shop_or_404
from aftersale.orders.csv_import import ImportFailed
from aftersale.reviews import csv_import, services
from aftersale.reviews.models import (
    ModerationDecision,
    RejectionReason,
    Review,
    ReviewPhoto,
    ReviewSource,
    ReviewStatus,
)
from aftersale.reviews.selectors import settings_of

# Categories listed on the settings page (a shop with more sets the rest through the default).
SETTINGS_CATEGORIES = 200


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Waiting first, then all")), *ReviewStatus.choices],
    )
    flagged = forms.BooleanField(label=gettext_lazy("Flagged only"), required=False)
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        required=False,
        choices=[("", gettext_lazy("All")), *ReviewSource.choices],
    )
    product = forms.CharField(label=gettext_lazy("Product"), required=False, max_length=100)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=[("", gettext_lazy("Choose a reason")), *RejectionReason.choices],
        error_messages={"required": gettext_lazy("Choose the reason for rejecting.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note (not shown to the public)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=gettext_lazy("The shop's public reply"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown under the review. Leave empty to remove the reply."),
    )


class ReviewImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))


def filtered_reviews(shop, data: dict):
    reviews = Review.objects.for_shop(shop).select_related("product")
    if data.get("status"):
        reviews = reviews.filter(status=data["status"])
    if data.get("flagged"):
        reviews = reviews.exclude(flags=[])
    if data.get("source"):
        reviews = reviews.filter(source=data["source"])
    if data.get("product"):
        reviews = reviews.filter(product__name__icontains=data["product"])
    waiting_first = Case(
        When(status=ReviewStatus.PENDING, then=Value(0)), default=Value(1),
        output_field=IntegerField(),
    )  # fmt: skip
    return reviews.order_by(waiting_first, "-submitted_at", "-id")


@require_GET
@shop_required
def queue(request):
    shop = request.shop
    form = QueueFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = page_of(request, filtered_reviews(shop, data), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/reviews/queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "reject_form": RejectForm(),
            "waiting": Review.objects.for_shop(shop).filter(status=ReviewStatus.PENDING).count(),
        },
    )


@shop_required
@require_http_methods(["GET", "POST"])
def import_reviews(request):
    """Old reviews from a CSV file: "check" reads every row and stores nothing (the bad lines,
    or what an import would add and update); "import" stores all rows or, if any is wrong,
    none (``reviews.csv_import``)."""
    form, problems, check, summary = ReviewImportForm(), None, None, None
    if request.method == "POST":
        form = ReviewImportForm(request.POST, request.FILES)
        if form.is_valid():
            stream = form.cleaned_data["file"].open("rb")
            try:
                if request.POST.get("action") == "import":
                    summary = csv_import.import_reviews_csv(request.shop, stream)
                else:
                    check = csv_import.check_reviews_csv(request.shop, stream)
            except ImportFailed as failed:
                problems = failed.problems
    return render(
        request,
        "backoffice/reviews/import.html",
        {
            "form": form,
            "problems": problems,
            "check": check,
            "summary": summary,
            "columns": csv_import.COLUMNS,
        },
        status=400 if problems or form.errors else 200,
    )


def _back(request, default: str):
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect(default)


@require_POST
@shop_required
def bulk_moderate(request):
    """Publish or reject the ticked reviews (a rejection with one reason for all)."""
    shop = request.shop
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    chosen = list(Review.objects.for_shop(shop).filter(pk__in=ids).values_list("pk", flat=True))
    if not chosen:
        messages.error(request, _("Tick the reviews first."))
        return _back(request, "backoffice:reviews")
    action = request.POST.get("action")
    if action == "reject":
        form = RejectForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the reason for rejecting the ticked reviews."))
            return _back(request, "backoffice:reviews")
    done = 0
    for pk in chosen:
        try:
            if action == "publish":
                services.publish(shop, pk, actor=request.user)
            elif action == "reject":
                services.reject(
                    shop, pk, reason=form.cleaned_data["reason"], actor=request.user,
                    note=form.cleaned_data["note"],
                )  # fmt: skip
            else:
                raise Http404
            done += 1
        except services.ModerationRefused:
            continue
    if action == "publish":
        messages.success(request, _("Published %(count)s reviews.") % {"count": done})
    else:
        messages.success(request, _("Rejected %(count)s reviews.") % {"count": done})
    return _back(request, "backoffice:reviews")


def _detail(request, review, *, reject_form=None, reply_form=None, status=200):
    return render(
        request,
        "backoffice/reviews/detail.html",
        {
            "review": review,
            "photos": list(review.photos.all()),
            "decisions": list(review.decisions.select_related("actor")),
            "reject_form": reject_form or RejectForm(),
            "reply_form": reply_form or ReplyForm(initial={"reply": review.shop_reply}),
        },
        status=status,
    )


def _review(request, review_id: int) -> Review:
    queryset = Review.objects.select_related("product", "customer", "order_line__order")
    return get_for_shop_or_404(queryset, request.shop, pk=review_id)


@require_GET
@shop_required
def detail(request, review_id: int):
    return _detail(request, _review(request, review_id))


@require_POST
@shop_required
def publish(request, review_id: int):
    review = _review(request, review_id)
    try:
        services.publish(request.shop, review.pk, actor=request.user)
    except services.ModerationRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The review is published."))
    return redirect("backoffice:review_detail", review.pk)


@require_POST
@shop_required
def reject(request, review_id: int):
    review = _review(request, review_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, review, reject_form=form, status=400)
    try:
        services.reject(
            request.shop, review.pk, reason=form.cleaned_data["reason"], actor=request.user,
            note=form.cleaned_data["note"],
        )  # fmt: skip
    except services.ModerationRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The review is rejected; the reason is recorded."))
    return redirect("backoffice:review_detail", review.pk)


@require_POST
@shop_required
def reply(request, review_id: int):
    review = _review(request, review_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _detail(request, review, reply_form=form, status=400)
    services.set_reply(request.shop, review.pk, text=form.cleaned_data["reply"], actor=request.user)
    messages.success(request, _("The reply is saved."))
    return redirect("backoffice:review_detail", review.pk)


@require_GET
@shop_required
def photo(request, review_id: int, photo_id: int):
    found = get_for_shop_or_404(ReviewPhoto.objects.all(), request.shop, pk=photo_id)
    if found.review_id != review_id:
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@shop_required
def audit(request):
    """Every moderation decision of the shop, newest first."""
    decisions = (
        ModerationDecision.objects.for_shop(request.shop)
        .select_related("review__product", "actor")
        .order_by("-at", "-id")
    )
    return render(
        request, "backoffice/reviews/audit.html", {"page": page_of(request, decisions, PAGE_SIZE)}
    )


# --- Settings -----------------------------------------------------------------------------


class SettingsForm(forms.Form):
    auto_publish = forms.BooleanField(
        label=gettext_lazy("Publish reviews without moderation"),
        required=False,
        help_text=gettext_lazy(
            "Every review is published at once, whatever its rating. Flagged ones (possible "
            "spam or offensive language) still wait for a person."
        ),
    )
    default_delay_days = forms.IntegerField(
        label=gettext_lazy("Ask for a review (days after delivery or pickup)"),
        min_value=1,
        max_value=90,
    )
    verification_text = forms.CharField(
        label=gettext_lazy("How you check reviewers, in your own words (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            self.fields[f"delay-{category.pk}"] = forms.IntegerField(
                label=_("Days for %(category)s") % {"category": category.name},
                required=False,
                min_value=1,
                max_value=90,
            )
            self.fields[f"fit-{category.pk}"] = forms.BooleanField(
                label=_("Ask how %(category)s fits") % {"category": category.name},
                required=False,
            )

    def rows(self):
        return [(c, self[f"delay-{c.pk}"], self[f"fit-{c.pk}"]) for c in self.categories]


@require_http_methods(["GET", "POST"])
@shop_required(owner_only=True)
def review_settings(request):
    shop = request.shop
    current = settings_of(shop)
    categories = Category.objects.for_shop(shop).order_by("name")[:SETTINGS_CATEGORIES]
    initial = {
        "auto_publish": current.auto_publish,
        "default_delay_days": current.default_delay_days,
        "verification_text": current.verification_text,
    }
    for category in categories:
        initial[f"delay-{category.pk}"] = (current.category_delays or {}).get(str(category.pk))
        initial[f"fit-{category.pk}"] = current.asks_fit(category.pk)
    form = SettingsForm(request.POST or None, initial=initial, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_settings(
            shop,
            auto_publish=data["auto_publish"],
            default_delay_days=data["default_delay_days"],
            category_delays={
                str(c.pk): data[f"delay-{c.pk}"] for c in categories if data[f"delay-{c.pk}"]
            },
            fit_categories=[c.pk for c in categories if data[f"fit-{c.pk}"]],
            verification_text=data["verification_text"],
        )
        messages.success(request, _("Review settings saved; the policy page follows them."))
        return redirect("backoffice:review_settings")
    return render(
        request,
        "backoffice/reviews/settings.html",
        {"form": form, "more_categories": len(categories) >= SETTINGS_CATEGORIES},
        status=400 if request.method == "POST" else 200,
    )
