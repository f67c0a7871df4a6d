"""Small middleware that barely touches Django."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """No cache may keep what Django answers: case data, and the login, code and enrolment pages
    (a secret and recovery codes) before anyone is logged in. Static files are served before
    Django; should one reach it, it may be cached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        static = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None
        if not (static and request.path_info.startswith(static)):
            response["Cache-Control"] = "no-store"
        return response
