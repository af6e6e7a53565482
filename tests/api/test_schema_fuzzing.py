"""Schema fuzzing: generated requests, valid and invalid, never make the API answer 5xx.

Schemathesis reads /api/v1/openapi.json and calls every operation in process through the WSGI
app with a bounded number of examples, so the run stays well under a minute.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from aftersale.core.services import create_api_token
from aftersale.wsgi import application


# Only the fuzzing phase (valid and invalid data), bounded: the exhaustive coverage phase
# would take minutes on a 2-core machine.
def fuzzing_only(generation: dict) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": False},
                "stateful": {"enabled": False},
            },
            "generation": generation,
        }
    )


CONFIG = fuzzing_only({"mode": "all"})


def bounded(examples: int):
    """A fixed number of examples per operation, the same ones every run."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def gtin_with_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


# The schema says a GTIN's shape (format "gtin" and a pattern); its check digit, which no
# pattern can say, is what the API checks besides: valid data carries a right one.
schemathesis.openapi.format(
    "gtin",
    st.one_of(
        st.just(""),
        st.sampled_from([7, 11, 12, 13]).flatmap(
            lambda n: st.from_regex(rf"\A[0-9]{{{n}}}\Z").map(gtin_with_check_digit)
        ),
    ),
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


def errors_are_problem_json(ctx, response, case):
    """Every 4xx answer is RFC 9457 problem+json."""
    if 400 <= response.status_code < 500:
        headers = {name.lower(): value for name, value in response.headers.items()}
        content_type = headers.get("content-type", "")
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), (
            f"{response.status_code} answered with {content_type}"
        )


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: requests must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(shop_a, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    return create_api_token(shop_a.shop, name="fuzz")[1]


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@bounded(10)
def test_no_request_makes_a_server_error(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, errors_are_problem_json],
    )


# Valid data only: every request the schema allows must be accepted (2xx, or 404 for an id or
# reference the shop does not have), and every answer must be one the schema documents.
# JSON text is UTF-8 (RFC 8259): no lone surrogate halves, which the API refuses.
POSITIVE = fuzzing_only({"mode": "positive", "codec": "utf-8"})
positive_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", application, config=POSITIVE
)


@pytest.mark.slow
@pytest.mark.django_db
@positive_schema.parametrize()
@bounded(3)
def test_valid_requests_are_accepted_and_every_answer_is_documented(case, token):
    if case.query:  # a cursor is opaque: only a next_cursor the API gave is one
        case.query.pop("cursor", None)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            positive_data_acceptance,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
