"""Every rule of the return policy engine, as the customer and the merchant meet it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersale.returns import policy
from aftersale.returns.models import ReturnMethod, ReturnState
from aftersale.returns.policy import RequestedLine, ReturnNotAllowed
from tests.factories import (
    OrderFactory,
    RefundFactory,
    ReturnLineFactory,
    ShipmentFactory,
    TrackingEventFactory,
)
from tests.returns.fixtures import (
    DELIVERED_AT,
    delivered_order,
    non_returnable_line,
    photo,
    set_policy,
)

INSIDE = DELIVERED_AT + timedelta(days=10)
AFTER = DELIVERED_AT + timedelta(days=20)


def first_line(order):
    return order.lines.order_by("id").first()


def check(order, lines, *, resolution="refund", method="drop_off", now=INSIDE):
    return policy.check_request(order, lines, resolution=resolution, method=method, now=now)


# --- Receipt and deadline ------------------------------------------------------------------


def test_it_counts_from_the_delivery_recorded_by_tracking(shop_a):
    order = delivered_order(shop_a.shop)
    receipt = policy.receipt_of(order)
    assert receipt.at == DELIVERED_AT
    assert not receipt.estimated


def test_it_takes_a_pickup_event_when_the_shipment_has_no_received_time(shop_a):
    order = delivered_order(shop_a.shop, delivered_at=None)
    shipment = ShipmentFactory(order=order, shipped_at=datetime(2026, 11, 3, tzinfo=UTC))
    picked_up = datetime(2026, 11, 6, 16, 30, tzinfo=UTC)
    TrackingEventFactory(shipment=shipment, status="picked_up", occurred_at=picked_up)
    assert policy.receipt_of(order) == policy.Receipt(at=picked_up, estimated=False)


def test_it_estimates_receipt_from_shipping_when_no_delivery_is_known(shop_a):
    order = delivered_order(shop_a.shop, delivered_at=None)
    shipped = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    ShipmentFactory(order=order, shipped_at=shipped)
    receipt = policy.receipt_of(order)
    assert receipt.estimated
    assert receipt.at == shipped + timedelta(days=policy.ESTIMATED_DAYS_FROM_SHIPPING)


def test_it_estimates_receipt_from_the_order_date_without_any_shipment(shop_a):
    order = delivered_order(shop_a.shop, delivered_at=None)
    receipt = policy.receipt_of(order)
    assert receipt.estimated
    assert receipt.at == order.placed_at + timedelta(days=policy.ESTIMATED_DAYS_FROM_ORDER)


def test_the_statutory_window_ends_14_days_after_receipt_at_midnight_in_the_shop(shop_a):
    order = delivered_order(shop_a.shop)  # delivered 5 Nov 16:00 Helsinki
    deadline = policy.return_deadline(order)
    assert deadline == datetime(2026, 11, 19, 21, 59, 59, tzinfo=UTC)  # 19 Nov 23:59:59 EET


def test_a_shop_can_give_a_longer_window(shop_a):
    shop_a.shop.return_window_days = 30
    shop_a.shop.save()
    order = delivered_order(shop_a.shop)
    assert policy.return_deadline(order).date() == datetime(2026, 12, 5).date()
    assert policy.eligibility(order, now=AFTER).lines[0].can_withdraw


def test_a_shop_window_never_shortens_the_statutory_period(shop_a):
    shop_a.shop.return_window_days = 7
    shop_a.shop.save()
    assert policy.window_days(shop_a.shop) == 14


# --- Which lines may go back ---------------------------------------------------------------


def test_every_line_is_returnable_inside_the_window(shop_a):
    order = delivered_order(shop_a.shop)
    state = policy.eligibility(order, now=INSIDE)
    assert [(item.can_withdraw, item.remaining, item.reason) for item in state.lines] == [
        (True, 1, ""),
        (True, 1, ""),
    ]


def test_after_the_window_a_line_can_only_be_reported_as_a_complaint(shop_a):
    order = delivered_order(shop_a.shop)
    item = policy.eligibility(order, now=AFTER).lines[0]
    assert not item.can_withdraw
    assert item.can_complain
    assert "The return period ended on" in item.reason


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("hygiene", "Hygiene product"),
        ("personalised", "Personalised"),
        ("perishable", "Perishable"),
    ],
)
def test_non_returnable_categories_say_why(shop_a, kind, words):
    order = delivered_order(shop_a.shop)
    line = non_returnable_line(order, kind)
    item = policy.eligibility(order, now=INSIDE).for_line(line.pk)
    assert not item.can_withdraw
    assert words in item.reason
    assert item.can_complain  # a defect is still the shop's responsibility


def test_final_sale_items_cannot_be_returned(shop_a):
    order = delivered_order(shop_a.shop)
    product = first_line(order).variant.product
    product.final_sale = True
    product.save()
    item = policy.eligibility(order, now=INSIDE).lines[0]
    assert (item.can_withdraw, item.reason) == (False, "Final sale: this item cannot be returned.")


def test_what_is_already_being_returned_cannot_be_returned_again(shop_a):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    line.quantity = 3
    line.save()
    ReturnLineFactory(return_request__order=order, order_line=line, quantity=2)
    assert policy.eligibility(order, now=INSIDE).for_line(line.pk).remaining == 1
    with pytest.raises(ReturnNotAllowed) as refused:
        check(order, [RequestedLine(line.pk, 2, "too_small")])
    assert "you can return 1 to 1" in refused.value.errors[f"line-{line.pk}"]


def test_a_fully_returned_line_says_so(shop_a):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    ReturnLineFactory(return_request__order=order, order_line=line, quantity=1)
    item = policy.eligibility(order, now=INSIDE).for_line(line.pk)
    assert (item.can_return, item.reason) == (False, "Already returned.")


def test_a_rejected_return_frees_its_items(shop_a):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    ReturnLineFactory(
        return_request__order=order, return_request__state=ReturnState.REJECTED, order_line=line
    )
    assert policy.eligibility(order, now=INSIDE).for_line(line.pk).can_withdraw


def test_a_cancelled_order_has_nothing_to_return(shop_a):
    order = delivered_order(shop_a.shop, status="cancelled")
    assert not policy.eligibility(order, now=INSIDE).any_returnable


# --- Checking a request --------------------------------------------------------------------


def test_a_return_inside_the_window_is_a_withdrawal(shop_a):
    order = delivered_order(shop_a.shop)
    assert check(order, [RequestedLine(first_line(order).pk, 1, "too_small")]) == "withdrawal"


def test_a_return_after_the_window_is_refused_with_the_date(shop_a):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    with pytest.raises(ReturnNotAllowed) as refused:
        check(order, [RequestedLine(line.pk, 1, "changed_mind")], now=AFTER)
    assert "The return period ended on" in refused.value.errors[f"line-{line.pk}"]


def test_a_complaint_has_no_14_day_limit_but_needs_a_photo(shop_a):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    much_later = DELIVERED_AT + timedelta(days=200)
    with pytest.raises(ReturnNotAllowed) as refused:
        check(order, [RequestedLine(line.pk, 1, "arrived_damaged")], now=much_later)
    assert "add a photo" in refused.value.errors[f"line-{line.pk}"]
    with_photo = RequestedLine(line.pk, 1, "arrived_damaged", photos=[photo()])
    assert check(order, [with_photo], now=much_later) == "complaint"


def test_complaints_and_returns_are_registered_separately(shop_a):
    order = delivered_order(shop_a.shop)
    first, second = order.lines.order_by("id")
    with pytest.raises(ReturnNotAllowed) as refused:
        check(
            order,
            [
                RequestedLine(first.pk, 1, "too_small"),
                RequestedLine(second.pk, 1, "wrong_item", photos=[photo()]),
            ],
        )
    assert "register them separately" in refused.value.errors["lines"]


def test_it_refuses_lines_of_another_order(shop_a):
    order = delivered_order(shop_a.shop)
    other = delivered_order(shop_a.shop)
    foreign = first_line(other)
    with pytest.raises(ReturnNotAllowed) as refused:
        check(order, [RequestedLine(foreign.pk, 1, "too_small")])
    assert refused.value.errors == {f"line-{foreign.pk}": "This item is not part of the order."}


def test_an_exchange_must_name_another_variant_of_the_same_product_in_stock(shop_a):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    product = line.variant.product
    large = product.variants.get(size="L")
    sold_out = product.variants.get(size="XL")
    assert [v.size for v in policy.exchange_options(line)] == ["L"]
    for variant_id in (None, sold_out.pk):
        with pytest.raises(ReturnNotAllowed):
            check(
                order,
                [RequestedLine(line.pk, 1, "too_small", exchange_variant_id=variant_id)],
                resolution="exchange",
            )
    exchange = RequestedLine(line.pk, 1, "too_small", exchange_variant_id=large.pk)
    assert check(order, [exchange], resolution="exchange") == "withdrawal"


def test_only_offered_methods_can_be_chosen(shop_a):
    order = delivered_order(shop_a.shop)
    request = [RequestedLine(first_line(order).pk, 1, "too_small")]
    with pytest.raises(ReturnNotAllowed) as refused:
        check(order, request, method=ReturnMethod.HOME_PICKUP)
    assert "method" in refused.value.errors
    set_policy(shop_a.shop, home_pickup_fee_cents=990)
    assert check(order, request, method=ReturnMethod.HOME_PICKUP) == "withdrawal"


# --- Fees and money ------------------------------------------------------------------------


def test_fees_follow_the_method_but_never_apply_to_complaints(shop_a):
    shop = shop_a.shop
    set_policy(shop, drop_off_fee_cents=490, home_pickup_fee_cents=990, store_fee_cents=0)
    fee = policy.return_fee
    assert fee(shop, method="drop_off", kind="withdrawal", resolution="refund") == 490
    assert fee(shop, method="home_pickup", kind="withdrawal", resolution="refund") == 990
    assert fee(shop, method="store", kind="withdrawal", resolution="refund") == 0
    assert fee(shop, method="home_pickup", kind="complaint", resolution="refund") == 0


def test_exchanges_are_free_unless_the_shop_says_otherwise(shop_a):
    shop = shop_a.shop
    set_policy(shop, drop_off_fee_cents=490)
    assert policy.return_fee(shop, method="drop_off", kind="withdrawal", resolution="exchange") == 0
    set_policy(shop, drop_off_fee_cents=490, free_exchanges=False)
    assert (
        policy.return_fee(shop, method="drop_off", kind="withdrawal", resolution="exchange") == 490
    )


def test_the_refund_is_the_returned_goods_minus_the_fee(shop_a):
    order = delivered_order(shop_a.shop)
    line = first_line(order)
    line.quantity, line.total_cents = 3, 3 * 4990
    line.save()
    returned = ReturnLineFactory(
        return_request__order=order, return_request__fee_cents=490, order_line=line, quantity=2
    )
    breakdown = policy.refund_for(returned.return_request)
    assert (breakdown.goods_cents, breakdown.fee_cents, breakdown.refund_cents) == (9980, 490, 9490)


def test_a_complaint_is_refunded_without_a_fee(shop_a):
    order = delivered_order(shop_a.shop)
    returned = ReturnLineFactory(
        return_request__order=order,
        return_request__kind="complaint",
        return_request__fee_cents=490,
        order_line=first_line(order),
    )
    assert policy.refund_for(returned.return_request).refund_cents == 4990


def test_the_refund_never_exceeds_what_was_paid_minus_earlier_refunds(shop_a):
    order = delivered_order(shop_a.shop)
    RefundFactory(order=order, amount_cents=9000)  # of 9980 paid
    returned = ReturnLineFactory(return_request__order=order, order_line=first_line(order))
    breakdown = policy.refund_for(returned.return_request)
    assert breakdown.refund_cents == 980
    assert breakdown.capped


def test_without_payments_the_order_total_is_what_was_paid(shop_a):
    order = OrderFactory(shop=shop_a.shop, total_cents=1000)
    returned = ReturnLineFactory(return_request__order=order, order_line__unit_price_cents=4990)
    assert policy.refund_for(returned.return_request).refund_cents == 1000


def test_store_credit_adds_the_shops_bonus(shop_a):
    set_policy(shop_a.shop, store_credit_bonus_bp=1500)
    assert policy.store_credit_for(shop_a.shop, 4990) == (5738, 748)


# --- Photos --------------------------------------------------------------------------------


def test_a_photo_must_be_an_image(shop_a):
    text = photo("notes.txt", content_type="text/plain")
    assert "upload a JPEG, PNG or WebP image" in policy.validate_photo(text)


def test_a_renamed_file_is_not_taken_for_a_photo(shop_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("virus.jpg", b"MZ\x90\x00not an image", content_type="image/jpeg")
    assert "upload a JPEG, PNG or WebP image" in policy.validate_photo(fake)


def test_an_oversized_photo_names_the_limit(shop_a):
    large = photo("huge.png", size=policy.PHOTO_MAX_BYTES + 1)
    assert (
        policy.validate_photo(large)
        == "huge.png is too large (5.0 MB): the limit is 5 MB per photo."
    )


def test_a_good_photo_passes(shop_a):
    assert policy.validate_photo(photo()) == ""
