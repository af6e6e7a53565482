"""``Idempotency-Key``: a repeated POST with the same key gets the first response back.

The key is remembered per shop for a day. The same key with a different request is refused
(422); while the first request is still running a repeat gets 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.api.models import IdempotentRequest
from aftersale.api.problems import Problem

KEEP_FOR = timedelta(days=1)
# A first request that has not finished in this time is taken as dead (its process crashed).
ABANDONED_AFTER = timedelta(minutes=5)
HEADER = "Idempotency-Key"


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.body)
    return digest.hexdigest()


def _json_response(status: int, body: str, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: HttpRequest, handle: Callable[[], tuple[int, object]]) -> HttpResponse:
    """Run ``handle`` (returning status and JSON-able body) at most once per key."""
    key = request.headers.get(HEADER)
    if key is None:
        status, body = handle()
        return _json_response(status, json.dumps(body, ensure_ascii=False))
    if not key or len(key) > 255 or not key.isprintable():
        raise Problem(
            400,
            _("Bad Idempotency-Key"),
            _("The Idempotency-Key header must be 1–255 printable characters."),
            kind="bad-idempotency-key",
        )
    shop = request.shop
    fingerprint = _fingerprint(request)
    now = timezone.now()
    IdempotentRequest.objects.for_shop(shop).filter(created_at__lt=now - KEEP_FOR).delete()
    record = IdempotentRequest.objects.for_shop(shop).filter(key=key).first()
    if record is not None:
        if record.fingerprint != fingerprint:
            raise Problem(
                422,
                _("Idempotency-Key reused"),
                _("This Idempotency-Key was used for a different request."),
                kind="idempotency-key-reused",
            )
        if record.status is not None:
            return _json_response(record.status, record.body, replayed=True)
        if now - record.created_at < ABANDONED_AFTER:
            raise _in_progress()
        record.delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(shop=shop, key=key, fingerprint=fingerprint)
    except IntegrityError:
        raise _in_progress() from None
    try:
        status, body = handle()
    except BaseException:
        record.delete()
        raise
    text = json.dumps(body, ensure_ascii=False)
    record.status, record.body = status, text
    record.save(update_fields=["status", "body"])
    return _json_response(status, text)


def _in_progress() -> Problem:
    return Problem(
        409,
        _("Request in progress"),
        _("A request with this Idempotency-Key is still running; retry in a moment."),
        kind="idempotency-key-in-progress",
    )
