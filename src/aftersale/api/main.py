"""The HTTP API at /api/v1: per-shop bearer tokens, JSON in and out, problem+json errors.

OpenAPI docs are served at /api/v1/docs and the schema at /api/v1/openapi.json.
"""

import json
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from aftersale.api import reads, writes
from aftersale.api.auth import ShopToken
from aftersale.api.customer_data import add_privacy_endpoints
from aftersale.api.delivery import add_delivery_endpoints
from aftersale.api.inbound import views as inbound
from aftersale.api.loyalty import add_loyalty_endpoints
from aftersale.api.openapi import document_errors
from aftersale.api.problems import Problem, invalid_fields, not_found, problem_response
from aftersale.api.recommendations import add_recommendation_endpoints
from aftersale.api.reviews import add_moderation_endpoints, add_review_endpoints
from aftersale.api.rewards import add_reward_endpoints
from aftersale.api.schemas import ShipmentTrackingEventIn
from aftersale.api.surveys import add_survey_endpoints
from aftersale.api.tickets import add_ticket_endpoints
from aftersale.catalog.payloads import ProductIn
from aftersale.catalog.services import upsert_products
from aftersale.delivery.payloads import ShipmentIn
from aftersale.delivery.services import record_tracking_events, upsert_shipments
from aftersale.orders.ingest import ConflictingWrite, InvalidPayload, pointer
from aftersale.orders.payloads import CustomerIn, OrderIn, PaymentIn, RefundIn
from aftersale.orders.services import (
    upsert_customers,
    upsert_orders,
    upsert_payments,
    upsert_refunds,
)

logger = logging.getLogger("aftersale.api")


class JsonParser(Parser):
    """Plain ``json.loads``; any failure (bad syntax, bad UTF-8, nesting too deep, numbers too
    long) is turned into a 400 by django-ninja. An empty body is a 400 of its own (django-ninja
    would read it as no fields at all)."""

    def parse_body(self, request):
        return json.loads(request.body)


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


api = Api(
    title="Aftersale API",
    version="1",
    description=(
        "Send orders, customers, products, shipments, payments and refunds; read orders, "
        "customers, shipments, returns and support tickets; open tickets. Authenticate with "
        "`Authorization: Bearer <token>` (create a token in the back-office under "
        "Integrations). Errors are RFC 9457 problem+json."
    ),
    urls_namespace="api",
    auth=ShopToken(),
    parser=JsonParser(),
    docs_url="/docs",
)

# Reads and writes share one router: Django resolves a path once, for every method.
ingest = Router()
for path, model, service, noun, plural, tag in [
    ("/orders", OrderIn, lambda shop, items: upsert_orders(shop, items, source="api"),
     "order", "orders", "orders"),
    ("/customers", CustomerIn, lambda shop, items: upsert_customers(shop, items, source="api"),
     "customer", "customers", "customers"),
    ("/products", ProductIn, upsert_products, "product", "products", "products"),
    ("/shipments", ShipmentIn, upsert_shipments, "shipment", "shipments", "shipments"),
    ("/tracking-events", ShipmentTrackingEventIn, record_tracking_events, "tracking event",
     "tracking events", "shipments"),
    ("/payments", PaymentIn, upsert_payments, "payment", "payments", "payments"),
    ("/refunds", RefundIn, upsert_refunds, "refund", "refunds", "payments"),
]:  # fmt: skip
    writes.add_upsert_endpoints(ingest, path, model, service, noun=noun, plural=plural, tag=tag)
add_delivery_endpoints(ingest)  # before the reads: /customers/{id}/flags is not an id
add_privacy_endpoints(ingest)  # likewise /customers/{id}/export and /erase
add_loyalty_endpoints(ingest)  # and /customers/{id}/loyalty
add_reward_endpoints(ingest)  # and /customers/{id}/redemptions
add_recommendation_endpoints(ingest)  # and /customers/{id}/recommendations
reads.add_read_endpoints(ingest)
add_ticket_endpoints(ingest)
add_review_endpoints(ingest)
add_moderation_endpoints(ingest)
add_survey_endpoints(ingest)
api.add_router("", ingest)
api.add_router("", inbound.router)


# --- errors as problem+json ------------------------------------------------------------------


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return problem_response(request, exc)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        where = loc[0] if loc else "body"
        if where == "body" and loc[2:] == ["items"] and error.get("type") == "too_long":
            raise_too_large = Problem(
                413,
                _("Too many objects"),
                _("A batch holds at most %(max)s objects; split it.") % {"max": writes.MAX_BATCH},
                kind="batch-too-large",
            )
            return problem_response(request, raise_too_large)
        if where == "body":
            errors.append({"pointer": pointer(*loc[2:]), "detail": error["msg"]})
        else:
            name = ".".join(str(part) for part in loc[1:]) or where
            if where == "query" and len(loc) > 2:
                name = ".".join(str(part) for part in loc[2:])
            errors.append({"parameter": name, "detail": error["msg"]})
    return problem_response(request, invalid_fields(errors))


@api.exception_handler(InvalidPayload)
def _invalid_payload(request, exc: InvalidPayload):
    errors = [{"pointer": e.pointer, "detail": e.message} for e in exc.errors]
    return problem_response(request, invalid_fields(errors))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    problem = Problem(
        401,
        _("Not authenticated"),
        _("Send a valid, unrevoked API token as 'Authorization: Bearer <token>'."),
        kind="not-authenticated",
        headers={"WWW-Authenticate": 'Bearer realm="aftersale"'},
    )
    return problem_response(request, problem)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, RequestDataTooBig):
        return _too_large(request, exc.__cause__)
    if exc.status_code == 400:
        problem = Problem(
            400,
            _("Malformed JSON"),
            _("The request body is not valid JSON (UTF-8, at most 1,000 levels deep)."),
            kind="malformed-json",
        )
    else:
        problem = Problem(exc.status_code, str(exc))
    return problem_response(request, problem)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    problem = Problem(
        413,
        _("Request too large"),
        _("The request body is larger than this server accepts; send smaller batches."),
        kind="request-too-large",
    )
    return problem_response(request, problem)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(request, not_found())


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem_response(request, Problem(403, _("Forbidden"), str(exc)))


@api.exception_handler(ConflictingWrite)
def _conflict(request, exc):
    problem = Problem(
        409,
        _("Conflicting write"),
        _("Another request changed the same objects at the same time; retry."),
        kind="conflict",
    )
    return problem_response(request, problem)


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("API error on %s", request.path)
    problem = Problem(500, _("Server error"), _("Something went wrong on our side."))
    return problem_response(request, problem)
