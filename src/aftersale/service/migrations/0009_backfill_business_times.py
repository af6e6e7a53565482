"""Tickets answered or solved before the business times were kept get them now, counted with
each shop's calendar as it is today (hours, closed days, public holidays)."""

from django.db import migrations

BATCH = 500


def backfill(apps, schema_editor):
    Ticket = apps.get_model("service", "Ticket")
    pending = Ticket.objects.filter(first_response_at__isnull=False, first_response_seconds=None)
    pending |= Ticket.objects.filter(solved_at__isnull=False, resolution_seconds=None)
    shop_ids = sorted(set(pending.values_list("shop_id", flat=True)))
    if not shop_ids:
        return
    # The calendar is the service app's own code (plain reads of hours, closed days and
    # settings by shop id); only shops with tickets to fill in get here.
    from aftersale.core.models import Shop
    from aftersale.service.hours import business_calendar

    for shop in Shop.objects.filter(pk__in=shop_ids):
        calendar = business_calendar(shop)
        rows = pending.filter(shop_id=shop.pk).only(
            "id", "created_at", "first_response_at", "solved_at"
        )
        changed = []
        for ticket in rows.iterator(chunk_size=BATCH):
            if ticket.first_response_at is not None:
                ticket.first_response_seconds = int(
                    calendar.business_time_between(
                        ticket.created_at, ticket.first_response_at
                    ).total_seconds()
                )
            if ticket.solved_at is not None:
                ticket.resolution_seconds = int(
                    calendar.business_time_between(ticket.created_at, ticket.solved_at).total_seconds()
                )
            changed.append(ticket)
            if len(changed) >= BATCH:
                Ticket.objects.bulk_update(
                    changed, ["first_response_seconds", "resolution_seconds"]
                )
                changed = []
        Ticket.objects.bulk_update(changed, ["first_response_seconds", "resolution_seconds"])


class Migration(migrations.Migration):
    dependencies = [("service", "0008_tickets_csat_figures")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
