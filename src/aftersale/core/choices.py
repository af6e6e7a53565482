"""Labels of stored choices (``order.get_status_display``) looked up in a dict made once per
field, instead of Django's, which builds that dict again on every call: translating each of
the field's labels to hash it. A list page showing a state and a reason per row paid some
1,000 translation lookups for it.

``use_fast_displays()`` (called once the models are loaded) gives every Aftersale model field
with fixed choices the faster ``get_<field>_display``; a model's own method is kept, and so
are choices given as a callable (they may change, so they are looked up each time).
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.encoding import force_str


def _display(instance: Model, field) -> str:
    value = getattr(instance, field.attname)
    try:
        label = field._aftersale_labels.get(value, value)
    except TypeError:  # a value that cannot be a key: Django's own lookup
        return Model._get_FIELD_display(instance, field)
    return force_str(label, strings_only=True)


def use_fast_displays() -> None:
    for model in apps.get_models():
        if not model.__module__.startswith("aftersale."):
            continue
        for field in model._meta.get_fields():
            if not getattr(field, "choices", None) or not isinstance(field.choices, list):
                continue
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            if not isinstance(method, partialmethod) or method.func is not Model._get_FIELD_display:
                continue  # the model's own method, or one it inherits
            field._aftersale_labels = dict(field.flatchoices)
            setattr(model, name, partialmethod(_display, field=field))
