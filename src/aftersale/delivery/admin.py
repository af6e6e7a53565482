from django.contrib import admin

from aftersale.delivery.models import PickupPoint, Shipment, TrackingEvent


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    exclude = ["shop"]


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ["name", "carrier", "code", "kind", "city", "active"]
    list_filter = ["shop", "carrier", "kind", "active"]
    search_fields = ["name", "code", "city"]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "carrier", "status", "held_until", "order"]
    list_filter = ["shop", "carrier", "status"]
    search_fields = ["tracking_number", "external_id"]
    raw_id_fields = ["order", "pickup_point"]
    inlines = [TrackingEventInline]
