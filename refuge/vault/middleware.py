"""While the vault is sealed, answer 503 with a plain page for everything but a few public pages.

Place it right after SecurityMiddleware: a sealed request touches no session, no user, no case.
On every request (unsealed) it also follows other processes through `state.check_control()`:
a `refuge seal` elsewhere drops the keys here before this request reaches a view. Sealed, it
first asks the host's key agent (refuge.vault.agent) whether another process was unsealed meanwhile.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.html import escape

from refuge.vault import state

logger = logging.getLogger("refuge.vault")

# URL names that answer while sealed: nothing on them reads a case.
OPEN_WHEN_SEALED = frozenset({"login", "logout", "vault_unseal", "health"})

SEALED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sealed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Sealed</h1>
<p>This Refuge server is sealed: it holds no key and shows no case data.</p>
<p>Operators: <a href="{unseal}">unseal it</a>.</p></main></body></html>
"""


def _open_when_sealed(request: HttpRequest) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None
    if static and request.path_info.startswith(static):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.url_name in OPEN_WHEN_SEALED


def sealed_response() -> HttpResponse:
    try:
        unseal_url = reverse("vault_unseal")
    except NoReverseMatch:  # the page must render even before the vault's URLs are wired in
        unseal_url = "/vault/unseal/"
    response = HttpResponse(SEALED_PAGE.format(unseal=escape(unseal_url)), status=503)
    response["Cache-Control"] = "no-store"
    response["Retry-After"] = "60"
    return response


def sealed_problem() -> HttpResponse:
    """The API's answer while sealed: an RFC 9457 problem a client can act on (retry later)."""
    body = {
        "type": "urn:refuge:problem:sealed",
        "title": "Sealed: this server holds no key and shows no case data",
        "status": 503,
        "errors": [],
    }
    response = HttpResponse(json.dumps(body), status=503, content_type="application/problem+json")
    response["Cache-Control"] = "no-store"
    response["Retry-After"] = "60"
    return response


class SealedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if state.is_sealed():
            if not state.try_dev_unseal():
                state.try_agent_unseal()  # unsealed through another worker, or by `refuge unseal` on the host
        else:
            state.check_control()
        if state.is_sealed() and not _open_when_sealed(request):
            if request.path_info.startswith("/api/"):
                return sealed_problem()
            return sealed_response()
        return self.get_response(request)
