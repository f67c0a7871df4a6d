"""The operator unseal page (no login: the key material is the credential) and the operators' seal button.

Sealing stops every organisation, so it is a server operator's act (User.is_server_operator: a
user granted `refuge operator grant`, or an admin when the deployment has one organisation). An
organisation's admin locks down her own organisation instead (refuge.accounts.users).

In the accounts app, above the vault, because the pages use its throttle, re-authentication and
operator role; their URLs stay under /vault/ (accounts/vault_urls.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from refuge.accounts import throttle
from refuge.accounts.decorators import require_recent_auth
from refuge.vault import keys, state
from refuge.vault.models import RootKeySource

if TYPE_CHECKING:
    from refuge.accounts.requests import AuthenticatedRequest


def _render(
    request: HttpRequest, *, status: int, error: str = "", progress: tuple[int, int] | None = None
) -> HttpResponse:
    try:
        active = keys.active_root_key()
    except keys.VaultNotInitialised:
        active = None
    context = {
        "sealed": state.is_sealed(),
        "initialised": active is not None,
        "source": active.source if active else "",
        "threshold": int(active.params.get("threshold", 0)) if active else 0,
        "held": progress[0] if progress else state.pending_share_count(),
        "dev_key": keys.dev_key_exists(),
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "vault/unseal.html", context, status=status)


def _after_unseal(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    allowed = {request.get_host()}
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        target = reverse("login")
    return HttpResponseRedirect(target, status=303)


@never_cache
@require_http_methods(["GET", "POST"])
def unseal_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" or not state.is_sealed():
        return _render(request, status=200 if not state.is_sealed() else 503)
    try:
        active = keys.active_root_key()
    except keys.VaultNotInitialised:
        return _render(request, status=503)
    # Guessing a passphrase or shares from one address is slowed down (the operators' own tool
    # on the host comes from another address than a guesser's).
    wait = throttle.address_wait(request, "unseal", free=throttle.UNSEAL_FREE, max_delay=throttle.UNSEAL_MAX_DELAY)
    if wait:
        response = _render(request, status=429, error=f"too many failed attempts from this address: wait {wait} s")
        response["Retry-After"] = str(wait)
        return response
    try:
        if active.source == RootKeySource.PASSPHRASE:
            state.unseal_with_passphrase(request.POST.get("passphrase", ""))
        elif active.source == RootKeySource.SHARES:
            held, threshold = state.submit_shares(request.POST.get("shares", "").splitlines())
            if state.is_sealed():
                return _render(request, status=202, progress=(held, threshold))
        else:
            state.unseal_with_dev_key()
    except state.UnsealError as exc:
        throttle.address_failed(request, "unseal")
        return _render(request, status=403, error=str(exc))
    return _after_unseal(request)


@require_POST
@login_required
@require_recent_auth  # a stolen, still-open admin session cannot seal on its own
def seal_now(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.is_server_operator():
        raise Http404("No such page")
    state.seal(reason=f"seal button (user {request.user.code})", actor=request.user)
    return HttpResponseRedirect(reverse("vault_unseal"))
