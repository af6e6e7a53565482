"""The CSV import reads files as spreadsheets write them and names lines as an editor shows
them: quoted cells over several lines, Excel's Finnish exports, other encodings, and an
order's rows that disagree."""

import io

import pytest

from aftersale.orders.csv_import import ImportFailed, import_orders_csv
from aftersale.orders.models import Order
from tests.api.samples import CSV_HEADER as HEADER
from tests.api.samples import GOOD_CSV as GOOD


def problems_of(shop, data: bytes):
    with pytest.raises(ImportFailed) as failed:
        import_orders_csv(shop, io.BytesIO(data))
    assert not Order.objects.exists()
    return [(p.row, p.column, p.message) for p in failed.value.problems]


def test_lines_are_counted_as_the_file_shows_them(shop_a):
    rows = (
        'A1,1001,2026-11-02T10:00:00,C1,aino@example.fi,Aino,,,0,L1,TEE,"T-shirt\nwith\nprint",'
        "1,1990\n"
        "A2,1002,2026-11-02T10:00:00,C2,eero@example.fi,Eero,,,0,L1,CAP,Cap,two,990\n"
    )
    assert [p[:2] for p in problems_of(shop_a.shop, (HEADER + rows).encode())] == [(5, "quantity")]


def test_a_file_in_neither_utf8_nor_windows_1252_names_its_line_and_how_to_save(shop_a):
    data = GOOD.encode() + b"A3,1003,2026-11-02T10:00:00,C3,x@example.fi,\x81,,,0,L1,C,Cap,1,9\n"
    [(line, column, message)] = problems_of(shop_a.shop, data)
    assert (line, column) == (5, "")
    assert "0x81" in message
    assert "CSV UTF-8" in message


def test_a_utf16_file_without_byte_order_mark_is_refused_with_how_to_save(shop_a):
    [(line, _column, message)] = problems_of(shop_a.shop, GOOD.encode("utf-16-le"))
    assert line == 1
    assert "Save the file as UTF-8" in message


FINNISH_EXCEL = (
    "order_id;order_number;placed_at;customer_id;email;first_name;marketing_consent;ship_city;"
    "shipping_cents;line_id;product_name;quantity;unit_price_cents\r\n"
    "A1;1001;2.11.2026 10.00;C1;aino@example.fi;Äino;kyllä;Äänekoski;590,00;L1;Paita;2;1 990\r\n"
    "A1;;;;;;;;;L2;Lippis;1;990\r\n"
)


def test_a_finnish_excel_export_is_read(shop_a):
    summary = import_orders_csv(shop_a.shop, io.BytesIO(FINNISH_EXCEL.encode("cp1252")))
    assert (summary.orders, summary.rows, summary.encoding, summary.delimiter) == (
        1, 2, "Windows-1252", ";",
    )  # fmt: skip
    order = Order.objects.for_shop(shop_a.shop).get()
    assert (order.ship_city, order.customer.first_name) == ("Äänekoski", "Äino")
    assert order.placed_at.isoformat() == "2026-11-02T08:00:00+00:00"  # Helsinki time
    assert (order.shipping_cents, order.subtotal_cents) == (590, 2 * 1990 + 990)
    assert order.customer.marketing_consent is True


def test_euros_with_a_decimal_comma_in_a_cents_column_get_exact_instructions(shop_a):
    data = FINNISH_EXCEL.replace(";1 990\r\n", ";19,90\r\n").encode("cp1252")
    [(line, column, message)] = problems_of(shop_a.shop, data)
    assert (line, column) == (2, "unit_price_cents")
    assert message == "must be a whole number of cents: write 1990 for 19.90, not 19,90"


def test_an_order_level_value_that_differs_on_a_later_line_is_an_error(shop_a):
    data = GOOD.replace("590,L2,CAP", "990,L2,CAP")
    [(line, column, message)] = problems_of(shop_a.shop, data.encode())
    assert (line, column) == (3, "shipping_cents")
    assert "“990” here but “590” on line 2" in message


def test_an_order_level_value_only_on_a_later_line_is_an_error(shop_a):
    data = GOOD.replace("aino@example.fi,Aino,posti,001234,590,L1", ",Aino,posti,001234,590,L1")
    [(line, column, _message)] = problems_of(shop_a.shop, data.encode())
    assert (line, column) == (3, "email")


def test_an_invalid_value_on_a_later_line_is_an_error(shop_a):
    data = GOOD.replace("590,L2,CAP", "lots,L2,CAP")
    assert [p[:2] for p in problems_of(shop_a.shop, data.encode())] == [(3, "shipping_cents")]


def test_a_duplicated_header_column_is_refused(shop_a):
    data = GOOD.replace("quantity,unit_price_cents", "quantity,quantity", 1)
    problems = problems_of(shop_a.shop, data.encode())
    assert (1, "quantity", "appears twice in the header (columns 13 and 14); keep one") in problems


def test_the_upload_page_says_how_an_excel_export_was_read(login, shop_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("tilaukset.csv", FINNISH_EXCEL.encode("cp1252"))
    body = login(shop_a.owner).post("/integrations/import/", {"file": upload}).content.decode()
    assert "Imported 1 orders from 2 rows" in body
    assert "The file was read as Windows-1252 text with “;” between the columns." in body


def test_a_number_of_thousands_of_digits_is_an_error_not_a_traceback(shop_a):
    data = GOOD.replace(",2,1990", "," + "9" * 5000 + ",1990")
    assert [p[:2] for p in problems_of(shop_a.shop, data.encode())] == [(2, "quantity")]
