"""Referrals: a code per customer, a friend claiming it, each fraud rule, the friend's first
order settling the welcome code, and the advocate's reward vesting with that order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.loyalty import fraud, referrals, selectors, services
from aftersale.loyalty.models import LedgerEntry
from aftersale.loyalty.orders_seen import read_new_orders
from aftersale.loyalty.referral_models import Referral, ReferralCode
from aftersale.loyalty.reward_models import Redemption
from aftersale.orders.payloads import OrderIn
from aftersale.orders.services import upsert_order
from aftersale.timeline import types
from aftersale.timeline.models import Event
from tests.factories import CustomerFactory, OrderFactory
from tests.loyalty.conftest import START
from tests.loyalty.rewards_helpers import pool_reward


@pytest.fixture
def advocate(programme):
    services.save_rule(programme, referral_advocate_points=500, referral_friend_points=200)
    pool_reward(programme, name="Welcome 5 €", for_referred_friends=True, codes=["WELCOME-1"])
    return CustomerFactory(
        shop=programme,
        email="aino.virtanen@gmail.com",
        phone="040 123 4567",
        street="Mannerheimintie 5 A 3",
        postcode="00100",
    )


def code_of(advocate):
    return referrals.referral_code_for(advocate.shop, advocate).code


def friend_order(
    shop,
    *,
    email,
    codes=(),
    street="Aleksanterinkatu 9",
    postcode="00130",
    phone="",
    payment="",
    at=None,
):
    return upsert_order(
        shop,
        OrderIn.model_validate(
            {
                "external_id": f"friend-{email}",
                "placed_at": (at or START + timedelta(hours=1)).isoformat(),
                "customer": {"external_id": f"c-{email}", "email": email},
                "shipping_address": {"street": street, "postcode": postcode, "phone": phone},
                "lines": [{"external_id": "1", "name": "Merino", "unit_price_cents": 4990}],
                "discount_codes": list(codes),
                "payment_fingerprint": payment,
            }
        ),
    )


def worker(clock):
    clock.shift(timedelta(minutes=1))
    read_new_orders()


# --- Rules, one by one ---------------------------------------------------------------------


def test_emails_are_compared_as_the_mailbox_they_reach():
    assert fraud.normalise_email(" A.Virtanen+shop@GoogleMail.com") == "avirtanen@gmail.com"
    assert fraud.normalise_email("a.virtanen+x@example.fi") == "a.virtanen@example.fi"
    assert fraud.email_reasons("a.virtanen+1@gmail.com", "avirtanen@gmail.com") == ["same_email"]
    assert fraud.email_reasons("AVirtanen@gmail.com", "avirtanen@gmail.com") == ["self_referral"]
    assert fraud.email_reasons("friend@example.fi", "avirtanen@gmail.com") == []


def test_phones_and_addresses_are_compared_whatever_their_spelling():
    assert fraud.normalise_phone("040 123 4567") == fraud.normalise_phone("+358 40 1234567")
    assert fraud.normalise_address("Mannerheimintie 5 A 3", "00100") == fraud.normalise_address(
        "mannerheimintie 5a3", "00100"
    )


def test_a_customer_gets_one_code_and_a_link(advocate):
    code = referrals.referral_code_for(advocate.shop, advocate)
    assert referrals.referral_code_for(advocate.shop, advocate) == code
    assert len(code.code) == 8
    url = referrals.referral_url(advocate.shop, code.code)
    assert url.endswith(f"/s/pohjola/r/{code.code}/")


def test_the_advocates_own_email_is_refused(advocate):
    with pytest.raises(referrals.ReferralRefused):
        referrals.claim_referral(
            advocate.shop, code_of(advocate), email="Aino.Virtanen@gmail.com", ip="10.0.0.1"
        )
    assert not Referral.objects.exists()


def test_an_email_that_already_ordered_is_refused(advocate):
    OrderFactory(
        shop=advocate.shop, customer__email="old@example.fi", customer__first_order_at=START
    )
    with pytest.raises(referrals.ReferralRefused):
        referrals.claim_referral(advocate.shop, code_of(advocate), email="old@example.fi", ip="")


def test_a_clean_friend_gets_the_welcome_code_once(advocate):
    claim = referrals.claim_referral(
        advocate.shop, code_of(advocate), email="friend@example.fi", ip="10.0.0.1"
    )
    again = referrals.claim_referral(
        advocate.shop, code_of(advocate), email="Friend@example.fi", ip="10.0.0.1"
    )
    assert claim.created and not again.created
    assert claim.welcome.code == again.welcome.code == "WELCOME-1"
    assert claim.referral.reasons == [] and claim.referral.state == Referral.State.CLAIMED
    assert Redemption.objects.count() == 1
    stored = Referral.objects.get()
    assert "friend" not in stored.friend_email_digest and "10.0.0.1" not in stored.ip_digest


def test_a_gmail_variant_of_the_advocate_is_held_for_review(advocate, clock):
    referrals.claim_referral(
        advocate.shop, code_of(advocate), email="aino.virtanen+2@gmail.com", ip=""
    )
    friend_order(advocate.shop, email="aino.virtanen+2@gmail.com", codes=["WELCOME-1"])
    worker(clock)
    referral = Referral.objects.get()
    assert referral.state == Referral.State.REVIEW
    assert fraud.SAME_EMAIL in referral.reasons
    assert not LedgerEntry.objects.filter(source_type="referral").exists()


def test_a_claim_held_for_review_gives_the_welcome_code_only_when_approved(advocate, clock, shop_a):
    code = code_of(advocate)
    held = referrals.claim_referral(advocate.shop, code, email="aino.virtanen+7@gmail.com", ip="")
    assert held.welcome is None
    assert (held.referral.state, held.referral.reasons) == ("review", [fraud.SAME_EMAIL])
    assert not Redemption.objects.exists()
    assert Event.objects.filter(type=types.LOYALTY_REFERRAL_HELD).count() == 1
    # Opening the link again while it waits gives nothing either.
    again = referrals.claim_referral(advocate.shop, code, email="aino.virtanen+7@gmail.com", ip="")
    assert again.welcome is None and not Redemption.objects.exists()

    referrals.approve_referral(advocate.shop, held.referral, staff_user=shop_a.owner, note="ok")
    approved = referrals.claim_referral(
        advocate.shop, code, email="aino.virtanen+7@gmail.com", ip=""
    )
    assert approved.welcome.code == "WELCOME-1"
    assert approved.referral.state == Referral.State.CLAIMED
    assert not LedgerEntry.objects.filter(source_type="referral").exists()


def test_a_claim_held_and_rejected_never_gives_the_welcome_code(advocate, shop_a):
    code = code_of(advocate)
    held = referrals.claim_referral(advocate.shop, code, email="aino.virtanen+8@gmail.com", ip="")
    referrals.reject_referral(advocate.shop, held.referral, staff_user=shop_a.owner, note="same")
    again = referrals.claim_referral(advocate.shop, code, email="aino.virtanen+8@gmail.com", ip="")
    assert again.welcome is None and again.referral.state == Referral.State.REJECTED
    assert not Redemption.objects.exists()


@pytest.mark.parametrize(
    ("order", "reason"),
    [
        ({"street": "MANNERHEIMINTIE 5a3", "postcode": "00100"}, fraud.SAME_ADDRESS),
        ({"phone": "+358 40 123 4567"}, fraud.SAME_PHONE),
        ({"payment": "card_fp_42"}, fraud.SAME_PAYMENT),
    ],
)
def test_the_friends_order_matching_the_advocate_is_held(advocate, clock, order, reason):
    # The advocate paid with card_fp_42 before.
    upsert_order(
        advocate.shop,
        OrderIn.model_validate(
            {
                "external_id": "advocate-1",
                "placed_at": (START - timedelta(days=40)).isoformat(),
                "customer": {"external_id": advocate.external_id, "email": advocate.email},
                "payment_fingerprint": "card_fp_42",
            }
        ),
    )
    referrals.claim_referral(advocate.shop, code_of(advocate), email="friend@example.fi", ip="")
    friend_order(advocate.shop, email="friend@example.fi", codes=["WELCOME-1"], **order)
    worker(clock)
    referral = Referral.objects.get()
    assert referral.state == Referral.State.REVIEW
    assert referral.reasons == [reason]


def test_many_claims_from_one_network_address_in_a_week_are_held(advocate, clock):
    code = code_of(advocate)
    for n in range(fraud.WEEKLY_LIMIT):
        claim = referrals.claim_referral(
            advocate.shop, code, email=f"f{n}@example.fi", ip="10.9.9.9"
        )
        assert claim.referral.reasons == []
    busy = referrals.claim_referral(advocate.shop, code, email="f9@example.fi", ip="10.9.9.9")
    assert busy.referral.reasons == [fraud.BUSY_IP]
    clock.shift(timedelta(days=8))
    calm = referrals.claim_referral(advocate.shop, code, email="f10@example.fi", ip="10.9.9.9")
    assert calm.referral.reasons == []


def test_many_referred_orders_to_one_address_in_a_week_are_held(advocate, clock):
    code = code_of(advocate)
    for n in range(fraud.WEEKLY_LIMIT + 1):
        referrals.claim_referral(advocate.shop, code, email=f"f{n}@example.fi", ip="")
        friend_order(advocate.shop, email=f"f{n}@example.fi", street="Kalliolanrinne 4")
    worker(clock)
    states = list(Referral.objects.order_by("pk").values_list("state", "reasons"))
    assert states[-1] == (Referral.State.REVIEW, [fraud.BUSY_ADDRESS])
    assert {state for state, _reasons in states[:-1]} == {Referral.State.REWARDED}


def test_a_friend_who_ordered_before_is_held(advocate, clock):
    referrals.claim_referral(advocate.shop, code_of(advocate), email="friend@example.fi", ip="")
    friend_order(advocate.shop, email="friend@example.fi", at=START - timedelta(days=1))
    upsert_order(
        advocate.shop,
        OrderIn.model_validate(
            {
                "external_id": "friend-second",
                "placed_at": (START + timedelta(hours=2)).isoformat(),
                "customer": {"external_id": "c-friend@example.fi", "email": "friend@example.fi"},
                "discount_codes": ["WELCOME-1"],
            }
        ),
    )
    worker(clock)
    referral = Referral.objects.get()
    assert referral.reasons == [fraud.NOT_FIRST_ORDER]


def test_the_advocate_ordering_with_the_welcome_code_is_a_self_referral(advocate, clock):
    referrals.claim_referral(advocate.shop, code_of(advocate), email="other@example.fi", ip="")
    upsert_order(
        advocate.shop,
        OrderIn.model_validate(
            {
                "external_id": "advocate-uses-it",
                "placed_at": (START + timedelta(hours=1)).isoformat(),
                "customer": {"external_id": advocate.external_id, "email": advocate.email},
                "discount_codes": ["WELCOME-1"],
            }
        ),
    )
    worker(clock)
    assert fraud.SELF_REFERRAL in Referral.objects.get().reasons


# --- Rewards and review --------------------------------------------------------------------


def test_a_clean_first_order_earns_both_rewards_pending_with_the_order(advocate, clock):
    referrals.claim_referral(advocate.shop, code_of(advocate), email="friend@example.fi", ip="")
    friend_order(advocate.shop, email="friend@example.fi", codes=["welcome-1"])
    worker(clock)

    referral = Referral.objects.select_related("friend", "friend_order").get()
    assert referral.state == Referral.State.REWARDED
    assert referral.friend.email == "friend@example.fi"
    welcome = Redemption.objects.get(code="WELCOME-1")
    assert welcome.state == Redemption.State.SETTLED and welcome.customer == referral.friend
    entries = {
        e.customer_id: e for e in LedgerEntry.objects.filter(source_type="referral", kind="earn")
    }
    assert entries[advocate.pk].pending_points == 500
    assert entries[referral.friend_id].pending_points == 200
    assert entries[advocate.pk].order == referral.friend_order
    assert entries[advocate.pk].state == LedgerEntry.State.PENDING
    earned = Event.objects.get(type=types.LOYALTY_REFERRAL_REWARDED)
    assert earned.customer == advocate and earned.payload["points"] == 500
    read_new_orders()  # again: nothing doubles
    assert LedgerEntry.objects.filter(source_type="referral").count() == 2


def test_the_advocates_reward_vests_with_the_friends_order(advocate, clock):
    referrals.claim_referral(advocate.shop, code_of(advocate), email="friend@example.fi", ip="")
    friend_order(advocate.shop, email="friend@example.fi", codes=["WELCOME-1"])
    worker(clock)
    entry = LedgerEntry.objects.get(customer=advocate, source_type="referral", kind="earn")
    friend_points = LedgerEntry.objects.filter(order=entry.order, kind="earn").exclude(
        source_type="referral"
    )
    for earned in friend_points:
        assert earned.vests_on == entry.vests_on  # the same deadline as the order's own points
    services.vest(advocate.shop, entry)
    assert selectors.balance(advocate.shop, advocate).available == 500


def test_staff_approve_or_reject_a_held_referral_with_a_note(advocate, clock, shop_a):
    code = code_of(advocate)
    referrals.claim_referral(advocate.shop, code, email="first@example.fi", ip="")
    friend_order(
        advocate.shop, email="first@example.fi", street="Mannerheimintie 5 A 3", postcode="00100"
    )
    referrals.claim_referral(advocate.shop, code, email="other@example.fi", ip="")
    friend_order(advocate.shop, email="other@example.fi", phone="0401234567")
    worker(clock)
    first, second = Referral.objects.order_by("pk")
    assert (first.state, second.state) == ("review", "review")

    referrals.approve_referral(advocate.shop, first, staff_user=shop_a.owner, note="her sister")
    with pytest.raises(Exception, match="Say why"):
        referrals.reject_referral(advocate.shop, second, staff_user=shop_a.owner, note=" ")
    referrals.reject_referral(advocate.shop, second, staff_user=shop_a.owner, note="same person")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.review_note) == ("rewarded", "her sister")
    assert (second.state, second.review_note) == ("rejected", "same person")
    assert LedgerEntry.objects.filter(source_type="referral", source_id=first.pk).count() == 2
    assert not LedgerEntry.objects.filter(source_type="referral", source_id=second.pk).exists()
    with pytest.raises(Exception, match="no longer waiting"):
        referrals.approve_referral(advocate.shop, second, staff_user=shop_a.owner)


def test_imported_history_never_attributes_a_referral(advocate, clock):
    referrals.claim_referral(advocate.shop, code_of(advocate), email="friend@example.fi", ip="")
    clock.shift(timedelta(days=10))
    friend_order(advocate.shop, email="friend@example.fi", at=START + timedelta(hours=2))
    worker(clock)
    assert Referral.objects.get().state == Referral.State.CLAIMED
    assert not LedgerEntry.objects.filter(source_type="referral").exists()


def test_codes_belong_to_their_shop(advocate, shop_b):
    with pytest.raises(referrals.ReferralRefused):
        referrals.claim_referral(shop_b.shop, code_of(advocate), email="f@example.fi", ip="")
    assert ReferralCode.objects.count() == 1
