"""Typed readers for deploy-time settings taken from environment variables.

Each helper returns the default when the variable is unset or empty, and raises
``ImproperlyConfigured`` naming the variable when its value cannot be used.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def email_settings(url: str) -> dict[str, object]:
    """Translate an ``EMAIL_URL`` into Django's e-mail settings.

    ``smtp://user:password@host:25`` (plain, or STARTTLS with ``?tls=1``),
    ``submission://user:password@host:587`` (STARTTLS), ``smtps://…:465`` (implicit TLS),
    ``console://``, ``file:///path``, ``memory://`` and ``dummy://``.
    A provider through django-anymail: ``anymail://postmark`` with its key in ``ANYMAIL``
    settings variables (see docs/operators/configuration.md).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "anymail":
        provider = parts.netloc or parts.path.strip("/")
        return {"EMAIL_BACKEND": f"anymail.backends.{provider}.EmailBackend"}
    if scheme not in EMAIL_BACKENDS:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {scheme!r} is not supported; use one of "
            + ", ".join(sorted([*EMAIL_BACKENDS, "anymail"]))
        )
    result: dict[str, object] = {"EMAIL_BACKEND": EMAIL_BACKENDS[scheme]}
    if scheme == "file":
        result["EMAIL_FILE_PATH"] = parts.path
        return result
    if scheme in {"smtp", "smtps", "submission"}:
        query = parse_qs(parts.query)
        result.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or {"smtp": 25, "smtps": 465, "submission": 587}[scheme],
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_USE_TLS=scheme == "submission" or query.get("tls", ["0"])[0] in {"1", "true"},
            EMAIL_TIMEOUT=10,
        )
    return result
