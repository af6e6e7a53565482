"""Everything a shop holds about a customer, as a zip: ``data.json`` (machine-readable),
``summary.html`` with its ``summary.css`` (readable, in the customer's language) and ``files/``
(return photos)."""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aftersale.privacy.registry import Declaration, declarations

FORMAT_VERSION = 1


@dataclass
class Section:
    """One kind of record about the customer: its rows as plain values."""

    declaration: Declaration
    rows: list[dict]
    files: list[tuple[str, object]]

    @property
    def title(self) -> str:
        return str(self.declaration.model._meta.verbose_name_plural)

    @property
    def columns(self) -> list[tuple[str, str]]:
        fields = {f.attname: f for f in self.declaration.model._meta.concrete_fields}
        return [
            (name, str(fields[name].verbose_name) if name in fields else name)
            for name in self.declaration.export_fields()
        ]


def sections_for(customer) -> list[Section]:
    """Every declared kind of record with at least one row about ``customer``, customer first."""
    found = []
    for declaration in sorted(declarations(), key=lambda d: (d.depth, d.key)):
        queryset = declaration.rows_of(customer).order_by("pk")
        rows, files = [], []
        for row in queryset:
            rows.append({name: getattr(row, name) for name in declaration.export_fields()})
            for name in declaration.files:
                stored = getattr(row, name)
                if stored:
                    files.append((f"{declaration.key}-{row.pk}", stored))
        if rows:
            found.append(Section(declaration, rows, files))
    return found


def customer_document(customer, sections: list[Section]) -> dict:
    return {
        "customer": customer.external_id,
        "records": {
            section.declaration.key: {
                "description": str(section.declaration.why),
                "rows": section.rows,
            }
            for section in sections
        },
    }


def build_archive(shop, customers: list) -> bytes:
    """The zip for ``customers`` of ``shop`` (several when one address has several records)."""
    now = timezone.now()
    buffer = io.BytesIO()
    language = customers[0].language if customers else shop.default_language
    if language not in shop.languages:
        language = shop.default_language
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        documents, summaries = [], []
        for customer in customers:
            sections = sections_for(customer)
            documents.append(customer_document(customer, sections))
            summaries.append((customer, sections))
            for name, stored in (item for s in sections for item in s.files):
                extension = posixpath.splitext(stored.name)[1]
                with stored.open("rb") as handle:
                    archive.writestr(f"files/{name}{extension}", handle.read())
                stored.close()
        data = {
            "format": "aftersale-customer-export",
            "version": FORMAT_VERSION,
            "shop": shop.name,
            "exported_at": now,
            "customers": documents,
        }
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2))
        with translation.override(language):
            html = render_to_string(
                "privacy/summary.html",
                {"shop": shop, "exported_at": now, "summaries": summaries, "language": language},
            )
        archive.writestr("summary.html", html)
        archive.writestr("summary.css", render_to_string("privacy/summary.css"))
    return buffer.getvalue()


def archive_name(shop, customer) -> str:
    return f"{shop.slug}-customer-{customer.pk}-data.zip"
