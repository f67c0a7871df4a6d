"""Errors as RFC 9457 problem details (`application/problem+json`), each bad field by its JSON path.

`errors` lists what is wrong: `location` says where (body, query, path, header) and `path` which value —
a JSON path into the body (`$.events[1].at`, as the case-file validator names them) or the
parameter's name. Messages name fields, never a client's value.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpResponse
from django.views.defaults import page_not_found
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from refuge.api.tokens import RateLimited
from refuge.casefile.validate import CaseFileError

if TYPE_CHECKING:
    from django.http import HttpRequest
    from ninja import NinjaAPI

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:refuge:problem:"


class FieldProblem(Schema):
    location: str = Field(description="body, query, path or header (case: what the case lacks)")
    path: str = Field(description="A JSON path into the body ($.events[1].at), or the parameter's name")
    message: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str = ""
    errors: list[FieldProblem] = []


class ScopeMissing(Exception):  # noqa: N818  # what the client is told: a scope is missing
    def __init__(self, scopes: list[str]) -> None:
        super().__init__(", ".join(scopes))
        self.scopes = scopes


def problem(
    status: int, kind: str, title: str, detail: str = "", errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail}
    body["errors"] = errors or []
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE)


def json_path(parts: list[Any] | tuple[Any, ...]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        loc = list(error.get("loc") or [])
        where = str(loc[0]) if loc else "body"
        rest = loc[1:]
        # In the body ninja names the body parameter first (`payload`); the client never sees that name.
        path = json_path(rest[1:]) if where == "body" else ".".join(str(p) for p in rest) or where
        out.append({"location": where, "path": path, "message": str(error.get("msg", "invalid"))})
    return out


def install(api: NinjaAPI) -> None:
    """Every error the API answers, as a problem."""

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return problem(422, "invalid", "The request is not valid", errors=_field_errors(list(exc.errors)))

    @api.exception_handler(CaseFileError)
    def invalid_casefile(request: HttpRequest, exc: CaseFileError) -> HttpResponse:
        errors = [{"location": "body", "path": p.path, "message": p.message} for p in exc.problems]
        return problem(422, "invalid-case", "The case file it would make is not valid", errors=errors)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "not-found", "Not found")  # missing and forbidden alike: nothing more

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(401, "unauthenticated", "A valid personal access token is needed")
        response["WWW-Authenticate"] = 'Bearer realm="refuge"'
        return response

    @api.exception_handler(ScopeMissing)
    def scope_missing(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
        response = problem(403, "insufficient-scope", "The token lacks a scope", f"needs: {exc}")
        response["WWW-Authenticate"] = f'Bearer realm="refuge", error="insufficient_scope", scope="{exc}"'
        return response

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = problem(429, "rate-limited", "Too many requests", f"retry after {exc.retry_after} seconds")
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        kind = "csrf" if exc.status_code == 403 else "error"
        return problem(exc.status_code, kind, str(exc.message))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 (handler404): a problem under /api/, the page elsewhere."""
    if request.path_info.startswith("/api/"):
        return problem(404, "not-found", "Not found")
    return page_not_found(request, exception)
