"""Sample payloads the API, service and CSV tests share."""


def order_payload(external_id="1001", **overrides):
    payload = {
        "external_id": external_id,
        "number": f"#{external_id}",
        "placed_at": "2026-11-02T10:00:00+02:00",
        "currency": "EUR",
        "shipping_cents": 590,
        "delivery_method": "pickup_point",
        "carrier": "posti",
        "pickup_point": {"carrier": "posti", "code": "001234", "name": "K-Market Kamppi"},
        "shipping_address": {
            "name": "Aino Virtanen",
            "street": "Mannerheimintie 1 A 5",
            "postcode": "00100",
            "city": "Helsinki",
        },
        "customer": {
            "external_id": "c-1",
            "email": "aino@example.fi",
            "first_name": "Aino",
            "last_name": "Virtanen",
        },
        "lines": [
            {
                "external_id": f"{external_id}-1",
                "sku": "TEE-M",
                "name": "T-shirt",
                "quantity": 2,
                "unit_price_cents": 1990,
                "vat_cents": 794,
            },
            {
                "external_id": f"{external_id}-2",
                "sku": "CAP",
                "name": "Cap",
                "unit_price_cents": 990,
            },
        ],
    }
    payload.update(overrides)
    return payload


CSV_HEADER = (
    "order_id,order_number,placed_at,customer_id,email,first_name,carrier,pickup_point_code,"
    "shipping_cents,line_id,sku,product_name,quantity,unit_price_cents\n"
)
GOOD_CSV = CSV_HEADER + (
    "A1,1001,2026-11-02T10:00:00,C1,aino@example.fi,Aino,posti,001234,590,L1,TEE-M,T-shirt,2,1990\n"
    "A1,1001,2026-11-02T10:00:00,C1,aino@example.fi,Aino,posti,001234,590,L2,CAP,Cap,1,990\n"
    "A2,1002,2026-11-03T12:30:00+00:00,C2,eero@example.fi,Eero,,,0,L1,CAP,Cap,1,990\n"
)
