from django.contrib import admin

from aftersale.returns.models import ReturnLine, ReturnPolicy, ReturnRequest, StoreCredit


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
