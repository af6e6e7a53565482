from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("flows", "0003_remove_duplicate_step_runs")]

    operations = [
        migrations.AddConstraint(
            model_name="steprun",
            constraint=models.UniqueConstraint(fields=("run", "step"), name="steprun_unique_step"),
        ),
    ]
