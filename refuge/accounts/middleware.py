"""Session limits and the second factor, enforced on every request (after django-otp's middleware)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from refuge.accounts import passkeys, sessions, throttle, twofactor
from refuge.accounts.models import User
from refuge.lib.prepared import Prepared

# Instants are rewritten at most this often, so that most requests do not write their session.
SEEN_RESOLUTION = 10.0
# Pages a half-logged-in or unverified session may reach.
OPEN_URL_NAMES = frozenset({"logout"})
# Pages a login that must first add a passkey may reach.
PASSKEY_SETUP_URL_NAMES = frozenset({"logout", "passkey_add"})


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows with a full page load instead of swapping the page into a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def login_url(request: HttpRequest) -> str:
    url = reverse(settings.LOGIN_URL)
    if request.method == "GET" and not request.headers.get("HX-Request"):
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class SessionPolicyMiddleware:
    """Ends a session idle for REFUGE_SESSION_IDLE_SECONDS or older than REFUGE_SESSION_ABSOLUTE_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            ended = self._check(request)
            if ended:
                logout(request)
                messages.info(request, ended)
                return redirect(request, login_url(request))
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> str:
        session = request.session
        now = time.time()
        auth_at, seen_at = session.get(sessions.AUTH_AT), session.get(sessions.SEEN_AT)
        if auth_at is None or seen_at is None:  # a session made before these limits, or by hand
            sessions.stamp(session, now=now)
            sessions.record(request.user, session)  # type: ignore[arg-type]  # authenticated: a User
            return ""
        if now - float(auth_at) > settings.REFUGE_SESSION_ABSOLUTE_SECONDS:
            hours = settings.REFUGE_SESSION_ABSOLUTE_SECONDS / 3600
            return gettext("You were logged out: sessions last at most %(hours)s hours. Please log in again.") % {
                "hours": f"{hours:g}"
            }
        if now - float(seen_at) > settings.REFUGE_SESSION_IDLE_SECONDS:
            minutes = settings.REFUGE_SESSION_IDLE_SECONDS / 60
            return gettext("You were logged out after %(minutes)s minutes without activity. Please log in again.") % {
                "minutes": f"{minutes:g}"
            }
        if now - float(seen_at) >= SEEN_RESOLUTION:
            session[sessions.SEEN_AT] = now
        return ""


class TwoFactorMiddleware:
    """A session that needs a second factor and has none verified goes back to the code page; one
    that must add a passkey (the organisation's policy, refuge.accounts.passkeys) goes to that page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # installed by django-otp's middleware
            and twofactor.requires_second_factor(user)
            and _url_name(request) not in OPEN_URL_NAMES
        ):
            backend = request.session.get(BACKEND_SESSION_KEY)
            next_url = request.get_full_path() if request.method == "GET" else ""
            half = User.objects.get(pk=user.pk)
            half.backend = backend
            logout(request)
            twofactor.begin(request, half, next_url=next_url)
            return redirect(request, reverse("two_factor"))
        if (
            user.is_authenticated
            and request.session.get(passkeys.SETUP_REQUIRED)
            and _url_name(request) not in PASSKEY_SETUP_URL_NAMES
        ):
            # The organisation requires a passkey and this login has none yet: no page before it is added.
            url = reverse("passkey_add")
            if request.method == "GET" and not request.headers.get("HX-Request"):
                url = f"{url}?{urlencode({'next': request.get_full_path()})}"
            return redirect(request, url)
        return self.get_response(request)


REMEMBER_ATTR = "refuge_remember_device"  # set on the request by a completed login (signals.py)


class KnownDeviceMiddleware:
    """Gives a browser that just completed a login the device cookie for that name (throttle.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        username = getattr(request, REMEMBER_ATTR, None)
        if username:
            throttle.remember_device(request, response, username)
        return response


class UserLanguageMiddleware:
    """A logged-in user's chosen language (the account page) over the browser's (LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


@functools.cache
def _device_read(label: str) -> Prepared[Device]:
    """A device model's read by id (the model by its label), compiled once per connection."""
    device_cls = apps.get_model(label)
    return Prepared(lambda pk: device_cls.objects.filter(id=pk))


class PreparedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, reading the session's device (every request of a verified login) with a
    read compiled once per connection and device model (refuge.lib.prepared) instead of a queryset."""

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        # Device.from_persistent_id's parsing and refusals, then the prepared read of `.first()`.
        persistent_id = self._normalize_persistent_id(persistent_id)
        try:
            model_label, device_id = persistent_id.rsplit("/", 1)
            app_label, model_name = model_label.split(".")
            device_cls = apps.get_model(app_label, model_name)
            key = int(device_id)
        except (ValueError, LookupError):
            return None
        if not issubclass(device_cls, Device):
            return super()._device_from_persistent_id(persistent_id)  # what django-otp makes of it
        return _device_read(device_cls._meta.label_lower).first(key)
