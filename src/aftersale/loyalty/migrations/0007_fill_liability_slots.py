"""Each shop's liability slot starts as its members' balances summed (the report read them
directly until now; from here the ledger's writer keeps the slots)."""

from django.db import migrations
from django.db.models import Count, Sum


def fill(apps, schema_editor):
    CustomerPoints = apps.get_model("loyalty", "CustomerPoints")
    LiabilitySlot = apps.get_model("loyalty", "LiabilitySlot")
    rows = (
        CustomerPoints.objects.order_by()
        .values("shop_id")
        .annotate(members=Count("id"), available=Sum("available"), pending=Sum("pending"))
    )
    LiabilitySlot.objects.bulk_create(
        [
            LiabilitySlot(
                shop_id=row["shop_id"],
                slot=0,
                members=row["members"],
                available=row["available"] or 0,
                pending=row["pending"] or 0,
            )
            for row in rows
        ]
    )


def empty(apps, schema_editor):
    apps.get_model("loyalty", "LiabilitySlot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0006_liability_slots_goodwill_pending_index")]

    operations = [migrations.RunPython(fill, empty)]
