"""Back-office Reviews → Import: staff check a CSV of old reviews (nothing stored, each bad line
named with its column and what to do) and import it, all rows or none; another shop's products
are not this shop's."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersale.reviews.models import Review
from tests.factories import ProductFactory, VariantFactory

URL = reverse("backoffice:reviews_import")
HEADER = "external_id,product_id,sku,rating,title,author,submitted_at,verified,status"
GOOD = f"""{HEADER}
old-1,TEE-1,TEE-M,5,Lämmin,Aino K.,2025-03-01T10:00:00+02:00,yes,published
old-2,TEE-1,,2,,Pekka,2.3.2025 12.00,no,pending
"""


def _catalogue(shop_a, shop_b):
    tee = ProductFactory(shop=shop_a.shop, external_id="TEE-1", name="Merino tee")
    VariantFactory(shop=shop_a.shop, product=tee, sku="TEE-M")
    ProductFactory(shop=shop_b.shop, external_id="B-ONLY")


def _post(client, text: str, action: str):
    upload = SimpleUploadedFile("reviews.csv", text.encode(), content_type="text/csv")
    return client.post(URL, {"file": upload, "action": action})


def _problems(html: str) -> list[list[str]]:
    table = html.split('id="import-problems"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    return [list(row) for row in rows]


def test_checking_a_good_file_previews_it_and_stores_nothing(login, shop_a, shop_b):
    _catalogue(shop_a, shop_b)
    client = login(shop_a.staff)
    assert "Import reviews from a CSV file" in client.get(URL).content.decode()
    response = _post(client, GOOD, "check")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 reviews: 2 new and 0 already imported" in html
    assert "<td>old-1 · Lämmin</td><td>TEE-1 (TEE-M)</td>" in html
    assert not Review.objects.exists()

    response = _post(client, GOOD, "import")
    assert "Imported 2 reviews: 2 new, 0 updated, 0 unchanged." in response.content.decode()
    assert Review.objects.filter(shop=shop_a.shop).count() == 2
    again = _post(client, GOOD, "check").content.decode()
    assert "2 reviews: 0 new and 2 already imported" in again


def test_a_bad_file_names_each_line_and_column_and_nothing_is_stored(login, shop_a, shop_b):
    _catalogue(shop_a, shop_b)
    bad = f"""{HEADER}
old-1,TEE-1,TEE-M,5,Lämmin,Aino K.,2025-03-01T10:00:00+02:00,yes,published
old-2,TEE-1,,six,,Pekka,2.3.2025 12.00,no,pending
old-1,TEE-1,,4,,Pekka,2.3.2025 12.00,maybe,pending
"""
    client = login(shop_a.staff)
    for action in ("check", "import"):
        response = _post(client, bad, action)
        assert response.status_code == 400
        assert _problems(response.content.decode()) == [
            ["3", "rating", "must be a whole number of stars from 1 to 5"],
            ["4", "external_id", "is also on line 2: each review once"],
            ["4", "verified", "must be yes or no"],
        ]
    assert not Review.objects.exists()


def test_another_shops_products_are_refused(login, shop_a, shop_b):
    _catalogue(shop_a, shop_b)
    foreign = f"{HEADER}\nold-1,B-ONLY,,5,,Aino,2025-03-01T10:00:00+02:00,no,published\n"
    client = login(shop_a.staff)
    for action in ("check", "import"):
        html = _post(client, foreign, action).content.decode()
        assert _problems(html) == [
            ["2", "product_id", "is not a product of this shop: import the catalogue first"]
        ]
    assert not Review.objects.exists()
    # shop A has its own "old-1" now; to shop B the same id is still new
    _post(client, GOOD, "import")
    other = _post(login(shop_b.staff), foreign, "check").content.decode()
    assert "1 review: 1 new and 0 already imported" in other
    assert "TEE-1" not in other


def test_it_needs_a_signed_in_member(client):
    response = client.get(URL)
    assert response.status_code == 302
