"""`require_recent_auth`: the password (and code, or passkey if she has one) within the last REFUGE_REAUTH_SECONDS.

For what a stolen, still-open session must not do on its own: seal the vault, export cases,
reveal identity, reset another user's second factor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from refuge.accounts.sessions import REAUTH_AT

View = Callable[..., HttpResponse]


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(REAUTH_AT)
    return at is not None and time.time() - float(at) <= settings.REFUGE_REAUTH_SECONDS


def _come_back_to(request: HttpRequest) -> str:
    """Where to return after re-authenticating: this page, or for a POST the page its form was on."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse(settings.LOGIN_REDIRECT_URL)


def require_recent_auth(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not recently_authenticated(request):
            url = f"{reverse('reauth')}?{urlencode({'next': _come_back_to(request)})}"
            return HttpResponseRedirect(url, status=303 if request.method != "GET" else 302)
        return view(request, *args, **kwargs)

    return wrapper
