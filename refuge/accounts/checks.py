"""Deploy checks for login, sessions and HTTP hardening (`refuge check-deploy`, STYLE.md §9).

Registered with deploy=True: `check --deploy` runs them beside Django's own. Every id is an error,
since a production server without any one of these is not one to put client data on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError
from django.utils.translation import gettext

from refuge.accounts import passkeys
from refuge.accounts.models import Organisation

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
OTP_MIDDLEWARE = "refuge.accounts.middleware.PreparedOTPMiddleware"  # django-otp's, its device read compiled
SESSION_MIDDLEWARE = "refuge.accounts.middleware.SessionPolicyMiddleware"
TWO_FACTOR_MIDDLEWARE = "refuge.accounts.middleware.TwoFactorMiddleware"
THROTTLED_BACKEND = "refuge.accounts.backends.RefugeBackend"
KNOWN_DEVICE_MIDDLEWARE = "refuge.accounts.middleware.KnownDeviceMiddleware"
IDLE_LIMIT = 15 * 60
ABSOLUTE_LIMIT = 8 * 3600
REQUIRED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'none'"},
    "object-src": {"'none'"},
}
UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"}


def _csp_problems() -> list[str]:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives: dict[str, Any] = policy.get("DIRECTIVES") or {}
    problems = []
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        problems.append(f"{CSP_MIDDLEWARE} is not in MIDDLEWARE")
    for name, needed in REQUIRED_CSP.items():
        values = {str(v) for v in directives.get(name) or ()}
        if not needed <= values:
            problems.append(f"{name} lacks {', '.join(sorted(needed - values))}")
        if name in ("script-src", "style-src", "default-src") and values & UNSAFE:
            problems.append(f"{name} allows {', '.join(sorted(values & UNSAFE))}")
    if policy.get("REPORT_ONLY"):
        problems.append("the policy is report-only")
    return problems


@register(Tags.security, deploy=True)
def check_login_and_headers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    csp = _csp_problems()
    if csp:
        messages.append(
            Error(
                "the Content-Security-Policy is missing or weak: " + "; ".join(csp),
                hint="keep refuge/settings.py's CONTENT_SECURITY_POLICY and csp.middleware.CSPMiddleware",
                id="refuge.E001",
            )
        )
    if not settings.PASSWORD_HASHERS or settings.PASSWORD_HASHERS[0] != ARGON2:
        messages.append(
            Error("Argon2 is not the first password hasher", hint=f"PASSWORD_HASHERS[0] = {ARGON2!r}", id="refuge.E002")
        )
    idle, absolute = settings.REFUGE_SESSION_IDLE_SECONDS, settings.REFUGE_SESSION_ABSOLUTE_SECONDS
    if idle > IDLE_LIMIT or absolute > ABSOLUTE_LIMIT or settings.SESSION_COOKIE_AGE > ABSOLUTE_LIMIT:
        messages.append(
            Error(
                f"sessions outlive the policy (idle {idle} s, absolute {absolute} s)",
                hint=(
                    f"REFUGE_SESSION_IDLE_SECONDS <= {IDLE_LIMIT} "
                    f"and REFUGE_SESSION_ABSOLUTE_SECONDS <= {ABSOLUTE_LIMIT}"
                ),
                id="refuge.E003",
            )
        )
    if SESSION_MIDDLEWARE not in settings.MIDDLEWARE:
        messages.append(Error("session limits are not enforced", hint=f"add {SESSION_MIDDLEWARE!r}", id="refuge.E004"))
    if not settings.REFUGE_REQUIRE_2FA or not {OTP_MIDDLEWARE, TWO_FACTOR_MIDDLEWARE} <= set(settings.MIDDLEWARE):
        messages.append(
            Error(
                "lawyers and admins can log in without a second factor",
                hint="unset REFUGE_REQUIRE_2FA (it defaults to true) and keep the OTP middleware",
                id="refuge.E005",
            )
        )
    if settings.REFUGE_DEMO_NO_2FA:
        messages.append(
            Error(
                "REFUGE_DEMO_NO_2FA is set: the demo organisation logs in with a published password alone",
                hint="unset REFUGE_DEMO_NO_2FA; it is for `make demo` only",
                id="refuge.E006",
            )
        )
    if settings.DEBUG:
        messages.append(
            Error("DEBUG is on: error pages show settings and data", hint="REFUGE_DEBUG=false", id="refuge.E007")
        )
    cookies_secure = settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    host_prefixed = settings.SESSION_COOKIE_NAME.startswith("__Host-") and settings.CSRF_COOKIE_NAME.startswith(
        "__Host-"
    )
    if not (cookies_secure and host_prefixed):
        messages.append(
            Error(
                "cookies are not Secure and __Host- prefixed: they can travel without TLS",
                hint="REFUGE_SECURE_COOKIES=true behind HTTPS",
                id="refuge.E008",
            )
        )
    throttled = list(settings.AUTHENTICATION_BACKENDS) == [THROTTLED_BACKEND] and (
        KNOWN_DEVICE_MIDDLEWARE in settings.MIDDLEWARE
    )
    if not throttled:
        messages.append(
            Error(
                "password guesses are not throttled (every backend must go through refuge.accounts.throttle)",
                hint=f"AUTHENTICATION_BACKENDS = [{THROTTLED_BACKEND!r}] and {KNOWN_DEVICE_MIDDLEWARE!r} in MIDDLEWARE",
                id="refuge.E009",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_proxy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Behind a TLS proxy, the server must know the proxy's address: it believes the scheme from no one else.

    Without it every request through the proxy looks like plain HTTP, and SECURE_SSL_REDIRECT
    answers each one with a redirect to itself, forever.
    """
    if settings.REFUGE_BEHIND_PROXY and not settings.REFUGE_TRUSTED_PROXY:
        return [
            Error(
                "REFUGE_BEHIND_PROXY is set but REFUGE_TRUSTED_PROXY is not: the proxy's X-Forwarded-Proto "
                "would be ignored and every HTTPS request redirected to itself",
                hint="REFUGE_TRUSTED_PROXY=the proxy's address as the server sees it (127.0.0.1 on the same host)",
                id="refuge.E020",
            )
        ]
    return []


def shared_secret_key_problem() -> str:
    """Why this server must not start (a translated sentence), or "": several machines need one secret key."""
    if settings.REFUGE_MULTI_HOST and not settings.REFUGE_SECRET_KEY_SHARED:
        return gettext(
            "REFUGE_MULTI_HOST is set but REFUGE_SECRET_KEY is not: each machine would make its own secret "
            "key, and sessions, forms and second-factor codes made on one machine would fail on the others. "
            "Give every machine the same REFUGE_SECRET_KEY_FILE (at least 50 random characters)."
        )
    return ""


@register(Tags.security, deploy=True)
def check_shared_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A deployment of several machines refuses a secret key generated on each (refuge serve does too)."""
    problem = shared_secret_key_problem()
    return [Error(problem, id="refuge.E021")] if problem else []


def passkey_policy_counts() -> tuple[int, int] | None:
    """(organisations requiring passkeys of admins and lawyers, all organisations); None without a database."""
    try:
        return Organisation.objects.filter(passkeys_required=True).count(), Organisation.objects.count()
    except DatabaseError:
        return None  # not migrated yet: no organisation has a policy


@register(Tags.security, deploy=True)
def check_passkey_policy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A policy requiring passkeys on a server reached by IP address would lock its admins and lawyers out."""
    counts = passkey_policy_counts()
    if not counts or not counts[0] or passkeys.available():
        return []
    return [
        Error(
            f"{counts[0]} organisation(s) require passkeys, but REFUGE_BASE_URL is not a host name: "
            "browsers make no passkey for an IP address, so their admins and lawyers could not log in",
            hint="REFUGE_BASE_URL=https://your.host (a name, with its DNS and certificate), "
            "or switch the policy off on the Users page",
            id="refuge.E014",
        )
    ]
