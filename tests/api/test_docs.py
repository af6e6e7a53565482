import re


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


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client, db):
    """Measured: the docs were blank offline, because Swagger UI came from a CDN."""
    page = client.get("/api/v1/docs").content.decode()
    external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', page)
    assert external == []
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith("swagger-ui.css") for asset in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, asset
