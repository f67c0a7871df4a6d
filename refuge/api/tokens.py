"""Personal access tokens: create (shown once), authenticate with a shared rate limit, revoke.

A token is `rfg_` and 43 characters of `secrets.token_urlsafe(32)` (256 bits): guessing is out of
reach, so a plain SHA-256 of it is enough to store (as GitHub stores its tokens), and a lookup is
one indexed equality. Each action writes its audit entry in the same transaction.

The rate limit is a fixed window per token, counted on the token's own row by conditional
UPDATEs (STYLE.md §5), so every server process, on every host, shares one count.

Tokens end with their user's sessions: when the account is disabled (accounts.models.User.save),
when the vault is sealed (vault.state.seal), and when an organisation is locked down
(accounts.actions.lock_down_organisation calls `revoke_tokens_of(organisation=...)`).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from refuge.api.models import ApiToken, Scope
from refuge.audit import actions as audit
from refuge.audit.events import EventType

if TYPE_CHECKING:
    from datetime import datetime

    from django.db.models import QuerySet
    from django.http import HttpRequest

    from refuge.accounts.models import Organisation, User

PREFIX = "rfg_"
MAX_DAYS = 365
MAX_ADDRESSES = 50  # the addresses a token remembers (keyed hashes); older ones are forgotten


class TokenError(ValueError):
    """The token cannot be made as asked; the message says why, in the active language."""


@dataclass(frozen=True)
class RateLimited(Exception):  # noqa: N818  # what the client is told: rate limited
    retry_after: int


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _organisation_of(user: User) -> Organisation | None:
    member = user.membership()
    return member.organisation if member is not None else None


@transaction.atomic
def create_token(
    *, user: User, name: str, scopes: list[str], days: int, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Make a token for the user; returns it with the secret, which is never shown again."""
    name = name.strip()
    if not name:
        raise TokenError(gettext("Give the token a name."))
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(gettext("A token lasts from 1 to %(days)s days.") % {"days": MAX_DAYS})
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise TokenError(gettext("Choose at least one of the scopes read, write and identity."))
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        digest=digest(secret),
        hint=secret[: len(PREFIX) + 6],
        scopes=[s for s in Scope.values if s in scopes],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit.record(
        type=EventType.API_TOKEN_CREATED,
        actor=user,
        target=token,
        data={"scopes": token.scopes, "days": days},
        request=request,
        organisation=_organisation_of(user),
    )
    return token, secret


def live_tokens(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=timezone.now())


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User, reason: str = "owner", request: HttpRequest | None = None) -> bool:
    """Revoke one token; False if it already was."""
    won = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now(), revoked_reason=reason)
    if won:
        audit.record(
            type=EventType.API_TOKEN_REVOKED,
            actor=actor,
            target=token,
            data={"reason": reason},
            request=request,
            organisation=_organisation_of(token.user),
        )
    return bool(won)


@transaction.atomic
def revoke_tokens_of(
    *, user: User | None = None, organisation: Organisation | None = None, reason: str, actor: User | None = None
) -> int:
    """Revoke every live token of a user, or of every member of an organisation (its lock-down)."""
    if (user is None) == (organisation is None):
        raise ValueError("name a user or an organisation")
    tokens = ApiToken.objects.filter(revoked_at=None)
    if user is not None:
        tokens = tokens.filter(user=user)
        org = _organisation_of(user)
    else:
        tokens = tokens.filter(user__membership_row__organisation=organisation)
        org = organisation
    codes = list(tokens.values_list("code", flat=True))
    if not codes:
        return 0
    ended = ApiToken.objects.filter(code__in=codes, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    for code in codes:
        audit.record(
            type=EventType.API_TOKEN_REVOKED,
            actor=actor,
            target=("apitoken", code),
            data={"reason": reason},
            organisation=org,
        )
    return int(ended)


def revoke_all_tokens(*, reason: str = "sealed") -> int:
    """Revoke every live token (the vault is sealed: every session ends, tokens too)."""
    with transaction.atomic():
        ended = ApiToken.objects.filter(revoked_at=None).update(revoked_at=timezone.now(), revoked_reason=reason)
        if ended:
            try:  # in a savepoint: a broken audit log must never keep a token alive
                with transaction.atomic():
                    audit.record(
                        type=EventType.API_TOKEN_REVOKED,
                        actor=None,
                        target=("vault", ""),
                        data={"reason": reason, "tokens": ended},
                    )
            except DatabaseError:
                pass
    return int(ended)


def _count(token: ApiToken, now: datetime) -> int | None:
    """Count one request in the token's window; the seconds to wait when the window is full."""
    window_seconds = settings.REFUGE_API_RATE_WINDOW_SECONDS
    limit = settings.REFUGE_API_RATE_LIMIT
    stamp = now.timestamp()
    window = int(stamp // window_seconds)
    rows = ApiToken.objects.filter(pk=token.pk)
    for _ in range(2):  # a second pass when another process opened the window between the two UPDATEs
        if rows.filter(rate_window=window, rate_count__lt=limit).update(
            rate_count=F("rate_count") + 1, last_used_at=now
        ):
            return None
        if rows.filter(rate_window__lt=window).update(rate_window=window, rate_count=1, last_used_at=now):
            return None
    return max(1, math.ceil((window + 1) * window_seconds - stamp))


def authenticate(secret: str, request: HttpRequest) -> ApiToken | None:
    """The live token this secret is, counted against its rate limit (RateLimited when over it)."""
    if not secret.startswith(PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at=None, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    member = token.user.membership()
    if member is None or member.organisation.locked_down_at is not None:
        return None  # a locked-down organisation's tokens were revoked; none made since may serve either
    wait = _count(token, now)
    if wait is not None:
        raise RateLimited(retry_after=wait)
    address = audit.client_ip_hash(request)
    if address and address not in token.addresses:
        _note_address(token, address, request)
    return token


@transaction.atomic
def _note_address(token: ApiToken, address: str, request: HttpRequest) -> None:
    fresh = ApiToken.objects.select_for_update().get(pk=token.pk)
    if address in fresh.addresses:
        return
    fresh.addresses = [*fresh.addresses, address][-MAX_ADDRESSES:]
    fresh.save(update_fields=["addresses"])
    audit.record(
        type=EventType.API_TOKEN_NEW_ADDRESS,
        actor=token.user,
        target=token,
        request=request,
        organisation=_organisation_of(token.user),
    )
