"""Flows in Django's admin, for the installation's operators: read-mostly lists filtered by shop.

Nothing here writes around the services: rows are read-only (no add, change or delete), and
the only actions on messages are retry and cancel, which call ``flows.operations`` and are
recorded on the customer's timeline like the back-office's buttons.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersale.core.models import Shop
from aftersale.flows import operations
from aftersale.flows.models import (
    Consent,
    Flow,
    FlowRun,
    Message,
    MessagingSettings,
    Step,
    StepRun,
    Suppression,
    Template,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field shown, none editable; lists by shop without counting huge tables."""

    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = [
        "position",
        "type",
        "wait",
        "wait_anchor",
        "condition",
        "else_position",
        "template_key",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Flow)
class FlowAdmin(ReadOnlyAdmin):
    list_display = ["name", "shop", "kind", "enabled", "trigger_type", "key"]
    list_filter = ["shop", "kind", "enabled"]
    search_fields = ["name", "key", "trigger_type"]
    inlines = [StepInline]


@admin.register(FlowRun)
class FlowRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "flow", "shop", "customer", "state", "exit_reason", "started_at"]
    list_filter = ["shop", "state", "flow"]
    list_select_related = ["flow", "shop", "customer"]
    search_fields = ["customer__email", "exit_reason"]
    date_hierarchy = "started_at"


@admin.register(StepRun)
class StepRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "step", "shop", "state", "due_at", "attempts", "skip_reason"]
    list_filter = ["shop", "state"]
    list_select_related = ["step__flow", "shop"]
    search_fields = ["skip_reason", "last_error"]
    raw_id_fields = ["run", "step"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "shop",
        "recipient",
        "subject",
        "state",
        "failure_class",
        "send_attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["shop", "state", "failure_class", "channel", "kind"]
    list_select_related = ["shop"]
    search_fields = ["recipient", "subject", "provider_id", "last_error"]
    exclude = ["unsubscribe_token", "claim_token"]
    actions = ["retry", "cancel"]

    @admin.action(description=_("Retry the selected failed or retrying messages now"))
    def retry(self, request, queryset):
        self._act(request, queryset, operations.retry_messages)

    @admin.action(description=_("Cancel the selected failed or retrying messages"))
    def cancel(self, request, queryset):
        self._act(request, queryset, operations.cancel_messages)

    def _act(self, request, queryset, action) -> None:
        done = 0
        by_shop: dict[int, list[int]] = {}
        for shop_id, message_id in queryset.values_list("shop_id", "id"):
            by_shop.setdefault(shop_id, []).append(message_id)
        for shop in Shop.objects.filter(pk__in=by_shop):
            outcome = action(shop, by_shop[shop.pk], by=request.user)
            done += outcome.done
            for message_id, reason in outcome.refused.items():
                self.message_user(request, f"{message_id}: {reason}", messages.WARNING)
        self.message_user(
            request, ngettext("%(n)d message done.", "%(n)d messages done.", done) % {"n": done}
        )


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "key", "language", "shop", "updated_at"]
    list_filter = ["shop", "language"]
    search_fields = ["name", "key", "subject"]


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(ReadOnlyAdmin):
    list_display = ["shop", "sender_email", "quiet_hours_start", "quiet_hours_end", "frequency_cap"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["customer", "shop", "channel", "purpose", "granted", "at", "source"]
    list_filter = ["shop", "channel", "granted"]
    list_select_related = ["customer", "shop"]
    search_fields = ["customer__email", "source"]


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["address", "shop", "channel", "reason"]
    list_filter = ["shop", "channel", "reason"]
    search_fields = ["address"]
