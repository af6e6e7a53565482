"""The OpenAPI document's error responses: every problem+json answer an operation can give,
with its status and problem types, so that clients can be generated and fuzzers can check us.

django-ninja documents the 2xx answers it is told of; this adds, per operation, the 4xx ones
that the API's own layers produce (authentication, rate limits, body checks, validation,
idempotency, not found) with a shared ``Problem`` schema.
"""

from __future__ import annotations

from typing import Any

from aftersale.api.problems import PROBLEM_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details (application/problem+json).",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "What kind of problem; see the list below."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What to do about it, in a sentence."},
        "instance": {"type": "string", "description": "The request's path."},
        "errors": {
            "type": "array",
            "description": "Each failing field: a JSON pointer into the body, or a parameter.",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "pointer": {"type": "string", "examples": ["/lines/0/quantity"]},
                    "parameter": {"type": "string", "examples": ["updated_since"]},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}

# kind: (status, what it means)
KINDS = {
    "malformed-json": (400, "The body is not JSON (UTF-8, at most 1,000 levels deep)."),
    "empty-body": (400, "The operation takes a JSON body and the request had none."),
    "bad-cursor": (400, "The cursor is not a next_cursor of this API."),
    "bad-idempotency-key": (400, "Idempotency-Key is not 1–255 printable characters."),
    "not-authenticated": (401, "No valid, unrevoked token in Authorization: Bearer."),
    "bad-signature": (401, "The webhook signature is missing or wrong."),
    "not-found": (404, "No such object in the token's shop."),
    "unknown-reference": (404, "The body refers to an object the shop has not sent; see errors."),
    "conflict": (409, "Another request changed the same objects at the same time; retry."),
    "idempotency-key-in-progress": (409, "A request with this key is still running."),
    "length-required": (411, "The body was sent in chunks; send it with Content-Length."),
    "request-too-large": (413, "The body is larger than the server accepts."),
    "batch-too-large": (413, "A batch holds at most 1,000 objects."),
    "invalid-fields": (422, "Fields or parameters are missing or not valid; see errors."),
    "idempotency-key-reused": (422, "The Idempotency-Key was used for a different request."),
    "rate-limited": (429, "Too many requests by this token this minute; see Retry-After."),
}


def _kinds_of(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    names = {p["name"] for p in parameters}
    kinds = []
    if operation.get("security"):
        kinds += ["not-authenticated", "rate-limited"]
    elif "/webhooks/" in path:
        kinds.append("bad-signature")
    if method == "post":
        kinds += ["malformed-json", "empty-body", "length-required", "request-too-large"]
        kinds += ["invalid-fields", "conflict"]
        if operation.get("security") and "import" not in path:
            kinds.append("unknown-reference")
        if operation.get("security") and "import" not in path:
            kinds += ["bad-idempotency-key", "idempotency-key-in-progress"]
            kinds.append("idempotency-key-reused")
        if path.endswith("/batch"):
            kinds.append("batch-too-large")
        if any(p["in"] == "path" for p in parameters):
            kinds.append("not-found")
    else:
        if parameters:
            kinds.append("invalid-fields")
        if "cursor" in names:
            kinds.append("bad-cursor")
        if any(p["in"] == "path" for p in parameters) or path.endswith("/best"):
            kinds.append("not-found")
    return kinds


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema and each operation's error responses to ``schema``."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            by_status: dict[int, list[str]] = {}
            for kind in _kinds_of(path, method, operation):
                by_status.setdefault(KINDS[kind][0], []).append(kind)
            responses = operation.setdefault("responses", {})
            for status, kinds in sorted(by_status.items()):
                lines = [f"- `{PROBLEM_TYPE}{kind}`: {KINDS[kind][1]}" for kind in kinds]
                responses[str(status)] = {
                    "description": "Problem types:\n" + "\n".join(lines),
                    "content": {
                        "application/problem+json": {
                            "schema": {
                                "allOf": [
                                    {"$ref": "#/components/schemas/Problem"},
                                    {
                                        "properties": {
                                            "type": {
                                                "enum": [PROBLEM_TYPE + kind for kind in kinds]
                                            },
                                            "status": {"const": status},
                                        }
                                    },
                                ]
                            }
                        }
                    },
                }
    return schema
