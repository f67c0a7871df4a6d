"""What every page view shares: HTMX detection and rendering helpers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

# A form that did not validate: the page (or fragment) comes back with the errors and the input.
INVALID = 422


def is_htmx(request: HttpRequest) -> bool:
    """A request from htmx for a fragment (a history restore wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
    retarget: str | None = None,
) -> HttpResponse:
    """The whole page, or for htmx the fragment template (optionally swapped somewhere else)."""
    htmx = is_htmx(request)
    response = render(request, fragment if htmx and fragment else template, context, status=status)
    if htmx and retarget:
        response["HX-Retarget"] = retarget
        response["HX-Reswap"] = "outerHTML"
    patch_vary_headers(response, ["HX-Request"])
    return response


def has_errors(*forms: Any) -> bool:
    """Whether any bound form or formset has errors (a formset's `errors` is a list of dicts)."""
    for form in forms:
        if not form.is_bound:
            continue
        if hasattr(form, "non_form_errors"):
            if any(form.errors) or form.non_form_errors():
                return True
        elif form.errors:
            return True
    return False
