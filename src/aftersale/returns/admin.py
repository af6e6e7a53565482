from django.contrib import admin

from aftersale.returns.models import (
    ReturnLine,
    ReturnPolicy,
    ReturnRequest,
    StoreCredit,
    UnclaimedCase,
    Withdrawal,
    WithdrawalSettings,
)


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    exclude = ["shop"]
    raw_id_fields = ["order_line", "exchange_variant"]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ["code", "shop", "order", "kind", "state", "resolution", "requested_at"]
    list_filter = ["shop", "state", "kind", "resolution"]
    search_fields = ["code", "order__number"]
    raw_id_fields = ["order", "customer"]
    inlines = [ReturnLineInline]


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(admin.ModelAdmin):
    list_display = ["shop", "drop_off_fee_cents", "store_credit_bonus_bp", "free_exchanges"]


@admin.register(StoreCredit)
class StoreCreditAdmin(admin.ModelAdmin):
    list_display = ["code", "shop", "customer", "amount_cents", "bonus_cents", "issued_at"]
    list_filter = ["shop"]
    search_fields = ["code"]
    raw_id_fields = ["customer", "return_request"]


@admin.register(Withdrawal)
class WithdrawalAdmin(admin.ModelAdmin):
    """Read-only: a notice of withdrawal is a legal record and changes only through services."""

    list_display = ["code", "shop", "order", "notified_at", "refund_due_at", "acknowledged_at"]
    list_filter = ["shop"]
    search_fields = ["code", "order__number"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(UnclaimedCase)
class UnclaimedCaseAdmin(admin.ModelAdmin):
    list_display = ["order", "shop", "opened_at", "fee_cents", "refund_cents", "state"]
    list_filter = ["shop", "state"]
    raw_id_fields = ["order", "shipment", "refund"]


@admin.register(WithdrawalSettings)
class WithdrawalSettingsAdmin(admin.ModelAdmin):
    list_display = ["shop", "informed_of_withdrawal_right", "unclaimed_fee_cents"]
