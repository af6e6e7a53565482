"""A customer finds an order by its number and e-mail; nobody can enumerate orders."""

from __future__ import annotations

from aftersale.portal import access
from tests.returns.fixtures import delivered_order


def test_it_speaks_the_browsers_language(client, shop_a):
    finnish = client.get("/s/pohjola/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert 'lang="fi"' in finnish
    assert "Etsi tilauksesi" in finnish
    swedish = client.get("/s/pohjola/", HTTP_ACCEPT_LANGUAGE="sv-FI,sv;q=0.9").content.decode()
    assert "Hitta din beställning" in swedish


def test_the_customer_can_switch_language(client, shop_a):
    client.post("/i18n/setlang/", {"language": "sv", "next": "/s/pohjola/"})
    body = client.get("/s/pohjola/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Hitta din beställning" in body


def test_an_unknown_shop_is_not_found(client, db):
    assert client.get("/s/no-such-shop/").status_code == 404


def test_it_finds_the_order_with_number_and_email_in_any_case(client, shop_a):
    order = delivered_order(shop_a.shop, email="Aino.Virtanen@Example.fi")
    response = client.post(
        "/s/pohjola/", {"number": f"#{order.number} ", "email": " aino.virtanen@example.FI"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/s/pohjola/orders/{order.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_wrong_email_and_an_unknown_number_get_the_same_answer(client, shop_a):
    order = delivered_order(shop_a.shop)
    wrong_email = client.post("/s/pohjola/", {"number": order.number, "email": "x@example.fi"})
    unknown = client.post("/s/pohjola/", {"number": "999999", "email": order.customer.email})
    assert wrong_email.status_code == unknown.status_code == 400
    message = "We could not find an order with that number and e-mail address."
    assert message in wrong_email.content.decode()
    assert message in unknown.content.decode()


def test_another_shops_order_cannot_be_found_here(client, shop_a, shop_b):
    order = delivered_order(shop_b.shop)
    response = client.post("/s/pohjola/", {"number": order.number, "email": order.customer.email})
    assert response.status_code == 400


def test_guessing_at_one_order_locks_the_guesser_out_of_it_not_the_customer(client, shop_a):
    order = delivered_order(shop_a.shop)
    guesser = {"REMOTE_ADDR": "203.0.113.66"}
    for n in range(access.FAILURES_PER_ORDER):
        client.post("/s/pohjola/", {"number": order.number, "email": f"g{n}@example.fi"}, **guesser)
    right_pair = {"number": order.number, "email": order.customer.email}
    response = client.post("/s/pohjola/", right_pair, **guesser)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "sign-in link" in response.content.decode()
    customer = client.post("/s/pohjola/", right_pair, REMOTE_ADDR="198.51.100.20")
    assert customer.status_code == 302


def test_too_many_attempts_from_one_address_are_refused(client, shop_a):
    for n in range(access.FAILURES_PER_ADDRESS):
        client.post("/s/pohjola/", {"number": "1", "email": f"guess{n}@example.fi"})
    response = client.post("/s/pohjola/", {"number": "1", "email": "another@example.fi"})
    assert response.status_code == 429


def test_behind_a_proxy_each_customer_is_counted_by_their_own_address(client, shop_a, settings):
    settings.PROXY_HOPS = 1
    # Everyone arrives from the proxy's address; the proxy appends the client's.
    for n in range(access.FAILURES_PER_ADDRESS):
        client.post(
            "/s/pohjola/",
            {"number": "1", "email": f"guess{n}@example.fi"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"{n}.1.1.1, 203.0.113.7",  # a made-up left part changes nothing
        )
    guesser = client.post(
        "/s/pohjola/",
        {"number": "1", "email": "another@example.fi"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert guesser.status_code == 429
    neighbour = client.post(
        "/s/pohjola/",
        {"number": "1", "email": "neighbour@example.fi"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert neighbour.status_code == 400  # not found, but not refused


def test_bad_input_names_the_field(client, shop_a):
    response = client.post("/s/pohjola/", {"number": "", "email": "not-an-address"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert "Enter a valid email address." in body


def test_email_comparison_is_constant_time_over_digests():
    assert access.same_email("Aino@Example.fi ", "aino@example.fi")
    assert not access.same_email("aino@example.fi", "aino@example.f")
