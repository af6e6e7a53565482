"""What the API reads: ids with any characters, and bodies it can or cannot read."""

from urllib.parse import quote

import pytest

from aftersale.orders.models import Order
from tests.api.samples import order_payload

ODD_IDS = ["a/b", "2026/11/1001", "50%off", "%2F", "with space", "tilaus ÄÖ/ö", "注文-1", "x/flags"]


@pytest.mark.parametrize("external_id", ODD_IDS)
def test_an_order_id_with_any_characters_reads_back(api, shop_a, external_id):
    client = api(shop_a.shop)
    assert client.post("/orders", order_payload(external_id)).status_code == 201
    response = client.get("/orders/" + quote(external_id, safe=""))
    assert response.status_code == 200
    assert response.json()["external_id"] == external_id
    listed = client.get("/orders", {"external_id": external_id}).json()["items"]
    assert [order["external_id"] for order in listed] == [external_id]


@pytest.mark.parametrize("external_id", ["c/1", "50% off", "Åsa ö"])
def test_a_customer_id_with_any_characters_reads_back_with_its_flags(api, shop_a, external_id):
    client = api(shop_a.shop)
    client.post("/customers", {"external_id": external_id})
    path = "/customers/" + quote(external_id, safe="")
    assert client.get(path).json()["external_id"] == external_id
    assert client.get(path + "/flags").json()["external_id"] == external_id


def test_a_shipment_id_with_a_slash_reads_back(api, shop_a):
    client = api(shop_a.shop)
    client.post("/orders", order_payload())
    client.post("/shipments", {"external_id": "JJ/1", "order_external_id": "1001",
                               "carrier": "posti"})  # fmt: skip
    assert client.get("/shipments/JJ%2F1").json()["external_id"] == "JJ/1"


def test_another_shops_odd_id_is_not_found(api, shop_a, shop_b):
    api(shop_b.shop).post("/orders", order_payload("a/b"))
    response = api(shop_a.shop).get("/orders/a%2Fb")
    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")
    assert api(shop_a.shop).get("/orders", {"external_id": "a/b"}).json()["items"] == []


def test_a_chunked_body_is_refused_with_411(api, shop_a):
    client = api(shop_a.shop)
    # What a WSGI server hands Django for "Transfer-Encoding: chunked": no Content-Length.
    response = client.client.post(
        "/api/v1/orders",
        b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert response.status_code == 411
    assert response.json()["type"] == "urn:aftersale:problem:length-required"
    assert not Order.objects.exists()


def test_an_empty_body_is_a_400(api, shop_a):
    response = api(shop_a.shop).post("/orders", b"", raw=True)
    assert response.status_code == 400
    assert response.json()["type"] == "urn:aftersale:problem:empty-body"


def test_a_read_takes_no_body_check(api, shop_a):
    response = api(shop_a.shop).post("/orders/1001", b"", raw=True)
    assert (response.status_code, response["Allow"]) == (405, "GET")


@pytest.mark.slow
def test_a_chunked_body_through_gunicorn_is_refused_with_411(tmp_path):
    """The real WSGI server: gunicorn passes a chunked body with no Content-Length."""
    import os
    import re
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aftersale.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "SECRET_KEY": "test-" + "x" * 50,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "localhost",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1",
         "aftersale.wsgi:application"],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline, port = time.monotonic() + 60, None
        while port is None and time.monotonic() < deadline:
            line = server.stderr.readline()
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            port = int(found[1]) if found else None
        assert port, "gunicorn did not start"
        body = b'{"external_id": "1"}'
        request = (
            b"POST /api/v1/orders HTTP/1.1\r\nHost: localhost\r\n"
            b"Authorization: Bearer as_nothing\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + f"{len(body):x}\r\n".encode()
            + body
            + b"\r\n0\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(request)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 411"), answer[:200]
        assert b"urn:aftersale:problem:length-required" in answer
    finally:
        server.terminate()
        server.wait(timeout=30)
