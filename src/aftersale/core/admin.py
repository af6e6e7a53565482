from django.contrib import admin

from aftersale.core.models import ApiToken, Membership, Shop


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "time_zone", "return_window_days"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]
    exclude = ["webhook_secret"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "shop", "role"]
    list_filter = ["role", "shop"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "token_prefix", "last_used_at", "revoked_at"]
    list_filter = ["shop"]
    readonly_fields = ["token_prefix", "token_hash", "last_used_at"]
