"""Before one step run per run and step is enforced: keep the first row of each (run, step)
pair and delete the later copies that overlapping claims could write. The kept row is the one
the run's message (idempotency key run<id>-step<id>) belongs to; the copies repeat it."""

from django.db import migrations
from django.db.models import Count, Min


def remove_duplicates(apps, schema_editor):
    StepRun = apps.get_model("flows", "StepRun")
    pairs = (
        StepRun.objects.values("run_id", "step_id")
        .annotate(n=Count("id"), first=Min("id"))
        .filter(n__gt=1)
    )
    for pair in pairs.iterator():
        StepRun.objects.filter(run_id=pair["run_id"], step_id=pair["step_id"]).exclude(
            id=pair["first"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("flows", "0002_message_failure_fields_steprun_claim_token")]

    operations = [migrations.RunPython(remove_duplicates, migrations.RunPython.noop)]
