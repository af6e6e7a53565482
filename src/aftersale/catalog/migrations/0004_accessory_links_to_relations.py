"""Every compatible-accessory link becomes a product relation of kind "accessory"."""

from django.db import migrations


def links_to_relations(apps, schema_editor):
    AccessoryLink = apps.get_model("catalog", "AccessoryLink")
    ProductRelation = apps.get_model("catalog", "ProductRelation")
    links = AccessoryLink.objects.order_by("pk").values_list(
        "shop_id", "product_id", "accessory_id", "position"
    )
    ProductRelation.objects.bulk_create(
        (
            ProductRelation(
                shop_id=shop_id,
                product_id=product_id,
                related_id=accessory_id,
                kind="accessory",
                position=position,
            )
            for shop_id, product_id, accessory_id, position in links.iterator()
        ),
        batch_size=1000,
    )


def relations_to_links(apps, schema_editor):
    AccessoryLink = apps.get_model("catalog", "AccessoryLink")
    ProductRelation = apps.get_model("catalog", "ProductRelation")
    seen = set()
    links = []
    for relation in ProductRelation.objects.filter(kind="accessory").order_by("position", "pk"):
        if (relation.product_id, relation.related_id) in seen:
            continue
        seen.add((relation.product_id, relation.related_id))
        links.append(
            AccessoryLink(
                shop_id=relation.shop_id,
                product_id=relation.product_id,
                accessory_id=relation.related_id,
                position=relation.position,
            )
        )
    AccessoryLink.objects.bulk_create(links, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_productrelation")]

    operations = [migrations.RunPython(links_to_relations, relations_to_links)]
