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
