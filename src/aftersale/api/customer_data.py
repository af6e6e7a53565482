"""A customer's data for a data-subject request, through the API.

* ``GET /customers/{external_id}/export`` — the export archive (zip: data.json, summary.html,
  files/), the same as the back-office download.
* ``POST /customers/{external_id}/erase`` with ``{"confirm": true}`` — erase the customer's
  personal data (idempotent).

The token decides the shop: another shop's customer is a 404, even with the same e-mail.
Both are written to the shop's audit log with the token's name and the caller's address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Router, Schema
from pydantic import Field

from aftersale.api.reads import _one
from aftersale.core.limits import client_address
from aftersale.orders.models import Customer
from aftersale.privacy.export import archive_name
from aftersale.privacy.services import erase_customer, export_customers


class ErasureIn(Schema):
    confirm: Literal[True] = Field(
        description="Must be true: an erasure cannot be undone.",
    )


class ErasureOut(Schema):
    external_id: str
    state: str
    started_at: datetime
    finished_at: datetime | None
    rows_changed: dict[str, int]


def _token_name(request) -> str:
    return f"API token {request.api_token.name} ({request.api_token.token_prefix}…)"


def export_customer(request, external_id: str):
    customer = _one(Customer.objects.for_shop(request.shop), external_id=external_id)
    data = export_customers(
        request.shop,
        [customer],
        actor_name=_token_name(request),
        client_address=client_address(request),
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{archive_name(request.shop, customer)}"'
    )
    return response


def erase(request, external_id: str, confirmation: ErasureIn):
    customer = _one(Customer.objects.for_shop(request.shop), external_id=external_id)
    erasure = erase_customer(
        request.shop,
        customer,
        actor_name=_token_name(request),
        client_address=client_address(request),
        source="api",
    )
    return {
        "external_id": external_id,
        "state": erasure.state,
        "started_at": erasure.started_at,
        "finished_at": erasure.finished_at,
        "rows_changed": erasure.counts,
    }


def add_privacy_endpoints(router: Router) -> None:
    router.get(
        "/customers/{path:external_id}/export",
        tags=["customers"],
        summary="Everything held about a customer, as a zip archive",
        response={200: None},
        openapi_extra={
            "responses": {200: {"content": {"application/zip": {}}, "description": "The archive"}}
        },
    )(export_customer)
    router.post(
        "/customers/{path:external_id}/erase",
        response=ErasureOut,
        tags=["customers"],
        summary="Erase a customer's personal data (accounting records are kept without it)",
    )(erase)
