"""Django settings for Aftersale.

Every deploy-time value comes from an environment variable with a default that works on a
fresh machine (SQLite in ./var, console e-mail). docs/operators/configuration.md lists them.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from aftersale.env import (
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key,
    var_dir,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("AFTERSALE_HOME", str(Path.cwd())))
VAR_DIR = var_dir()

DEBUG = env_bool("DEBUG", False)
# No default: SECRET_KEY, or the local key `aftersale run` keeps in var/ (see env.secret_key).
# Rotation: put the new key in SECRET_KEY and the old one in SECRET_KEY_FALLBACKS (comma
# separated) until links and sessions signed with it have expired.
SECRET_KEY = secret_key(VAR_DIR, debug=DEBUG)
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The API docs page with django-ninja's own copy of Swagger UI (no CDN, no inline script).
    "ninja",
    "django_htmx",
    "anymail",
    "django_tasks",
    "django_tasks_db",
    "aftersale.core",
    "aftersale.timeline",
    "aftersale.catalog",
    "aftersale.orders",
    "aftersale.delivery",
    "aftersale.returns",
    "aftersale.service",
    "aftersale.flows",
    "aftersale.loyalty",
    "aftersale.insights",
    "aftersale.recommendations",
    "aftersale.surveys",
    "aftersale.reviews",
    "aftersale.api",
    "aftersale.webhooks",
    "aftersale.privacy",
    "aftersale.portal",
    "aftersale.backoffice",
    "aftersale.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aftersale.core.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aftersale.backoffice.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aftersale.urls"
WSGI_APPLICATION = "aftersale.wsgi.application"
ASGI_APPLICATION = "aftersale.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "aftersale.core.context_processors.current_shop",
            ],
        },
    },
]

# Inputs and selects written in Python, the same markup as Django's templates (core.widgets).
FORM_RENDERER = "aftersale.core.widgets.WidgetRenderer"

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aftersale.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Failed sign-ins are counted per account and per address; past the limits the right password
# is refused too until the window ends (aftersale.core.signin).
AUTHENTICATION_BACKENDS = ["aftersale.core.signin.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:dashboard"
LOGOUT_REDIRECT_URL = "backoffice:login"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["aftersale.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Helsinki")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "aftersale.core.staticfiles.ManifestStaticFilesWithFallback"
        if env_bool("STATIC_MANIFEST", not DEBUG and env_bool("HTTPS", False))
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
# Uploaded files (return photos) live outside the web root and are served only through
# views that check who is asking.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# E-mail: console output locally; EMAIL_URL=smtp://… or anymail://provider in production.
globals().update(email_settings(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Aftersale <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where customers' replies to support e-mail go; each reply-to gets a signed "+token" tag.
SUPPORT_REPLY_ADDRESS = env_str("SUPPORT_REPLY_ADDRESS", "")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in __import__("os").environ.items()
    if key.startswith("ANYMAIL_")
}
# Support mail in: `aftersale mail-in` listens here (docs/operators/support-mail.md).
MAIL_IN_HOST = env_str("MAIL_IN_HOST", "127.0.0.1")
MAIL_IN_PORT = env_int("MAIL_IN_PORT", 2525)
MAIL_IN_LMTP = env_bool("MAIL_IN_LMTP", False)
MAIL_IN_MAX_BYTES = env_int("MAIL_IN_MAX_BYTES", 25 * 1024 * 1024)
# Messages one sender may send one shop in an hour before the receiver holds them off.
MAIL_IN_RATE_LIMIT = env_int("MAIL_IN_RATE_LIMIT", 20)
SMS_BACKEND = env_str("SMS_BACKEND", "aftersale.flows.sms.LoggingBackend")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Rate limits and lockouts must hold across every web process: Redis when REDIS_URL is set,
# else a table in the database (created by `aftersale migrate`); never one process's memory.
REDIS_URL = env_str("REDIS_URL")
CACHE_TABLE = "aftersale_cache"
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    )
}
# Several installations may share one Redis: each keeps its keys under its own prefix.
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "aftersale")
# Sessions are kept in the database; with Redis each request reads its session from the cache
# (written through to the database, so a Redis restart signs nobody out).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Outbound webhooks go to public addresses only unless the operator allows private ones:
# all of them, or the networks listed (comma-separated CIDRs). docs/operators/security.md
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", False)
WEBHOOKS_ALLOWED_NETWORKS = env_list("WEBHOOKS_ALLOWED_NETWORKS", [])

# HTTPS=1 in production turns on every transport-security setting `check --deploy` asks for.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies append to X-Forwarded-For in front of the server: the client's
# address is the entry that many places from the right (rate limits count per client).
PROXY_HOPS = env_int("PROXY_HOPS", 1 if BEHIND_PROXY else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # aiosmtpd (`aftersale mail-in`) logs every SMTP command with its addresses at INFO.
        "mail.log": {"level": "WARNING"},
    },
}

# Demo logins printed by `make run`; used only by `aftersale demo`.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "aftersale-demo")
