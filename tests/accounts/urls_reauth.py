"""Refuge's URLs plus an export wired as every export view must be: behind require_recent_auth."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from refuge.accounts.decorators import require_recent_auth


@login_required
@require_recent_auth
def export(request: HttpRequest) -> HttpResponse:
    return HttpResponse('{"cases": []}', content_type="application/json")


urlpatterns = [
    path("test-export/", export, name="test_export"),
    path("", include("refuge.urls")),
]
