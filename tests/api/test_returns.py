from tests.factories import ReturnLineFactory


def test_it_lists_and_reads_returns_of_its_own_shop(api, shop_a, shop_b):
    line = ReturnLineFactory(return_request__order__shop=shop_a.shop)
    code = line.return_request.code
    body = api(shop_a.shop).get("/returns").json()
    assert [r["code"] for r in body["items"]] == [code]
    one = api(shop_a.shop).get(f"/returns/{code}").json()
    assert one["lines"][0]["reason"] == "too_small"
    assert api(shop_b.shop).get(f"/returns/{code}").status_code == 404
    assert api(shop_b.shop).get("/returns").json()["items"] == []
