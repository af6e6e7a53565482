from django.contrib import admin

from aftersale.timeline.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "shop", "type", "subject_type", "subject_id", "customer"]
    list_filter = ["shop", "type"]
    raw_id_fields = ["customer"]
    date_hierarchy = "occurred_at"
