"""Rate limits and lockouts hold across every web process: three gunicorn workers share one
count (Redis when REDIS_URL is set, the database cache otherwise), never three."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from tests.security.conftest import required_service, scratch_postgres_database
from tests.security.servers import gunicorn

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/7")
API_LIMIT = 150


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        required_service("Redis", f"no server at {REDIS_URL}: {exc}")


@pytest.fixture(params=["redis", "sqlite-cache-table", "postgresql-cache-table"])
def server(request, tmp_path):
    env = {"CACHE_KEY_PREFIX": f"test-{os.getpid()}-{time.time_ns()}"}
    # Each count is a write to the shared store: a limit smaller than the default 1,200 keeps
    # the bursts short and proves the same thing.
    env["API_RATE_LIMIT_PER_MINUTE"] = str(API_LIMIT)
    with ExitStack() as stack:
        if request.param == "redis":
            redis_or_skip()
            env["REDIS_URL"] = REDIS_URL
        if request.param == "postgresql-cache-table":
            env["DATABASE_URL"] = stack.enter_context(scratch_postgres_database())
        running = stack.enter_context(gunicorn(tmp_path, workers=3, **env))
        running.api_limit = API_LIMIT
        yield running


def burst(count: int, call) -> list[int]:
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(lambda n: call(n), range(count)))


def orders(server, headers) -> int:
    return server.request("/api/v1/orders", headers=headers).status


def test_the_api_limit_per_token_holds_across_three_workers(server):
    headers = {"Authorization": f"Bearer {server.token}"}
    for _attempt in range(2):
        minute = int(time.time() // 60)
        statuses = burst(
            server.api_limit + 60,
            lambda n: server.request("/api/v1/orders", headers=headers).status,
        )
        ended = int(time.time() // 60)
        if ended == minute:
            break
        # The burst crossed into a new clock minute (a new window, already partly counted):
        # the next burst starts when the minute after that does.
        while int(time.time() // 60) == ended:
            time.sleep(0.2)
    else:
        pytest.fail("two bursts in a row crossed a minute boundary")
    assert statuses.count(200) == server.api_limit, {s: statuses.count(s) for s in set(statuses)}
    assert statuses.count(429) == 60
    reply = server.request("/api/v1/orders", headers=headers)
    assert reply.status == 429 and int(reply.headers["Retry-After"]) <= 60


def test_portal_lookup_limits_are_not_multiplied_by_the_workers(server):
    from aftersale.portal.access import FAILURES_PER_ADDRESS

    token = server.csrf("/s/limits/")

    def lookup(n: int) -> int:
        return server.request(
            "/s/limits/",
            data={"csrfmiddlewaretoken": token, "number": f"9{n:05}", "email": f"g{n}@example.fi"},
            headers={"Cookie": f"csrftoken={token}"},
        ).status

    statuses = burst(FAILURES_PER_ADDRESS * 3, lookup)
    assert statuses.count(400) == FAILURES_PER_ADDRESS
    assert statuses.count(429) == FAILURES_PER_ADDRESS * 2
