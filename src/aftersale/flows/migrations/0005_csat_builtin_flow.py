"""Shops created before the satisfaction question existed get its template and flow, on like
every transactional built-in (new shops get it from ``install_builtin_flows``). What a shop
already has is left as it is; going back removes the flow where it never ran."""

from django.db import migrations

from aftersale.flows.builtin import FLOWS, TEMPLATES

LANGUAGES = ("fi", "sv", "en")
FLOW_KEY = "csat"


def _builtin(key, items):
    return next(item for item in items if item.key == key)


def add_csat_flow(apps, schema_editor):
    Shop = apps.get_model("core", "Shop")
    Flow = apps.get_model("flows", "Flow")
    Step = apps.get_model("flows", "Step")
    Template = apps.get_model("flows", "Template")
    flow_spec = _builtin(FLOW_KEY, FLOWS)
    step_specs = flow_spec.steps
    template_keys = {step.template_key for step in step_specs if step.template_key}
    for shop in Shop.objects.all().iterator():
        have = set(
            Template.objects.filter(shop=shop, key__in=template_keys).values_list(
                "key", "language"
            )
        )
        Template.objects.bulk_create(
            Template(
                shop=shop,
                key=key,
                language=language,
                name=_builtin(key, TEMPLATES).name,
                subject=_builtin(key, TEMPLATES).subject[language],
                body=_builtin(key, TEMPLATES).full_body(language),
            )
            for key in sorted(template_keys)
            for language in LANGUAGES
            if (key, language) not in have
        )
        if Flow.objects.filter(shop=shop, key=FLOW_KEY).exists():
            continue
        flow = Flow.objects.create(
            shop=shop,
            key=flow_spec.key,
            name=flow_spec.name,
            kind=flow_spec.kind,
            enabled=flow_spec.enabled,
            trigger_type=flow_spec.trigger_type,
            trigger_filter=flow_spec.trigger_filter,
            flow_filter=flow_spec.flow_filter,
            exit_events=flow_spec.exit_events,
        )
        Step.objects.bulk_create(
            Step(
                shop=shop,
                flow=flow,
                position=index,
                type=step.type,
                template_key=step.template_key,
                wait=step.wait,
                wait_anchor=step.wait_anchor,
            )
            for index, step in enumerate(step_specs, start=1)
        )


def remove_csat_flow(apps, schema_editor):
    """Only the flow goes, and only where it never ran; its templates stay (harmless)."""
    Flow = apps.get_model("flows", "Flow")
    Flow.objects.filter(key=FLOW_KEY, runs__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0004_steprun_unique_step"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_csat_flow, remove_csat_flow)]
