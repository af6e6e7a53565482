"""aftersale import-reviews: old reviews with their verification status, all or nothing,
row-numbered errors, idempotent by external id."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from aftersale.reviews.models import Review, ReviewSource, ReviewStatus, Verification
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import OrderLineFactory, ProductFactory, VariantFactory

COLUMNS = "external_id product_id sku rating title body author submitted_at verified status"
HEADER = ",".join([*COLUMNS.split(), "reply", "order_id"])


@pytest.fixture
def catalogue(shop_a, shop_b):
    tee = ProductFactory(shop=shop_a.shop, external_id="TEE-1")
    VariantFactory(shop=shop_a.shop, product=tee, sku="TEE-M")
    ProductFactory(shop=shop_b.shop, external_id="B-ONLY")
    return tee


def _import(tmp_path, text: str, shop="pohjola", name="reviews.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("import_reviews", str(path), shop=shop, stdout=open(tmp_path / "out", "w"),
                 stderr=open(tmp_path / "err", "w"))  # fmt: skip
    return (tmp_path / "out").read_text()


def _errors(tmp_path) -> list[str]:
    return (tmp_path / "err").read_text().splitlines()


GOOD = f"""{HEADER}
old-1,TEE-1,TEE-M,5,Lämmin,"Hyvä paita,
pehmeä",Aino K.,2025-03-01T10:00:00+02:00,yes,published,Kiitos!,
old-2,TEE-1,,2,,Pieni,Pekka,2.3.2025 12.00,no,pending,,
"""


def test_it_imports_reviews_with_their_verification_status(tmp_path, shop_a, catalogue):
    out = _import(tmp_path, GOOD)
    assert "2 new" in out
    first = Review.objects.get(shop=shop_a.shop, external_id="old-1")
    assert first.verified_buyer and first.verification == Verification.IMPORTED_VERIFIED
    assert first.source == ReviewSource.IMPORTED and first.status == ReviewStatus.PUBLISHED
    assert first.body == "Hyvä paita,\npehmeä" and first.shop_reply == "Kiitos!"
    assert first.variant.sku == "TEE-M" and first.published_at == first.submitted_at
    second = Review.objects.get(shop=shop_a.shop, external_id="old-2")
    assert not second.verified_buyer
    assert second.verification == Verification.IMPORTED_UNVERIFIED
    assert second.status == ReviewStatus.PENDING and second.published_at is None
    assert second.submitted_at.isoformat() == "2025-03-02T10:00:00+00:00"  # shop time
    kinds = sorted(Event.objects.filter(shop=shop_a.shop).values_list("type", flat=True))
    assert kinds == [types.REVIEW_PUBLISHED, types.REVIEW_SUBMITTED, types.REVIEW_SUBMITTED]


def test_importing_the_same_file_again_changes_nothing(tmp_path, shop_a, catalogue):
    _import(tmp_path, GOOD)
    before = list(Review.objects.values_list("id", "updated_at"))
    events = Event.objects.count()
    out = _import(tmp_path, GOOD)
    assert "0 new, 0 updated, 2 unchanged" in out
    assert list(Review.objects.values_list("id", "updated_at")) == before
    assert Event.objects.count() == events
    corrected = _import(tmp_path, GOOD.replace("old-2,TEE-1,,2,", "old-2,TEE-1,,3,"))
    assert "1 updated" in corrected
    assert Review.objects.get(external_id="old-2").rating == 3


def test_it_names_every_bad_row_and_stores_nothing(tmp_path, shop_a, catalogue):
    bad = f"""{HEADER}
ok-1,TEE-1,,5,,,A,2025-03-01T10:00:00+02:00,yes,,,
bad-1,TEE-1,,6,,,A,2025-03-01T10:00:00+02:00,maybe,,,
bad-2,,,4,,,A,yesterday,,,,
ok-1,TEE-1,,4,,,A,2025-03-01T10:00:00+02:00,,,,
"""
    with pytest.raises(CommandError, match="Nothing was imported: 5 problem"):
        _import(tmp_path, bad)
    errors = _errors(tmp_path)
    assert "line 3, rating: must be a whole number of stars from 1 to 5" in errors
    assert "line 3, verified: must be yes or no" in errors
    assert "line 4, product_id: is required" in errors
    assert any(e.startswith("line 4, submitted_at: is not a time") for e in errors)
    assert "line 5, external_id: is also on line 2: each review once" in errors
    assert not Review.objects.exists()


def test_it_refuses_another_shops_product_and_unknown_references(tmp_path, shop_a, catalogue):
    text = f"""{HEADER}
x-1,B-ONLY,,5,,,A,2025-03-01T10:00:00+02:00,,,,
x-2,TEE-1,NOPE,5,,,A,2025-03-01T10:00:00+02:00,,,,missing-order
"""
    with pytest.raises(CommandError):
        _import(tmp_path, text)
    errors = _errors(tmp_path)
    assert errors[0].startswith("line 2, product_id: is not a product of this shop")
    assert "line 3, order_id: is not an order of this shop" in errors
    assert "line 3, sku: is not a variant of this product" in errors
    assert not Review.objects.exists()


def test_an_unknown_column_or_a_missing_one_is_named(tmp_path, shop_a, catalogue):
    with pytest.raises(CommandError):
        _import(tmp_path, "external_id,product_id,stars\nx,TEE-1,5\n")
    errors = _errors(tmp_path)
    assert "line 1, stars: unknown column" in errors
    assert "line 1, rating: required column is missing" in errors
    assert "line 1, submitted_at: required column is missing" in errors


def test_it_links_the_order_line_when_the_order_is_known(tmp_path, shop_a, catalogue):
    line = OrderLineFactory(
        order__shop=shop_a.shop, order__external_id="A1", variant__product=catalogue
    )
    _import(tmp_path, f"{HEADER}\nl-1,TEE-1,,4,,,A,2025-03-01T10:00:00+02:00,yes,,,A1\n")
    imported = Review.objects.get(external_id="l-1")
    assert imported.order_line == line and imported.customer == line.order.customer
    # Still the file's verification status, not "bought here".
    assert imported.verification == Verification.IMPORTED_VERIFIED
