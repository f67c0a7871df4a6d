"""Pages of the API: its documentation (rendered here from the OpenAPI document, no CDN), and the
account page's personal access tokens (made, shown once, revoked)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from refuge.accounts.decorators import require_recent_auth
from refuge.api import tokens
from refuge.api.forms import TokenForm
from refuge.api.main import api
from refuge.api.models import ApiToken

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from refuge.accounts.requests import AuthenticatedRequest

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            op = operations.get(method)
            if op is None:
                continue
            out.append(
                {
                    "id": op.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": ", ".join(op.get("tags", [])),
                    "parameters": op.get("parameters", []),
                    "responses": sorted(str(s) for s in op.get("responses", {})),
                }
            )
    return out


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """Every operation of the contract, from the same OpenAPI document clients read."""
    schema = api.get_openapi_schema(path_params={})
    context = {
        "info": schema["info"],
        "operations": _operations(schema),
        "webhooks": sorted(schema.get("webhooks", {})),
        "openapi_url": reverse("api:openapi-json"),
    }
    return render(request, "api/docs.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@require_recent_auth
def token_create(request: HttpRequest) -> HttpResponse:
    """Make a token; its secret is shown on the answer to this POST, once, and never stored."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            token, secret = tokens.create_token(
                user=request.user,  # type: ignore[arg-type]  # login_required: a User
                name=d["name"],
                scopes=list(d["scopes"]),
                days=d["days"],
                request=request,
            )
        except tokens.TokenError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_new.html", {"form": form}, status=422 if form.errors else 200)


@require_POST
@login_required
def token_revoke(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """Revoke one of one's own tokens (anyone else's answers 404)."""
    token = ApiToken.objects.filter(user=request.user, code=code).select_related("user").first()
    if token is None:
        raise Http404("No such token")
    if tokens.revoke_token(token=token, actor=request.user, request=request):
        messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("account") + "#tokens")
