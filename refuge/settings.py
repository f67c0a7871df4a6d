"""Refuge's one settings module: every value comes from the environment (STYLE.md §9)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from refuge.lib.env import (
    env_addresses,
    env_age_recipients,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
    env_timezone,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("REFUGE_DATA_DIR", "./data")
DEBUG = env_bool("REFUGE_DEBUG", False)


def _secret_key() -> str:
    key = env_secret("REFUGE_SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("REFUGE_SECRET_KEY must be at least 50 characters long")
        return key
    # Development and demo: a random key kept beside the data (never committed).
    path = DATA_DIR / "django-secret-key.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(64)
    path.touch(mode=0o600)
    path.write_text(value, encoding="utf-8")
    return value


SECRET_KEY = _secret_key()
# Several machines on one database (and a load balancer): each would generate its own secret key
# above, so a session, CSRF token or second-factor secret made on one fails on the others.
# `refuge serve` and `refuge check-deploy` refuse to start with this set and no REFUGE_SECRET_KEY.
REFUGE_MULTI_HOST = env_bool("REFUGE_MULTI_HOST", False)
REFUGE_SECRET_KEY_SHARED = bool(env_secret("REFUGE_SECRET_KEY"))
ALLOWED_HOSTS = env_list("REFUGE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("REFUGE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "refuge.accounts",
    "refuge.cases",
    "refuge.vault",
    "refuge.search",
    "refuge.audit",
    "refuge.filings",
    "refuge.alerts",
    "refuge.stats",
    "refuge.api",
    "refuge.backup",
    "refuge.demo",  # for its management command, `refuge demo`
    "refuge.wiring",  # last: connects every subscriber once the others are loaded (refuge/wiring/subscribers.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The policy header on every response, the sealed page's included; touches no session.
    "csp.middleware.CSPMiddleware",
    # Sealed: 503 before any session, user or case is touched (refuge.vault.middleware).
    "refuge.vault.middleware.SealedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language (en, ru, ko); a logged-in user's own choice overrides it below.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language chosen on the account page, for every page after login (refuge.accounts.middleware).
    "refuge.accounts.middleware.UserLanguageMiddleware",
    # django-otp's, with the session's device read by a compiled query (refuge.accounts.middleware).
    "refuge.accounts.middleware.PreparedOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, then the second factor (refuge.accounts.middleware).
    "refuge.accounts.middleware.SessionPolicyMiddleware",
    "refuge.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "refuge.lib.middleware.NoStoreMiddleware",
    # Marks a browser that completed a login as a device known for that name (refuge.accounts.throttle).
    "refuge.accounts.middleware.KnownDeviceMiddleware",
]

ROOT_URLCONF = "refuge.urls"
WSGI_APPLICATION = "refuge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "refuge.alerts.context.bell",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = env_secret("REFUGE_DATABASE_URL")
    if url:
        pooled = env_bool("REFUGE_DB_POOL", True)
        try:
            config = dict(
                dj_database_url.parse(url, conn_max_age=0 if pooled else env_int("REFUGE_DB_CONN_MAX_AGE", 60))
            )
        except ValueError as exc:
            raise ImproperlyConfigured(f"REFUGE_DATABASE_URL is not a database URL: {exc}") from None
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("REFUGE_DATABASE_URL must be a postgres:// URL")
        config["CONN_HEALTH_CHECKS"] = True
        if pooled:
            # One pool per process, shared by its threads: a process never holds more than
            # REFUGE_DB_POOL_MAX connections, so processes x max must stay under max_connections.
            low, high = env_int("REFUGE_DB_POOL_MIN", 1, minimum=0), env_int("REFUGE_DB_POOL_MAX", 4, minimum=1)
            if low > high:
                raise ImproperlyConfigured(f"REFUGE_DB_POOL_MIN ({low}) must not exceed REFUGE_DB_POOL_MAX ({high})")
            found = config.get("OPTIONS")
            options: dict[str, object] = dict(found) if isinstance(found, dict) else {}
            options["pool"] = {
                "min_size": low,
                "max_size": high,
                "timeout": env_int("REFUGE_DB_POOL_TIMEOUT", 30, minimum=1),  # seconds a thread waits for one
            }
            config["OPTIONS"] = options
        return {"default": config}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "refuge.sqlite3",
            # Kept open by each server thread, as PostgreSQL's: opening one runs the PRAGMAs below and
            # closing it checkpoints the WAL, about 4 ms of every request (bench/README.md, "Load").
            "CONN_MAX_AGE": env_int("REFUGE_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the
                # busy timeout instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("REFUGE_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA secure_delete=ON;"
                    "PRAGMA journal_size_limit=0;"
                ),
            },
        }
    }


DATABASES = _databases()
# Build every organisation's name index in a background thread as soon as the vault is unsealed in
# a process (refuge.search.index), so that the first search does not wait for it.
REFUGE_SEARCH_BUILD_AT_UNSEAL = env_bool("REFUGE_SEARCH_BUILD_AT_UNSEAL", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Throttled password checks (refuge.accounts.throttle: no lockouts) and locked-down organisations.
AUTHENTICATION_BACKENDS = ["refuge.accounts.backends.RefugeBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Two-factor login (refuge.accounts.twofactor): lawyers and admins must use TOTP; anyone with a
# device uses it. REFUGE_REQUIRE_2FA=false exists for tests that log in with force_login.
REFUGE_REQUIRE_2FA = env_bool("REFUGE_REQUIRE_2FA", True)
# The demo organisation's users log in with the password alone (`make demo`); check-deploy refuses it.
REFUGE_DEMO_NO_2FA = env_bool("REFUGE_DEMO_NO_2FA", False)
OTP_TOTP_ISSUER = env_str("REFUGE_TOTP_ISSUER", "Refuge")
# Re-authentication (password, and code if enrolled) before sealing and exports.
REFUGE_REAUTH_SECONDS = env_int("REFUGE_REAUTH_SECONDS", 5 * 60, minimum=30)

# Django's database sessions, the read of every request compiled once (refuge.accounts.session_store).
SESSION_ENGINE = "refuge.accounts.session_store"
# Enforced by refuge.accounts.middleware.SessionPolicyMiddleware; the cookie dies with the absolute limit.
REFUGE_SESSION_IDLE_SECONDS = env_int("REFUGE_SESSION_IDLE_SECONDS", 15 * 60, minimum=60)
REFUGE_SESSION_ABSOLUTE_SECONDS = env_int("REFUGE_SESSION_ABSOLUTE_SECONDS", 8 * 3600, minimum=60)
SESSION_COOKIE_AGE = REFUGE_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SECURE_COOKIES = env_bool("REFUGE_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-refuge-session" if SECURE_COOKIES else "refuge-session"
CSRF_COOKIE_NAME = "__Host-refuge-csrf" if SECURE_COOKIES else "refuge-csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("REFUGE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("REFUGE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("REFUGE_HSTS_PRELOAD", False)
# Behind a TLS proxy: `refuge serve` (gunicorn) takes X-Forwarded-Proto from REFUGE_TRUSTED_PROXY's
# addresses only and sets the request's scheme from it; Django reads that scheme. Django's own
# SECURE_PROXY_SSL_HEADER stays None: it would believe the header from any client that reaches
# the server directly. check-deploy (refuge.E013) wants the proxy's address when behind one.
REFUGE_BEHIND_PROXY = env_bool("REFUGE_BEHIND_PROXY", False)
REFUGE_TRUSTED_PROXY = env_addresses("REFUGE_TRUSTED_PROXY")
SECURE_PROXY_SSL_HEADER = None

# No inline script, style or event handler anywhere: scripts come from our static files (and carry
# the response's nonce), styles from our stylesheet (refuge.accounts.checks holds this policy).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "en"
# The interface's languages (the client notice has more: refuge.filings). Names in their own language.
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "files"


def _vault_storage() -> dict[str, object]:
    """Where the vault's files live (refuge.vault.storage.VaultStorage writes only ciphertext there):
    a Django storage class, by default the files directory under the data dir, owner-only."""
    backend = os.environ.get("REFUGE_STORAGE_BACKEND", "").strip() or "django.core.files.storage.FileSystemStorage"
    raw = os.environ.get("REFUGE_STORAGE_OPTIONS", "").strip()
    if raw:
        try:
            options = json.loads(raw)
        except ValueError as exc:
            raise ImproperlyConfigured(f"REFUGE_STORAGE_OPTIONS must be a JSON object: {exc}") from None
        if not isinstance(options, dict):
            raise ImproperlyConfigured("REFUGE_STORAGE_OPTIONS must be a JSON object")
    elif backend == "django.core.files.storage.FileSystemStorage":
        options = {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}  # under MEDIA_ROOT
    else:
        options = {}
    return {"BACKEND": backend, "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "vault": _vault_storage(),
}
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("REFUGE_UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads are sealed chunk by chunk as they arrive; no handler may write a plaintext temporary file.
FILE_UPLOAD_HANDLERS = ["refuge.vault.storage.EncryptingUploadHandler"]
# Where those sealed chunks wait for the form to be saved: this data directory's own folder,
# emptied by `refuge serve` at start (a killed server leaves no upload behind).
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
VAULT_UPLOAD_MAX_BYTES = FILE_UPLOAD_MAX_MEMORY_SIZE

REFUGE_PAGE_SIZE = env_int("REFUGE_PAGE_SIZE", 50, minimum=5)
# The JSON API: requests one personal access token may make per window (shared by every process).
REFUGE_API_RATE_LIMIT = env_int("REFUGE_API_RATE_LIMIT", 300, minimum=1)
REFUGE_API_RATE_WINDOW_SECONDS = env_int("REFUGE_API_RATE_WINDOW_SECONDS", 60, minimum=1)
REFUGE_RULE_PACKS_DIR = env_str("REFUGE_RULE_PACKS_DIR", "")
# The Ed25519 key (PEM) that signs audit checkpoints; unset, `refuge audit` uses the one
# `refuge audit keygen` wrote to REFUGE_DATA_DIR/audit-signing.key. Usually set as ..._FILE.
REFUGE_AUDIT_SIGNING_KEY = env_secret("REFUGE_AUDIT_SIGNING_KEY")

# Scheduled backups (refuge/backup): `refuge worker` writes one every REFUGE_BACKUP_EVERY hours into
# REFUGE_BACKUP_DIR, encrypted to REFUGE_BACKUP_RECIPIENTS (age public keys, or a file of them),
# and keeps the newest REFUGE_BACKUP_KEEP. Unset REFUGE_BACKUP_DIR: no scheduled backup.
REFUGE_BACKUP_DIR = env_str("REFUGE_BACKUP_DIR", "").strip()
REFUGE_BACKUP_RECIPIENTS = env_age_recipients("REFUGE_BACKUP_RECIPIENTS")
REFUGE_BACKUP_EVERY = env_int("REFUGE_BACKUP_EVERY", 24, minimum=1)
REFUGE_BACKUP_KEEP = env_int("REFUGE_BACKUP_KEEP", 14, minimum=1)
if REFUGE_BACKUP_DIR and not REFUGE_BACKUP_RECIPIENTS:
    raise ImproperlyConfigured(
        "REFUGE_BACKUP_DIR is set but REFUGE_BACKUP_RECIPIENTS is empty: "
        "name the age public keys (age1…) that backups are encrypted to"
    )

# Alerts (refuge.alerts): where links in messages point, the mail server, webhooks, the worker.
REFUGE_BASE_URL = env_str("REFUGE_BASE_URL", "http://127.0.0.1:8000")
REFUGE_EMAIL_BACKEND = env_str("REFUGE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
REFUGE_SMTP_HOST = env_str("REFUGE_SMTP_HOST", "localhost")
REFUGE_SMTP_PORT = env_int("REFUGE_SMTP_PORT", 25, minimum=1)
REFUGE_SMTP_USER = env_str("REFUGE_SMTP_USER", "")
REFUGE_SMTP_PASSWORD = env_secret("REFUGE_SMTP_PASSWORD") or ""
REFUGE_SMTP_SECURITY = env_choice("REFUGE_SMTP_SECURITY", "none", ("none", "starttls", "tls"))
REFUGE_SMTP_TIMEOUT = env_int("REFUGE_SMTP_TIMEOUT", 20, minimum=1)
REFUGE_MAIL_FROM = env_str("REFUGE_MAIL_FROM", "Refuge alerts <refuge@localhost>")
REFUGE_WEBHOOK_ALLOW_PRIVATE = env_bool("REFUGE_WEBHOOK_ALLOW_PRIVATE", False)
REFUGE_WEBHOOK_TIMEOUT = env_int("REFUGE_WEBHOOK_TIMEOUT", 10, minimum=1)
REFUGE_ESCALATE_AFTER_MINUTES = env_int("REFUGE_ESCALATE_AFTER_MINUTES", 30, minimum=1)
REFUGE_ACK_LINK_DAYS = env_int("REFUGE_ACK_LINK_DAYS", 7, minimum=1)
REFUGE_ROTA_TIMEZONE = env_timezone("REFUGE_ROTA_TIMEZONE", "Europe/Moscow")
REFUGE_DIGEST_TIMEZONE = env_timezone("REFUGE_DIGEST_TIMEZONE", "Europe/Moscow")
REFUGE_DIGEST_HOUR = env_int("REFUGE_DIGEST_HOUR", 7, minimum=0)
if REFUGE_DIGEST_HOUR > 23:  # hours of a day
    raise ImproperlyConfigured(f"REFUGE_DIGEST_HOUR must be an hour from 0 to 23; got {REFUGE_DIGEST_HOUR}")
REFUGE_ALERT_LEASE_SECONDS = env_int("REFUGE_ALERT_LEASE_SECONDS", 60, minimum=1)
REFUGE_ALERT_RETRY_SECONDS = env_int("REFUGE_ALERT_RETRY_SECONDS", 10, minimum=1)
REFUGE_ALERT_MAX_ATTEMPTS = env_int("REFUGE_ALERT_MAX_ATTEMPTS", 12, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # URLs carry calendar-feed and acknowledge tokens: the filter blanks them out of every record.
    "filters": {"no_tokens": {"()": "refuge.lib.logs.NoTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_tokens"]}},
    "root": {"handlers": ["console"], "level": env_str("REFUGE_LOG_LEVEL", "INFO")},
    # Request bodies and query strings can hold client data: never log them.
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
