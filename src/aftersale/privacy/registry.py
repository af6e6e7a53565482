"""What each app holds about a customer, and what export and erasure do with it.

Every domain app with a model that leads to a customer declares it in its own ``privacy.py``::

    declare(
        Order,
        customer="customer",
        why=_("Accounting record of a sale, kept for the shop's accounting period."),
        erase=anonymise(ship_name="", ship_street=""),
    )

``customer`` is the lookup from the model to the ``Customer`` (``"order__customer"`` for a
payment). ``export`` lists the fields the customer receives (all plain fields by default, minus
``secret`` ones such as access tokens). ``erase`` says what an erasure does: ``delete()`` the
rows, ``anonymise(field=value, …)`` them, or ``keep(reason)`` them as they are because they
hold no personal data. ``files`` names file fields whose files go into the export archive and
are removed with the rows.

A model with no foreign key to a customer may still hold their data in its text: the API's
stored answers, the integration log, queued background tasks. ``declare_mentions`` names the
rows that mention a customer (``find(customer)`` gives the condition, e.g. the text contains
their e-mail address or customer id); export and erasure treat them like the rows above, before
the customer's own row is anonymised. A model with free text that can never hold a
customer's data says so with ``declare_no_customer_data(model, why)``.

The modules are collected when Django starts (``PrivacyConfig.ready``), and
tests/privacy/test_completeness.py fails for any model with a path to a customer, or with free
text, that is not declared here, so a new app cannot forget its customers' data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

DELETE = "delete"
ANONYMISE = "anonymise"
KEEP = "keep"


@dataclass(frozen=True)
class Erase:
    """What an erasure does to the rows: delete, anonymise (set ``values``) or keep."""

    action: str
    values: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def delete() -> Erase:
    return Erase(DELETE)


def anonymise(**values: Any) -> Erase:
    """Set each field to its value; a callable value is called with the row."""
    return Erase(ANONYMISE, values=values)


def keep(reason: str) -> Erase:
    return Erase(KEEP, reason=reason)


@dataclass(frozen=True)
class Declaration:
    model: type[models.Model]
    customer: str
    why: str
    erase: Erase
    export: tuple[str, ...] | None = None
    secret: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    find: Callable[[Any], Q] | None = None

    @property
    def key(self) -> str:
        return self.model._meta.label

    @property
    def depth(self) -> int:
        """How many steps from the row to its customer (deepest rows are erased first; rows
        that only mention the customer come first of all, while the customer's e-mail address
        and id are still there to find them by)."""
        if self.find is not None:
            return MENTION_DEPTH
        return len(self.customer.split("__")) if self.customer else 0

    def export_fields(self) -> list[str]:
        if self.export is not None:
            return list(self.export)
        return [
            f.attname
            for f in self.model._meta.concrete_fields
            if f.name != "shop" and f.name not in self.secret and f.name not in self.files
        ]

    def rows_of(self, customer) -> models.QuerySet:
        """This model's rows about ``customer``, starting from the customer's shop (for a
        model that belongs to no shop, the condition names the customer alone)."""
        rows = self.model._default_manager.all()
        if any(field.name == "shop" for field in self.model._meta.concrete_fields):
            rows = rows.filter(shop_id=customer.shop_id)
        if self.find is not None:
            return rows.filter(self.find(customer))
        lookup = {self.customer: customer} if self.customer else {"pk": customer.pk}
        return rows.filter(**lookup).distinct()


MENTION_DEPTH = 99


def mentions(customer, *fields: str) -> Q:
    """Rows whose ``fields`` contain the customer's e-mail address, phone number or customer
    id (as a JSON string, quoted, so that ``c1`` does not find ``c10``). Never matches for a
    customer with none of them."""
    needles = [json.dumps(customer.external_id, ensure_ascii=False)] if customer.external_id else []
    needles += [value.strip() for value in (customer.email, customer.phone) if value.strip()]
    condition = Q(pk__in=[])
    for name in fields:
        for needle in needles:
            condition |= Q(**{f"{name}__icontains": needle})
    return condition


_declarations: dict[type[models.Model], Declaration] = {}


def declare(
    model: type[models.Model],
    *,
    customer: str,
    why: str,
    erase: Erase,
    export: tuple[str, ...] | None = None,
    secret: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
) -> Declaration:
    declaration = Declaration(model, customer, why, erase, export, secret, files)
    _declarations[model] = declaration
    return declaration


def declare_mentions(
    model: type[models.Model],
    *,
    find: Callable[[Any], Q],
    why: str,
    erase: Erase,
    export: tuple[str, ...] | None = None,
    secret: tuple[str, ...] = (),
) -> Declaration:
    """``model`` has no foreign key to a customer, but ``find(customer)`` gives its rows that
    mention them (see ``mentions``)."""
    declaration = Declaration(model, "", why, erase, export, secret, find=find)
    _declarations[model] = declaration
    return declaration


_no_customer_data: dict[type[models.Model], str] = {}


def declare_no_customer_data(model: type[models.Model], why: str) -> None:
    """``model`` has free text but never holds a customer's data (``why`` says so)."""
    _no_customer_data[model] = why


def no_customer_data(model: type[models.Model]) -> str | None:
    return _no_customer_data.get(model)


def declarations() -> list[Declaration]:
    """Every declaration, the deepest first (rows before the rows they point to)."""
    return sorted(_declarations.values(), key=lambda d: (-d.depth, d.key))


def declaration_for(model: type[models.Model]) -> Declaration | None:
    return _declarations.get(model)


Anonymiser = Callable[[models.Model], Any]
