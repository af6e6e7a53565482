"""Upsert endpoints: one object (``POST /orders``) or up to 1,000 (``POST /orders/batch``).

Each calls the same domain service the webhook adapters and the CSV import use. The body is
the domain payload itself, so the OpenAPI schema and the services can never disagree.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.decorators import decorate_view
from pydantic import Field, create_model

from aftersale.api.idempotency import idempotent
from aftersale.api.problems import Problem, invalid_fields
from aftersale.api.schemas import BatchResult, UpsertResult
from aftersale.core.bulk import gc_paused
from aftersale.orders.ingest import InvalidPayload, UnknownReference, Upserted

MAX_BATCH = 1000


def _result(result: Upserted) -> dict[str, Any]:
    return {
        "external_id": result.external_id,
        "created": result.created,
        "changed": result.changed,
        "stale": result.stale,
    }


def _run(service, request: HttpRequest, items: list, prefix: str | None):
    """Call ``service``; its (index-relative) errors become pointers into this request."""
    try:
        return service(request.shop, items)
    except InvalidPayload as exc:
        errors = []
        for error in exc.errors:
            where = error.pointer
            if prefix is None:  # a single object: drop the "/0" of the one-item batch
                where = where.removeprefix("/0")
            else:
                where = prefix + where
            errors.append({"pointer": where, "detail": error.message})
        if isinstance(exc, UnknownReference):
            raise Problem(
                404,
                _("Unknown reference"),
                _("The objects named in errors are not in this shop; send them first."),
                kind="unknown-reference",
                errors=errors,
            ) from None
        raise invalid_fields(errors) from None


def add_upsert_endpoints(
    router: Router, path: str, payload_model, service, *, noun: str, plural: str, tag: str
) -> None:
    """Add ``POST path`` and ``POST path/batch`` for ``payload_model`` to ``router``."""
    batch_model = create_model(
        f"{payload_model.__name__.removesuffix('In')}Batch",
        items=(list[payload_model], Field(min_length=1, max_length=MAX_BATCH)),
    )

    def upsert_one(request: HttpRequest, payload: payload_model):
        def handle():
            result = _run(service, request, [payload], None)[0]
            return (201 if result.created else 200), _result(result)

        return idempotent(request, handle)

    def upsert_batch(request: HttpRequest, payload: batch_model):
        def handle():
            results = _run(service, request, payload.items, "/items")
            created = sum(r.created for r in results)
            changed = sum(r.changed for r in results)
            return 200, {
                "items": [_result(r) for r in results],
                "created": created,
                "updated": changed - created,
                "unchanged": len(results) - changed,
            }

        return idempotent(request, handle)

    router.post(
        path,
        response={200: UpsertResult, 201: UpsertResult},
        summary=f"Create or update one {noun}",
        operation_id=f"upsert_{noun.replace(' ', '_')}",
        tags=[tag],
    )(upsert_one)
    router.post(
        f"{path}/batch",
        response={200: BatchResult},
        summary=f"Create or update up to {MAX_BATCH:,} {plural}",
        operation_id=f"upsert_{noun.replace(' ', '_')}_batch",
        tags=[tag],
    )(decorate_view(gc_paused())(upsert_batch))  # parsing and validation included
