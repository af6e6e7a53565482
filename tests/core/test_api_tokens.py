from datetime import timedelta

import time_machine
from django.utils import timezone

from aftersale.core.models import ApiToken
from aftersale.core.services import authenticate_api_token, create_api_token, revoke_api_token


def test_it_stores_only_the_hash_and_shows_the_token_once(shop_a):
    token, plain = create_api_token(shop_a.shop, name="Webshop")
    stored = ApiToken.objects.get(pk=token.pk)
    assert plain.startswith("as_")
    assert plain not in (stored.token_hash, stored.token_prefix, stored.name)
    assert stored.token_prefix == plain[:10]


def test_it_authenticates_and_records_last_use(shop_a):
    token, plain = create_api_token(shop_a.shop, name="Webshop")
    found = authenticate_api_token(plain)
    assert found is not None and found.shop == shop_a.shop
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_it_touches_last_use_at_most_once_a_minute(shop_a):
    token, plain = create_api_token(shop_a.shop, name="Webshop")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        authenticate_api_token(plain)
        first = ApiToken.objects.get(pk=token.pk).last_used_at
        clock.shift(timedelta(seconds=30))
        authenticate_api_token(plain)
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
        clock.shift(timedelta(seconds=61))
        authenticate_api_token(plain)
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_it_refuses_revoked_unknown_and_malformed_tokens(shop_a):
    token, plain = create_api_token(shop_a.shop, name="Webshop")
    revoke_api_token(shop_a.shop, token.pk)
    assert authenticate_api_token(plain) is None
    assert authenticate_api_token("as_" + "x" * 43) is None
    assert authenticate_api_token("Bearer nonsense") is None


def test_it_cannot_revoke_another_shops_token(shop_a, shop_b):
    import pytest

    token, plain = create_api_token(shop_b.shop, name="Theirs")
    with pytest.raises(ApiToken.DoesNotExist):
        revoke_api_token(shop_a.shop, token.pk)
    assert authenticate_api_token(plain) is not None
