"""Who calls the API: a personal access token (Bearer), or the browser's session with its CSRF token.

A token carries the scopes it was made with. A session acts with the pages' rights: read and
write, and identity only within REFUGE_REAUTH_SECONDS of typing the password (as the page's export
asks). Unsafe methods over a session need Django's CSRF token (ninja's cookie check), so another
site cannot make a logged-in browser write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from ninja.security import APIKeyCookie, HttpBearer

from refuge.accounts.decorators import recently_authenticated
from refuge.api import tokens
from refuge.api.models import Scope
from refuge.api.problems import ScopeMissing

if TYPE_CHECKING:
    from django.http import HttpRequest

    from refuge.accounts.models import User
    from refuge.api.models import ApiToken


@dataclass(frozen=True)
class Caller:
    user: User
    scopes: frozenset[str]
    token: ApiToken | None = None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer rfg_…`, a personal access token made on the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        found = tokens.authenticate(token, request)
        if found is None:
            return None
        return Caller(user=found.user, scopes=found.scope_set, token=found)


class SessionCookieAuth(APIKeyCookie):
    """The browser's login session; ninja checks the CSRF token on unsafe methods."""

    def __init__(self) -> None:
        super().__init__(csrf=True)
        self.param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check may read a form-encoded body as request.POST, which consumes the stream:
        # read the body first, so that the operation can still parse it (and answer 422, not 500).
        request.body  # noqa: B018  # cached on the request by this access
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user: Any = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        scopes = {Scope.READ, Scope.WRITE}
        if recently_authenticated(request):
            scopes.add(Scope.IDENTITY)
        return Caller(user=user, scopes=frozenset(str(s) for s in scopes))


def caller(request: HttpRequest, *scopes: str) -> User:
    """The calling user, once the scopes are checked (403 problem when one is missing)."""
    who: Caller = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    missing = [s for s in scopes if s not in who.scopes]
    if missing:
        raise ScopeMissing(missing)
    return who.user


def has_scope(request: HttpRequest, scope: str) -> bool:
    who: Caller = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    return scope in who.scopes
