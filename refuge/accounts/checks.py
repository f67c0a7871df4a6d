"""Deploy checks for login, sessions and HTTP hardening (`refuge check-deploy`, STYLE.md §9).

Registered with deploy=True: `check --deploy` runs them beside Django's own. Every id is an error,
since a production server without any one of these is not one to put client data on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"
OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"
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
