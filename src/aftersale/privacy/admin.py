from django.contrib import admin

from aftersale.privacy.models import AuditEntry, Erasure, PrivacySettings


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "shop", "actor_name", "action", "subject_type", "subject_id")
    list_filter = ("action",)
    search_fields = ("actor_name", "subject_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    list_display = ("started_at", "shop", "customer_number", "state", "source")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(PrivacySettings)
