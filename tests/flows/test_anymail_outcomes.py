"""The same outcomes through an Anymail provider: Postmark's real backend talks HTTP to a
local stand-in for its API that answers with Postmark's own error responses."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aftersale.flows.models import Message, Suppression
from tests.factories import CustomerFactory
from tests.flows.conftest import worker_pass
from tests.flows.helpers import marketing_flow, place_order, turn_off_builtins

INACTIVE = (
    "You tried to send to recipient(s) that have been marked as inactive.\n"
    "Found inactive addresses: {to}.\n"
    "Inactive recipients are ones that have generated a hard bounce or a spam complaint."
)


class PostmarkStandIn:
    """Answers POST /email with ``self.answer`` (status, body) for the next request."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict]] = []
        self.received: list[dict] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stand_in.received.append(payload)
                status, body = stand_in.answers.pop(0) if stand_in.answers else (200, None)
                if body is None:
                    body = {
                        "To": payload["To"],
                        "MessageID": f"pm-{len(stand_in.received)}",
                        "ErrorCode": 0,
                        "Message": "OK",
                    }
                data = json.dumps(body).replace("{to}", payload["To"]).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def postmark(settings):
    stand_in = PostmarkStandIn()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "POSTMARK_SERVER_TOKEN": "test-token",
        "POSTMARK_API_URL": stand_in.url,
    }
    settings.SITE_URL = "https://aftersale.example"
    yield stand_in
    stand_in.stop()


@pytest.fixture
def shop(shop_a):
    turn_off_builtins(shop_a.shop)
    marketing_flow(shop_a.shop, wait=None)
    return shop_a.shop


def test_a_provider_5xx_is_retried_and_then_sent(shop, postmark, clock):
    place_order(shop, CustomerFactory(shop=shop, marketing_consent=True))
    postmark.answers.append((503, {"ErrorCode": 100, "Message": "Maintenance"}))
    worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.RETRYING
    assert "503" in message.last_error and message.failure_class == "temporary"

    clock.shift(timedelta(seconds=61))
    worker_pass()
    message.refresh_from_db()
    assert message.state == Message.State.SENT and message.provider_id == "pm-2"


def test_a_provider_422_is_given_up_at_once(shop, postmark, clock):
    place_order(shop, CustomerFactory(shop=shop, marketing_consent=True))
    postmark.answers.append((422, {"ErrorCode": 300, "Message": "Invalid email request"}))
    worker_pass()
    clock.shift(timedelta(hours=2))
    worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.FAILED and message.failure_class == "permanent"
    assert "Invalid email request" in message.last_error
    assert len(postmark.received) == 1
    assert not Suppression.objects.exists()


def test_an_inactive_recipient_is_suppressed_like_a_bounce(shop, postmark, clock):
    customer = CustomerFactory(shop=shop, marketing_consent=True)
    place_order(shop, customer)
    postmark.answers.append((422, {"ErrorCode": 406, "Message": INACTIVE}))
    worker_pass()
    message = Message.objects.get()
    assert message.state == Message.State.BOUNCED and message.failure_class == "bounce"
    assert "AnymailRecipientsRefused" in message.last_error
    assert Suppression.objects.filter(
        address=customer.email.lower(), reason=Suppression.Reason.HARD_BOUNCE
    ).exists()
