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

The modules are collected when Django starts (``PrivacyConfig.ready``), and
tests/privacy/test_completeness.py fails for any model with a path to a customer that is not
declared here, so a new app cannot forget its customers' data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

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

    @property
    def key(self) -> str:
        return self.model._meta.label

    @property
    def depth(self) -> int:
        """How many steps from the row to its customer (deepest rows are erased first)."""
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
        """This model's rows about ``customer``, starting from the customer's shop."""
        lookup = {self.customer: customer} if self.customer else {"pk": customer.pk}
        return self.model._default_manager.filter(shop_id=customer.shop_id, **lookup).distinct()


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


def declarations() -> list[Declaration]:
    """Every declaration, the deepest first (rows before the rows they point to)."""
    return sorted(_declarations.values(), key=lambda d: (-d.depth, d.key))


def declaration_for(model: type[models.Model]) -> Declaration | None:
    return _declarations.get(model)


Anonymiser = Callable[[models.Model], Any]
