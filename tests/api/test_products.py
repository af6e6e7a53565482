from aftersale.catalog.models import Product, ProductRelation, Variant


def product(external_id="p1", **overrides):
    body = {
        "external_id": external_id,
        "name": "Trail shoe",
        "brand": "Pohjola",
        "category": {"external_id": "shoes", "name": "Shoes"},
        "variants": [
            {"external_id": f"{external_id}-42", "sku": f"{external_id}-42", "size": "42",
             "price_cents": 12900},
            {"external_id": f"{external_id}-43", "sku": f"{external_id}-43", "size": "43",
             "price_cents": 12900},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


def test_it_creates_products_with_variants_and_accessories(api, shop_a):
    client = api(shop_a.shop)
    response = client.post(
        "/products/batch",
        {"items": [product("socks", variants=[]), product("p1", accessories=["socks"])]},
    )
    assert response.status_code == 200, response.content
    shoe = Product.objects.for_shop(shop_a.shop).get(external_id="p1")
    assert shoe.category.name == "Shoes"
    assert sorted(v.size for v in shoe.variants.all()) == ["42", "43"]
    assert [link.related.external_id for link in shoe.relations.all()] == ["socks"]


def test_it_replays_and_updates_a_product(api, shop_a):
    client = api(shop_a.shop)
    client.post("/products", product())
    assert client.post("/products", product()).json()["changed"] is False
    changed = product()
    changed["variants"][0]["price_cents"] = 9900
    assert client.post("/products", changed).json()["changed"] is True
    assert Variant.objects.get(external_id="p1-42").price_cents == 9900


def test_it_refuses_a_sku_of_another_variant(api, shop_a):
    client = api(shop_a.shop)
    client.post("/products", product())
    clash = product("p2")
    clash["variants"][0]["sku"] = "p1-42"
    response = client.post("/products", clash)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/variants/0/sku"


def test_it_refuses_an_unknown_accessory(api, shop_a):
    response = api(shop_a.shop).post("/products", product(accessories=["ghost"]))
    assert response.status_code == 404
    assert response.json()["errors"][0]["pointer"] == "/accessories/0"
    assert ProductRelation.objects.count() == 0


def test_it_never_links_another_shops_product(api, shop_a, shop_b):
    api(shop_b.shop).post("/products", product("socks", variants=[]))
    response = api(shop_a.shop).post("/products", product(accessories=["socks"]))
    assert response.status_code == 404
