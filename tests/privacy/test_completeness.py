"""Completeness that cannot rot: every model with a path to a customer is covered by export and
erasure. The models are found by walking Django's app registry, so a model added by any app
(now or later) fails here until its app's ``privacy.py`` declares it."""

from __future__ import annotations

from collections import deque

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import models

from aftersale.orders.models import Customer
from aftersale.privacy.registry import (
    ANONYMISE,
    DELETE,
    KEEP,
    declaration_for,
    declarations,
    no_customer_data,
)

MAX_DEPTH = 6


def path_to_customer(model) -> str | None:
    """The shortest chain of foreign keys from ``model`` to Customer ("" for Customer itself)."""
    if model is Customer:
        return ""
    queue = deque([(model, [])])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        if len(path) >= MAX_DEPTH:
            continue
        for field in current._meta.get_fields():
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                continue
            target = field.related_model
            if target is Customer:
                return "__".join([*path, field.name])
            if target not in seen and target is not None:
                seen.add(target)
                queue.append((target, [*path, field.name]))
    return None


def models_with_customers():
    return [
        (model, path)
        for model in apps.get_models()
        if (path := path_to_customer(model)) is not None
    ]


def test_it_finds_the_models_that_lead_to_a_customer():
    found = {model._meta.label for model, _path in models_with_customers()}
    assert {
        "orders.Customer",
        "orders.Payment",
        "delivery.TrackingEvent",
        "returns.ReturnPhoto",
        "flows.Message",
        "timeline.Event",
    } <= found
    assert "catalog.Product" not in found


@pytest.mark.parametrize(
    ("model", "path"), models_with_customers(), ids=lambda value: getattr(value, "__name__", "")
)
def test_every_model_with_a_customer_is_declared(model, path):
    declaration = declaration_for(model)
    app = model._meta.app_config
    assert declaration is not None, (
        f"{model._meta.label} reaches a customer through '{path}' but export and erasure do not "
        f"cover it. Add to src/{app.name.replace('.', '/')}/privacy.py:\n"
        f'    declare({model.__name__}, customer="{path}", why=_("…what it is for…"), '
        f'erase=delete() | anonymise(field=value, …) | keep("why it holds no personal data"))'
    )


def free_text_fields(model) -> list[str]:
    """Columns that could hold anything typed or sent: text, JSON and longer strings."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField | models.JSONField)
        or (isinstance(field, models.CharField) and field.max_length >= 100)
    ]


def models_with_free_text_only():
    return [
        (model, fields)
        for model in apps.get_models()
        if path_to_customer(model) is None and (fields := free_text_fields(model))
    ]


def test_it_finds_the_models_that_could_mention_a_customer_in_their_text():
    found = {model._meta.label for model, _fields in models_with_free_text_only()}
    assert {
        "api.IdempotentRequest",
        "api.InboundWebhook",
        "django_tasks_database.DBTaskResult",
    } <= (found)


@pytest.mark.parametrize(
    ("model", "fields"),
    models_with_free_text_only(),
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_every_model_with_free_text_says_whether_it_can_mention_a_customer(model, fields):
    """No foreign key leads to a customer, but text can hold their e-mail or customer id (a
    stored API answer, a queued task): declared with declare_mentions, or said to hold none."""
    app = model._meta.app_config
    assert declaration_for(model) is not None or no_customer_data(model), (
        f"{model._meta.label} has free text ({', '.join(fields)}) and export and erasure do not "
        f"cover it. Add to src/{app.name.replace('.', '/')}/privacy.py (for another package's "
        "model: src/aftersale/privacy/privacy.py) either\n"
        f"    declare_mentions({model.__name__}, find=lambda customer: mentions(customer, …), "
        'why=_("…"), erase=delete() | anonymise(…))\n'
        f"or  declare_no_customer_data({model.__name__}, "
        '_("why it never holds a customer\'s data"))'
    )


@pytest.mark.django_db
@pytest.mark.parametrize("declaration", declarations(), ids=lambda d: d.key)
def test_every_declaration_is_usable(declaration, shop_a):
    """The customer lookup resolves, exported and anonymised fields exist, and 'why' is said."""
    customer = Customer(
        pk=1, shop=shop_a.shop, external_id="c1", email="c1@example.fi", phone="+358 40 1"
    )
    try:
        str(declaration.rows_of(customer).query)
    except FieldError as error:
        where = f"{declaration.key}: customer='{declaration.customer}'"
        pytest.fail(f"{where} is not a lookup: {error}")
    names = {f.attname for f in declaration.model._meta.concrete_fields} | {
        f.name for f in declaration.model._meta.concrete_fields
    }
    assert set(declaration.export_fields()) <= names, declaration.key
    assert set(declaration.erase.values) <= names, declaration.key
    assert declaration.erase.action in {DELETE, ANONYMISE, KEEP}
    assert str(declaration.why).strip()
    if declaration.erase.action == KEEP:
        assert str(declaration.erase.reason).strip(), f"{declaration.key}: say why it is kept"


def test_a_missing_declaration_is_reported_with_what_to_add():
    """The failure names the model and the declaration to write."""
    from aftersale.privacy import registry

    model = apps.get_model("flows", "Consent")
    saved = registry._declarations.pop(model)
    try:
        expected = r"(?s)flows\.Consent reaches a customer.*flows/privacy\.py.*declare\(Consent"
        with pytest.raises(AssertionError, match=expected):
            test_every_model_with_a_customer_is_declared(model, "customer")
    finally:
        registry._declarations[model] = saved
