"""Inbound webhook endpoints: HMAC-verified with the shop's webhook secret before anything
else, then mapped onto the same services as the API. Each signed delivery is written to the
integration log (back-office › Integrations › Inbound webhooks) with what became of it; an
order older than the stored one (by the platform's ``updated_at``) is acknowledged and ignored.

POST /api/v1/webhooks/shopify/{shop}      X-Shopify-Topic, X-Shopify-Hmac-Sha256
POST /api/v1/webhooks/woocommerce/{shop}  X-WC-Webhook-Topic, X-WC-Webhook-Signature
"""

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import TypeAdapter, ValidationError

from aftersale.api.inbound.shopify import order_from_shopify, refund_from_shopify
from aftersale.api.inbound.woocommerce import order_from_woocommerce, refunds_from_woocommerce
from aftersale.api.models import InboundWebhook
from aftersale.api.problems import Problem, invalid_fields
from aftersale.api.services import log_inbound_webhook, outcome_of
from aftersale.core.models import Shop
from aftersale.orders.ingest import Instant, InvalidPayload
from aftersale.orders.services import upsert_order, upsert_refunds

router = Router(tags=["inbound webhooks"])
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
SENT_AT = TypeAdapter(Instant)


def _unauthenticated() -> Problem:
    return Problem(
        401,
        _("Bad signature"),
        _("The webhook signature is missing or does not match the shop's webhook secret."),
        kind="bad-signature",
    )


def verified_shop(slug: str, body: bytes, signature: str | None) -> Shop:
    """The shop whose secret signed ``body`` (base64 HMAC-SHA256), else 401."""
    shop = Shop.objects.filter(slug=slug).first() if SLUG.match(slug) else None
    if shop is None or not signature:
        raise _unauthenticated()
    digest = hmac.new(shop.webhook_secret.encode(), body, hashlib.sha256).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode(), signature.strip()):
        raise _unauthenticated()
    return shop


def _json(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise Problem(
            400, _("Malformed JSON"), _("The webhook body is not JSON."), kind="malformed-json"
        ) from None


def _store(store, shop: Shop, source: str, topic: str, external_id: str):
    """Run ``store``; a refusal is logged and names fields of the one order or refund (without
    the "/0" of the one-item batch the services take)."""
    try:
        return store()
    except InvalidPayload as exc:
        errors = [
            {"pointer": e.pointer.removeprefix("/0"), "detail": e.message} for e in exc.errors
        ]
        log_inbound_webhook(
            shop,
            source=source,
            topic=topic,
            external_id=external_id,
            outcome=InboundWebhook.Outcome.REFUSED,
            detail="; ".join(f"{e['pointer'] or '/'}: {e['detail']}" for e in errors),
        )
        raise invalid_fields(errors) from None


def _result(result) -> dict:
    return {
        "external_id": result.external_id,
        "created": result.created,
        "changed": result.changed,
        "stale": result.stale,
    }


def _sent_at(value) -> datetime | None:
    try:
        return SENT_AT.validate_python(value)
    except ValidationError:
        return None


def _log_order(shop: Shop, source: str, topic: str, order: dict, result) -> None:
    log_inbound_webhook(
        shop,
        source=source,
        topic=topic,
        external_id=result.external_id,
        outcome=outcome_of(result),
        source_updated_at=_sent_at(order.get("updated_at")),
    )


def _webhook_openapi(topic: str, signature: str, example: str) -> dict:
    """The body and headers of a webhook, for the OpenAPI document (read from the raw body,
    which the signature covers)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "description": "The platform's own JSON."}
                }
            },
        },
        "parameters": [
            {"in": "header", "name": topic, "schema": {"type": "string"}, "example": example},
            {
                "in": "header",
                "name": signature,
                "schema": {"type": "string"},
                "description": "Base64 HMAC-SHA256 of the body with the shop's webhook secret.",
            },
        ],
    }


def _external_id(body) -> str:
    return str(body.get("id", ""))[:100] if isinstance(body, dict) else ""


@router.post(
    "/webhooks/shopify/{shop}",
    auth=None,
    summary="Shopify-style webhook",
    openapi_extra=_webhook_openapi("X-Shopify-Topic", "X-Shopify-Hmac-Sha256", "orders/updated"),
)
def shopify(request: HttpRequest, shop: str):
    target = verified_shop(shop, request.body, request.headers.get("X-Shopify-Hmac-Sha256"))
    topic = request.headers.get("X-Shopify-Topic", "")
    body = _json(request.body)
    if topic in ("orders/create", "orders/updated", "orders/cancelled"):

        def store_order():
            order = order_from_shopify(body)
            return order, upsert_order(target, order, source="shopify")

        order, result = _store(store_order, target, "shopify", topic, _external_id(body))
        _log_order(target, "shopify", topic, order, result)
        return {"topic": topic, "order": _result(result)}
    if topic == "refunds/create":
        results = _store(
            lambda: upsert_refunds(target, [refund_from_shopify(body)]),
            target,
            "shopify",
            topic,
            _external_id(body),
        )
        log_inbound_webhook(
            target,
            source="shopify",
            topic=topic,
            external_id=results[0].external_id,
            outcome=outcome_of(results[0]),
        )
        return {"topic": topic, "refund": _result(results[0])}
    log_inbound_webhook(
        target, source="shopify", topic=topic, outcome=InboundWebhook.Outcome.IGNORED
    )
    return {"topic": topic, "ignored": True}


@router.post(
    "/webhooks/woocommerce/{shop}",
    auth=None,
    summary="WooCommerce-style webhook",
    openapi_extra=_webhook_openapi("X-WC-Webhook-Topic", "X-WC-Webhook-Signature", "order.updated"),
)
def woocommerce(request: HttpRequest, shop: str):
    target = verified_shop(shop, request.body, request.headers.get("X-WC-Webhook-Signature"))
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    if topic not in ("order.created", "order.updated"):
        log_inbound_webhook(
            target, source="woocommerce", topic=topic, outcome=InboundWebhook.Outcome.IGNORED
        )
        return {"topic": topic, "ignored": True}  # e.g. the ping sent when a webhook is saved
    body = _json(request.body)

    @transaction.atomic
    def store():
        order = order_from_woocommerce(body)
        result = upsert_order(target, order, source="woocommerce")
        # The refunds an older delivery lists are in the newer one too.
        refunds = [] if result.stale else upsert_refunds(target, refunds_from_woocommerce(body))
        return order, result, refunds

    order, result, refunds = _store(store, target, "woocommerce", topic, _external_id(body))
    _log_order(target, "woocommerce", topic, order, result)
    return {"topic": topic, "order": _result(result), "refunds": [_result(r) for r in refunds]}
