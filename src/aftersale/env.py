"""Typed readers for deploy-time settings taken from environment variables.

Each helper returns the default when the variable is unset or empty, and raises
``ImproperlyConfigured`` naming the variable when its value cannot be used.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
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


def var_dir() -> Path:
    """Where Aftersale keeps its local state: ``AFTERSALE_VAR``, else ``var/`` in
    ``AFTERSALE_HOME`` (the current directory by default)."""
    home = Path(env_str("AFTERSALE_HOME", str(Path.cwd())))
    return Path(env_str("AFTERSALE_VAR", str(home / "var")))


LOCAL_KEY_FILE = "secret_key"
# Keys that were once published with the source: never accepted, whatever the setting.
PUBLISHED_KEYS = frozenset({"django-insecure-local-development-key-set-SECRET_KEY-in-production"})


def write_local_secret_key(directory: Path) -> Path:
    """Create ``directory/secret_key`` with a new random key unless it exists (``aftersale
    run`` and ``DEBUG=1`` keep their key there, readable by this user only)."""
    path = directory / LOCAL_KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
    return path


def secret_key(directory: Path, *, debug: bool) -> str:
    """``SECRET_KEY`` from the environment, else the local key in ``directory/secret_key``
    (made by ``aftersale run``, or here when ``debug``). There is no built-in default: without
    either, settings refuse to load, so a server never signs with a key anyone can read."""
    value = env_str("SECRET_KEY").strip()
    if not value:
        path = directory / LOCAL_KEY_FILE
        if debug:
            write_local_secret_key(directory)
        if path.exists():
            value = path.read_text().strip()
    if not value:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value (for example the "
            "output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), or "
            f"start with 'aftersale run', which keeps a local key in {directory / LOCAL_KEY_FILE}."
            " See docs/operators/security.md."
        )
    if value in PUBLISHED_KEYS:
        raise ImproperlyConfigured(
            "SECRET_KEY is a key published with Aftersale's source code; set a new random one."
        )
    return value


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
