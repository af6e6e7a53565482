def test_the_openapi_docs_are_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/orders", "/api/v1/orders/batch", "/api/v1/products/batch",
                 "/api/v1/tracking-events", "/api/v1/returns/{code}"):  # fmt: skip
        assert path in paths
    assert (
        "BearerAuth" in str(spec["components"]["securitySchemes"])
        or spec["components"]["securitySchemes"]
    )
