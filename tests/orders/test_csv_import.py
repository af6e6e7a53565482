"""The CSV import: all or nothing, with a report naming each bad row and column."""

import gc
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from aftersale.orders.csv_import import ImportFailed, import_orders_csv
from aftersale.orders.models import Order
from aftersale.timeline.models import Event
from tests.api.samples import CSV_HEADER as HEADER
from tests.api.samples import GOOD_CSV as GOOD
from tests.planner import forget_statistics, statistics_rows


def csv_file(text):
    return io.BytesIO(text.encode())


def test_it_imports_orders_with_their_lines(shop_a):
    summary = import_orders_csv(shop_a.shop, csv_file(GOOD))
    assert (summary.orders, summary.rows, summary.created) == (2, 3, 2)
    first = Order.objects.for_shop(shop_a.shop).get(external_id="A1")
    assert first.lines.count() == 2
    assert first.subtotal_cents == 2 * 1990 + 990
    assert first.placed_at.isoformat() == "2026-11-02T08:00:00+00:00", "shop time, Helsinki"
    assert first.pickup_point.code == "001234"
    assert Event.objects.filter(type="order.placed").count() == 2


def test_the_query_planner_has_statistics_after_an_import(shop_a, tmp_path):
    tables = ("orders_customer", "orders_order", "orders_orderline", "timeline_event")
    forget_statistics(*tables)
    assert statistics_rows("orders_order") == 0
    path = tmp_path / "orders.csv"
    path.write_text(GOOD)
    call_command("import_orders", str(path), "--shop", shop_a.shop.slug, "--no-progress")
    for table in tables:
        assert statistics_rows(table) > 0, f"{table} was not analysed"


def test_a_second_import_of_the_same_file_changes_nothing(shop_a):
    import_orders_csv(shop_a.shop, csv_file(GOOD))
    summary = import_orders_csv(shop_a.shop, csv_file(GOOD))
    assert (summary.created, summary.updated) == (0, 0)


def test_it_imports_nothing_and_names_every_bad_row_and_column(shop_a):
    bad = HEADER + (
        "A1,1001,2026-11-02T10:00:00,C1,aino@example.fi,Aino,,,590,L1,TEE-M,T-shirt,two,1990\n"
        "A2,1002,someday,C2,eero@,Eero,,,0,L1,CAP,Cap,1,990\n"
        "A3,1003,2026-11-02T10:00:00,C3,,,,,0,L1,CAP,Cap,1,9.90\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_orders_csv(shop_a.shop, csv_file(bad))
    where = [(p.row, p.column) for p in failed.value.problems]
    assert where == [(2, "quantity"), (3, "email"), (3, "placed_at"), (4, "unit_price_cents")]
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {"quantity": "must be a whole number", "email": "is not a valid e-mail address",
                "placed_at": "must be a date and time such as 2026-11-02T10:00:00+02:00",
                "currency": "must be a three-letter currency code such as EUR"}),
        ("fi", {"quantity": "on oltava kokonaisluku",
                "email": "ei ole kelvollinen sähköpostiosoite",
                "placed_at": "on oltava päivä ja aika muodossa 2026-11-02T10:00:00+02:00",
                "currency": "on oltava kolmikirjaiminen valuuttakoodi, esimerkiksi EUR"}),
        ("sv", {"quantity": "måste vara ett heltal", "email": "är inte en giltig e-postadress",
                "placed_at": "måste vara datum och tid som 2026-11-02T10:00:00+02:00",
                "currency": "måste vara en valutakod med tre bokstäver, till exempel EUR"}),
    ],
)  # fmt: skip
def test_the_report_is_written_in_the_readers_language(shop_a, language, expected):
    bad = (
        "order_id,order_number,placed_at,customer_id,email,first_name,currency,line_id,"
        "product_name,quantity,unit_price_cents\n"
        "A1,1001,someday,C1,aino@,Aino,euro,L1,T-shirt,two,1990\n"
    )
    with translation.override(language), pytest.raises(ImportFailed) as failed:
        import_orders_csv(shop_a.shop, csv_file(bad))
    assert {p.column: p.message for p in failed.value.problems} == expected


def test_the_import_runs_without_garbage_collector_passes(shop_a):
    """The collector's passes over the checked rows cost a third of an import (bench/ingest)."""
    rows = "".join(
        f"A{n},{n},2026-11-02T10:00:00,C{n},c{n}@example.fi,Aino,,,0,L1,CAP,Cap,1,990\n"
        for n in range(500)
    )
    passes = []

    def count(phase, info):
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(count)
    try:
        summary = import_orders_csv(shop_a.shop, csv_file(HEADER + rows))
    finally:
        gc.callbacks.remove(count)
    assert summary.created == 500
    # At most the one pass the collector makes as it resumes (without the pause: dozens).
    assert len(passes) <= 1, passes
    assert gc.isenabled()


def test_it_names_unknown_and_missing_columns(shop_a):
    with pytest.raises(ImportFailed) as failed:
        import_orders_csv(shop_a.shop, csv_file("order_id,colour\nA1,red\n"))
    problems = {(p.column, p.message) for p in failed.value.problems}
    assert ("colour", "unknown column") in problems
    assert ("placed_at", "required column is missing") in problems


def test_it_refuses_a_file_that_is_not_utf8(shop_a):
    with pytest.raises(ImportFailed):
        import_orders_csv(shop_a.shop, io.BytesIO(b"\xff\xfe\x00o\x00r"))


def test_the_command_imports_a_file(shop_a, tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text(GOOD)
    call_command("import_orders", str(path), "--shop", "pohjola")
    assert "Imported 2 orders from 3 rows" in capsys.readouterr().out
    assert Order.objects.for_shop(shop_a.shop).count() == 2


def test_the_command_reports_bad_rows_and_fails(shop_a, tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text(GOOD.replace(",2,1990", ",-2,1990"))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_orders", str(path), "--shop", "pohjola")
    assert "line 2, quantity" in capsys.readouterr().err


def test_the_command_names_an_unknown_shop(db, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="No shop"):
        call_command("import_orders", str(path), "--shop", "nope")


CODES_HEADER = (
    "order_id,placed_at,customer_id,email,discount_codes,line_id,product_name,unit_price_cents\n"
)


def test_the_discount_codes_column_reaches_the_orders_event(shop_a):
    text = CODES_HEADER + (
        'A1,2026-11-02T10:00:00,C1,aino@example.fi,"LOYAL-1, welcome-2",L1,Tee,1990\n'
        "A1,,,,,L2,Cap,990\n"
        "A2,2026-11-02T11:00:00,C2,eero@example.fi,SPRING|EXTRA,L1,Cap,990\n"
    )
    import_orders_csv(shop_a.shop, csv_file(text))
    payloads = {
        e.payload["external_id"]: e.payload
        for e in Event.objects.filter(type="order.placed").order_by("id")
    }
    assert payloads["A1"]["discount_codes"] == ["LOYAL-1", "welcome-2"]
    assert payloads["A2"]["discount_codes"] == ["EXTRA", "SPRING"]


def test_bad_discount_codes_are_named_by_line_and_nothing_is_imported(shop_a):
    text = CODES_HEADER + (
        "A1,2026-11-02T10:00:00,C1,aino@example.fi,OK-1,L1,Tee,1990\n"
        f"A2,2026-11-02T11:00:00,C2,eero@example.fi,{'X' * 70},L1,Cap,990\n"
        "A3,2026-11-02T12:00:00,C3,o@example.fi,"
        + " ".join(f"C{n}" for n in range(21))
        + ",L1,Cap,990\n"
        "A1,,,,OTHER,L2,Cap,990\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_orders_csv(shop_a.shop, csv_file(text))
    problems = [(p.row, p.column) for p in failed.value.problems]
    assert problems == [(3, "discount_codes"), (4, "discount_codes"), (5, "discount_codes")]
    assert "longer than 64" in str(failed.value) and "at most 20" in str(failed.value)
    assert not Order.objects.exists()
