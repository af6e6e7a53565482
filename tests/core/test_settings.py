import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from aftersale.env import email_settings, env_bool, env_int


def test_it_reads_email_urls():
    smtp = email_settings("submission://mailer:s%40cret@mail.example.com")
    assert smtp["EMAIL_HOST"] == "mail.example.com"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_settings("smtps://mail.example.com")["EMAIL_USE_SSL"] is True
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings("anymail://postmark")["EMAIL_BACKEND"] == (
        "anymail.backends.postmark.EmailBackend"
    )


def test_it_names_the_variable_when_a_value_is_bad(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(ImproperlyConfigured, match="WEB_CONCURRENCY"):
        env_int("WEB_CONCURRENCY", 2)
    monkeypatch.setenv("HTTPS", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HTTPS"):
        env_bool("HTTPS")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL scheme 'pigeon'"):
        email_settings("pigeon://coop")


def test_deploy_check_is_clean_with_the_documented_production_variables(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "aftersale.example.com",
        "HTTPS": "1",
        "DEBUG": "0",
        "AFTERSALE_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "aftersale.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "aftersale.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("redis://127.0.0.1:6379/3", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_are_read_from_redis_when_there_is_one(tmp_path, redis_url, engine):
    """With Redis a request reads its session from the cache; every session is also in the
    database, so a Redis restart signs nobody out."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")},
        "SECRET_KEY": "x",
        "AFTERSALE_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "aftersale.settings",
        **({"REDIS_URL": redis_url} if redis_url else {}),
    }
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == engine, result.stderr
