"""Errors as RFC 9457 problem details (``application/problem+json``).

Every failing field is named by a JSON pointer into the request body (``/lines/0/sku``) or, for
a query parameter, by its name, so a developer can fix the request without guessing.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

PROBLEM_TYPE = "urn:aftersale:problem:"


class Problem(Exception):
    """An error to answer with: status, a short title, a detail and the failing fields."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        kind: str = "",
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(request: HttpRequest, problem: Problem) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + problem.kind if problem.kind else "about:blank",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail or problem.title,
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=problem.status,
        content_type="application/problem+json",
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


def invalid_fields(errors: list[dict], detail: str = "") -> Problem:
    return Problem(
        422,
        _("Invalid fields"),
        detail or _("Some fields are missing or not valid; see errors."),
        kind="invalid-fields",
        errors=errors,
    )


def not_found(detail: str = "") -> Problem:
    return Problem(
        404, _("Not found"), detail or _("No such object in this shop."), kind="not-found"
    )
