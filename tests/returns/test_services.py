"""Registering a return and moving it through its states, as the merchant's queue does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.orders.models import Refund
from aftersale.returns import services
from aftersale.returns.models import ReturnPhoto, ReturnRequest, ReturnState, StoreCredit
from aftersale.returns.policy import RequestedLine, ReturnNotAllowed
from aftersale.returns.services import InvalidTransition
from aftersale.timeline.models import Event
from tests.returns.fixtures import DELIVERED_AT, delivered_order, photo, set_policy

NOW = DELIVERED_AT + timedelta(days=3)
S = ReturnState


def register(shop, order=None, *, reason="too_small", resolution="refund", photos=None, **kw):
    order = order or delivered_order(shop)
    line = order.lines.order_by("id").first()
    requested = RequestedLine(line.pk, 1, reason, comment=" Too tight ", photos=photos or [], **kw)
    return services.register_return(
        shop, order, [requested], resolution=resolution, method="drop_off", now=NOW
    )


def events_of(return_request):
    return list(
        Event.objects.for_shop(return_request.shop)
        .filter(subject_type="returnrequest", subject_id=return_request.pk)
        .order_by("id")
        .values_list("type", flat=True)
    )


def test_it_registers_a_return_and_approves_it_within_the_policy(shop_a):
    set_policy(shop_a.shop, drop_off_fee_cents=490)
    returned = register(shop_a.shop)
    assert returned.state == S.APPROVED
    assert returned.kind == ReturnRequest.Kind.WITHDRAWAL
    assert returned.fee_cents == 490
    assert returned.lines.get().comment == "Too tight"
    assert events_of(returned) == ["return.requested", "return.approved"]


def test_a_shop_can_review_every_return_by_hand(shop_a):
    set_policy(shop_a.shop, auto_approve_withdrawals=False)
    assert register(shop_a.shop).state == S.REQUESTED


def test_a_complaint_waits_for_a_person_and_keeps_its_photo(shop_a):
    returned = register(shop_a.shop, reason="arrived_damaged", photos=[photo()])
    assert (returned.kind, returned.state, returned.fee_cents) == ("complaint", S.REQUESTED, 0)
    stored = ReturnPhoto.objects.for_shop(shop_a.shop).get()
    assert stored.content_type == "image/png"
    assert stored.file.name.startswith(f"return-photos/{shop_a.shop.pk}/")
    assert "damage" not in stored.file.name  # the customer's file name is not used on disk


def test_nothing_is_written_when_the_policy_refuses(shop_a):
    with pytest.raises(ReturnNotAllowed):
        register(shop_a.shop, reason="arrived_damaged")  # no photo
    assert not ReturnRequest.objects.exists()
    assert not Event.objects.filter(type__startswith="return.").exists()


def test_a_return_goes_all_the_way_to_a_refund(shop_a):
    shop = shop_a.shop
    set_policy(shop, drop_off_fee_cents=490)
    returned = register(shop)
    services.mark_in_transit(shop, returned)
    services.receive_return(shop, returned)
    line = returned.lines.get()
    services.inspect_return(shop, returned, {line.pk: ("restock", "As new")})
    services.refund_return(shop, returned)
    services.close_return(shop, returned)
    returned.refresh_from_db()
    assert returned.state == S.CLOSED
    assert returned.closed_at is not None
    assert returned.refund_cents == 4500
    refund = Refund.objects.for_shop(shop).get()
    assert (refund.amount_cents, refund.return_request) == (4500, returned)
    assert events_of(returned) == [
        "return.requested",
        "return.approved",
        "return.in_transit",
        "return.received",
        "return.inspected",
        "return.refunded",
        "return.closed",
    ]


def test_every_event_carries_what_a_notice_or_webhook_needs(shop_a):
    returned = register(shop_a.shop)
    event = Event.objects.get(type="return.approved")
    assert event.customer == returned.customer
    payload = event.payload
    assert payload["code"] == returned.code
    assert payload["state"] == "approved"
    assert payload["previous_state"] == "requested"
    assert payload["order_number"] == returned.order.number
    assert payload["lines"][0]["quantity"] == 1
    assert payload["lines"][0]["reason"] == "too_small"
    assert "refund_cents" in payload


@pytest.mark.parametrize(
    ("start", "step"),
    [
        (S.REQUESTED, services.receive_return),
        (S.REQUESTED, services.mark_in_transit),
        (S.APPROVED, services.approve_return),
        (S.IN_TRANSIT, services.refund_return),
        (S.RECEIVED, services.close_return),
        (S.REJECTED, services.approve_return),
        (S.CLOSED, services.receive_return),
        (S.REFUNDED, services.refund_return),
    ],
)
def test_invalid_transitions_are_refused(shop_a, start, step):
    returned = register(shop_a.shop)
    ReturnRequest.objects.filter(pk=returned.pk).update(state=start)
    before = Event.objects.count()
    with pytest.raises(InvalidTransition):
        step(shop_a.shop, returned)
    returned.refresh_from_db()
    assert returned.state == start
    assert Event.objects.count() == before


def test_a_rejection_needs_a_reason_the_customer_sees(shop_a):
    set_policy(shop_a.shop, auto_approve_withdrawals=False)
    returned = register(shop_a.shop)
    with pytest.raises(ValueError):
        services.reject_return(shop_a.shop, returned, reason="  ")
    services.reject_return(shop_a.shop, returned, reason="Worn and washed")
    returned.refresh_from_db()
    assert (returned.state, returned.note) == (S.REJECTED, "Worn and washed")
    assert Event.objects.get(type="return.rejected").payload["rejection_reason"] == (
        "Worn and washed"
    )
    services.close_return(shop_a.shop, returned)


def test_inspection_needs_an_outcome_for_every_item(shop_a):
    returned = register(shop_a.shop)
    services.receive_return(shop_a.shop, returned)
    with pytest.raises(ValueError, match="Choose restock or damaged"):
        services.inspect_return(shop_a.shop, returned, {})
    returned.refresh_from_db()
    assert returned.state == S.RECEIVED


def test_a_merchant_may_refund_less_for_a_damaged_item_but_never_more(shop_a):
    returned = register(shop_a.shop)
    services.receive_return(shop_a.shop, returned)
    line = returned.lines.get()
    services.inspect_return(shop_a.shop, returned, {line.pk: ("damaged", "Stained")})
    with pytest.raises(ValueError, match="between 0 and 49.90"):
        services.refund_return(shop_a.shop, returned, amount_cents=5000)
    services.refund_return(shop_a.shop, returned, amount_cents=2500)
    returned.refresh_from_db()
    assert returned.refund_cents == 2500


def test_store_credit_is_issued_with_the_bonus(shop_a):
    set_policy(shop_a.shop, store_credit_bonus_bp=1000)
    returned = register(shop_a.shop, resolution="store_credit")
    services.receive_return(shop_a.shop, returned)
    line = returned.lines.get()
    services.inspect_return(shop_a.shop, returned, {line.pk: ("restock", "")})
    services.settle_return(shop_a.shop, returned)
    credit = StoreCredit.objects.for_shop(shop_a.shop).get()
    assert (credit.amount_cents, credit.bonus_cents) == (5489, 499)
    assert Event.objects.get(type="return.credited").payload["store_credit_cents"] == 5489
    assert not Refund.objects.exists()


def test_an_exchange_names_the_new_variant(shop_a):
    order = delivered_order(shop_a.shop)
    line = order.lines.order_by("id").first()
    large = line.variant.product.variants.get(size="L")
    returned = register(shop_a.shop, order, resolution="exchange", exchange_variant_id=large.pk)
    assert returned.fee_cents == 0
    services.receive_return(shop_a.shop, returned)
    services.inspect_return(shop_a.shop, returned, {returned.lines.get().pk: ("restock", "")})
    services.settle_return(shop_a.shop, returned)
    event = Event.objects.get(type="return.exchanged")
    assert event.payload["lines"][0]["exchange_sku"] == large.sku


def test_bulk_approval_approves_what_it_can_and_reports_the_rest(shop_a):
    set_policy(shop_a.shop, auto_approve_withdrawals=False)
    first = register(shop_a.shop)
    second = register(shop_a.shop)
    services.approve_return(shop_a.shop, second)
    approved, refused = services.bulk_approve_returns(shop_a.shop, [first, second])
    assert [r.pk for r in approved] == [first.pk]
    assert [r.pk for r in refused] == [second.pk]


def test_another_shop_cannot_move_a_return(shop_a, shop_b):
    returned = register(shop_a.shop)
    with pytest.raises(ReturnRequest.DoesNotExist):
        services.receive_return(shop_b.shop, returned)


def test_a_scanned_code_finds_the_return_regardless_of_spaces_and_case(shop_a, shop_b):
    returned = register(shop_a.shop)
    typed = f" {returned.code[:4].lower()} {returned.code[4:]} "
    assert services.find_by_code(shop_a.shop, typed) == returned
    assert services.find_by_code(shop_b.shop, returned.code) is None
