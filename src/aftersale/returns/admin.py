from django.contrib import admin

from aftersale.returns.models import ReturnLine, ReturnRequest


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
