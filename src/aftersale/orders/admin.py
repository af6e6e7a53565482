from django.contrib import admin

from aftersale.orders.models import Customer, Order, OrderLine, Payment, Refund


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    exclude = ["shop"]
    raw_id_fields = ["variant"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "shop", "language", "marketing_consent"]
    list_filter = ["shop", "language", "marketing_consent"]
    search_fields = ["email", "first_name", "last_name", "external_id"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "shop", "customer", "placed_at", "total_cents", "delivery_method"]
    list_filter = ["shop", "status", "delivery_method"]
    search_fields = ["number", "external_id", "customer__email"]
    raw_id_fields = ["customer", "pickup_point"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["order", "method", "amount_cents", "paid_at"]
    list_filter = ["shop", "method"]
    raw_id_fields = ["order"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["order", "amount_cents", "refunded_at", "reason"]
    list_filter = ["shop"]
    raw_id_fields = ["order", "return_request"]
