from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_accessory_links_to_relations")]

    operations = [migrations.DeleteModel(name="AccessoryLink")]
