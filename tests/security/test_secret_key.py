"""No default secret: without SECRET_KEY (and DEBUG off) the settings refuse to load, so no
server signs with a key that anyone can read in the source; ``aftersale run`` keeps a random
local key in var/; SECRET_KEY_FALLBACKS rotates keys. Settings are read in a subprocess."""

from __future__ import annotations

import json
import stat

from tests.security.conftest import clean_env, run_python

READ_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'key': settings.SECRET_KEY, 'fallbacks': settings.SECRET_KEY_FALLBACKS}))"
)
# The key settings.py used to fall back to; anyone could mint portal links with it.
PUBLISHED = "django-insecure-local-development-key-set-SECRET_KEY-in-production"


def settings_env(tmp_path, **overrides):
    return clean_env(
        DJANGO_SETTINGS_MODULE="aftersale.settings", AFTERSALE_VAR=str(tmp_path), **overrides
    )


def test_without_a_key_the_server_refuses_to_start_with_a_clear_message(tmp_path):
    result = run_python("from aftersale.wsgi import application", settings_env(tmp_path, DEBUG="0"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    assert "aftersale run" in result.stderr


def test_the_key_once_published_with_the_source_is_refused(tmp_path):
    result = run_python(READ_SETTINGS, settings_env(tmp_path, SECRET_KEY=PUBLISHED))
    assert result.returncode != 0
    assert "published" in result.stderr


def test_a_magic_link_minted_with_the_published_key_does_not_sign_in(client, shop_a):
    from django.core import signing
    from django.urls import reverse

    from aftersale.portal import access
    from tests.factories import CustomerFactory, OrderFactory

    order = OrderFactory(shop=shop_a.shop, customer=CustomerFactory(shop=shop_a.shop))
    forged = signing.TimestampSigner(
        key=PUBLISHED, salt=f"aftersale.portal.magic-link:{shop_a.shop.pk}"
    ).sign_object({"email": order.customer.email}, compress=True)
    assert access.email_from_token(shop_a.shop, forged) is None
    response = client.post(reverse("portal:open_link", args=[shop_a.shop.slug, forged]))
    assert response.status_code == 302
    page = client.get(reverse("portal:order", args=[shop_a.shop.slug, order.pk]), follow=True)
    assert order.number not in page.content.decode()
    # The same link signed with the server's own key does sign in.
    genuine = access.magic_token(shop_a.shop, order.customer.email)
    client.post(reverse("portal:open_link", args=[shop_a.shop.slug, genuine]))
    page = client.get(reverse("portal:order", args=[shop_a.shop.slug, order.pk]))
    assert page.status_code == 200 and order.number in page.content.decode()


def test_the_environment_key_and_its_fallbacks_are_used(tmp_path):
    result = run_python(
        READ_SETTINGS,
        settings_env(
            tmp_path, SECRET_KEY="new-key-" + "n" * 50, SECRET_KEY_FALLBACKS="old-1,old-2"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "key": "new-key-" + "n" * 50,
        "fallbacks": ["old-1", "old-2"],
    }
    assert not (tmp_path / "secret_key").exists()


def test_aftersale_run_makes_and_keeps_a_local_key(tmp_path):
    # `aftersale run` writes the key before loading settings; `--help` stops right after.
    env = settings_env(tmp_path)
    first = run_python("from aftersale.cli import main; main(['aftersale', 'run', '--help'])", env)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50 and key != PUBLISHED
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    run_python("from aftersale.cli import main; main(['aftersale', 'run', '--help'])", env)
    assert key_file.read_text().strip() == key  # kept, not replaced
    # Every later command (worker, createsuperuser…) on this machine reads the same key.
    later = run_python(READ_SETTINGS, env)
    assert later.returncode == 0, later.stderr
    assert json.loads(later.stdout)["key"] == key
    # tests/core/test_run_command.py runs `aftersale run` with no SECRET_KEY in its environment.


def test_debug_mode_keeps_its_own_local_key_too(tmp_path):
    result = run_python(READ_SETTINGS, settings_env(tmp_path, DEBUG="1"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["key"] == (tmp_path / "secret_key").read_text().strip()


def test_the_local_key_directory_is_not_committed():
    from tests.security.conftest import ROOT

    assert "/var/" in (ROOT / ".gitignore").read_text().splitlines()
