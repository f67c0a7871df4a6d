"""Throttling of password guesses, without lockouts (OWASP: "Slow down online guessing attacks with
device cookies"). Counters live in the database, so every server process shares them.

Four counters of failed logins, each forgotten WINDOW after its last failure:

- per address (any username): past ADDRESS_LIMIT failures, the address is refused until its
  window ends, so one machine cannot spray many names;
- per (username, address): past PAIR_LIMIT failures, that address is refused for that name;
- per username, from devices not known for it: past USERNAME_FREE failures each further attempt
  waits USERNAME_BASE_DELAY * 2^(n - USERNAME_FREE) seconds after the last failure, at most
  USERNAME_MAX_DELAY: however many addresses an attacker has, a name gets at most
  USERNAME_FREE + 3600 / USERNAME_MAX_DELAY guesses an hour (65 with the values below);
- per known device: a browser that completed a login (password and second factor) for a name
  carries a signed cookie (the name and a random nonce). With it, the username counter does not
  apply: the owner on her own device is not slowed by an attacker elsewhere. A device cookie
  gets DEVICE_LIMIT failures per window, then it is ignored (treated as unknown) until the window
  ends, so a stolen cookie does not buy unlimited guesses.

A refused attempt checks no password. Nothing here locks an account: waiting is the worst case,
and `refuge unlock NAME` (or the user's admin page) clears a name's counters.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from refuge.accounts.models import LoginThrottle
from refuge.audit.actions import keyed_hash

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

WINDOW = timedelta(minutes=15)
ADDRESS_LIMIT = 100
PAIR_LIMIT = 10
USERNAME_FREE = 5
USERNAME_BASE_DELAY = 1.0
USERNAME_MAX_DELAY = 60.0
DEVICE_LIMIT = 10
DEVICE_COOKIE = "refuge_device"
DEVICE_COOKIE_AGE = 180 * 24 * 3600
_SALT = "refuge.accounts.device"
_REQUEST_ATTR = "_refuge_known_device"


@dataclass(frozen=True)
class Verdict:
    wait: int  # seconds before another attempt is checked; 0: check it now
    known_device: bool


def _username_key(username: str) -> str:
    return keyed_hash("throttle.username", username.casefold())


def _address(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR") or "") if request is not None else ""


def _keys(username: str, address: str, nonce: str | None) -> dict[str, str]:
    """The counters an attempt touches, by scope (a keyed hash each)."""
    keys = {
        "address": keyed_hash("throttle.address", address),
        "pair": keyed_hash("throttle.pair", f"{username.casefold()} {address}"),
        "username": _username_key(username),
    }
    if nonce:
        keys["device"] = keyed_hash("throttle.device", nonce)
    return keys


def device_nonce(request: HttpRequest | None, username: str) -> str | None:
    """The nonce of this browser's device cookie if it is valid and for this username."""
    if request is None:
        return None
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        body = signing.loads(value, salt=_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(body, dict) or body.get("u") != _username_key(username) or not isinstance(body.get("n"), str):
        return None
    return str(body["n"])


def _rows(keys: dict[str, str]) -> dict[str, tuple[int, datetime]]:
    """scope -> (failures, time of the last) for counters still inside their window."""
    stale = timezone.now() - WINDOW
    by_key = {k: scope for scope, k in keys.items()}
    found: dict[str, tuple[int, datetime]] = {}
    for key, failures, last in LoginThrottle.objects.filter(key__in=by_key).values_list(
        "key", "failures", "last_failure_at"
    ):
        if last > stale:
            found[by_key[key]] = (int(failures), last)
    return found


def _counts(keys: dict[str, str]) -> dict[str, tuple[int, float]]:
    """scope -> (failures, seconds since the last) for counters still inside their window."""
    now = timezone.now()
    return {scope: (n, (now - last).total_seconds()) for scope, (n, last) in _rows(keys).items()}


def _username_delay(failures: int) -> float:
    if failures < USERNAME_FREE:
        return 0.0
    return float(min(USERNAME_MAX_DELAY, USERNAME_BASE_DELAY * 2 ** (failures - USERNAME_FREE)))


def check(request: HttpRequest | None, username: str) -> Verdict:
    """Whether an attempt for this username from this request may have its password checked now."""
    nonce = device_nonce(request, username)
    keys = _keys(username, _address(request), nonce)
    found = _rows(keys)
    now = timezone.now()
    counts = {scope: (n, (now - last).total_seconds()) for scope, (n, last) in found.items()}
    window = WINDOW.total_seconds()
    waits = [0.0]
    failures, age = counts.get("address", (0, 0.0))
    if failures >= ADDRESS_LIMIT:
        waits.append(window - age)
    failures, age = counts.get("pair", (0, 0.0))
    if failures >= PAIR_LIMIT:
        waits.append(window - age)
    known = nonce is not None and counts.get("device", (0, 0.0))[0] < DEVICE_LIMIT
    if not known:
        failures, age = counts.get("username", (0, 0.0))
        waits.append(_username_delay(failures) - age)
    if request is not None:
        setattr(request, _REQUEST_ATTR, known)
    wait = max(waits)
    if wait <= 0 and not known and counts.get("username", (0, 0.0))[0] >= USERNAME_FREE:
        # A slowed name's next guess is claimed with a conditional UPDATE (STYLE.md §5): of
        # requests sent at once when its wait ends, one is checked and the others wait again.
        last = found["username"][1]
        if not LoginThrottle.objects.filter(key=keys["username"], last_failure_at=last).update(last_failure_at=now):
            wait = USERNAME_BASE_DELAY
    return Verdict(wait=int(wait) + 1 if wait > 0 else 0, known_device=known)


def _bump(key: str, username_key: str) -> None:
    now = timezone.now()
    stale = now - WINDOW
    # Counted with conditional UPDATEs (STYLE.md §5): a counter past its window starts again.
    if LoginThrottle.objects.filter(key=key, last_failure_at__lt=stale).update(failures=1, last_failure_at=now):
        return
    if LoginThrottle.objects.filter(key=key).update(failures=F("failures") + 1, last_failure_at=now):
        return
    try:
        with transaction.atomic():
            LoginThrottle.objects.create(key=key, username_key=username_key, failures=1, last_failure_at=now)
    except IntegrityError:  # another process made it first
        LoginThrottle.objects.filter(key=key).update(failures=F("failures") + 1, last_failure_at=now)


def failed(request: HttpRequest | None, username: str) -> None:
    """Count a failed attempt against every counter it touches."""
    nonce = device_nonce(request, username)
    keys = _keys(username, _address(request), nonce)
    known = getattr(request, _REQUEST_ATTR, nonce is not None)
    name_key = keys["username"]
    for scope, key in keys.items():
        if scope == "username" and known:
            continue  # the owner's own device does not slow her name down for everyone else
        _bump(key, name_key if scope != "address" else "")


def clear(username: str) -> int:
    """Forget a username's counters (every address's too); returns the counters removed."""
    removed, _ = LoginThrottle.objects.filter(username_key=_username_key(username)).delete()
    return int(removed)


def is_slowed(username: str) -> bool:
    """Whether attempts for this name from unknown devices must wait now (for the admin's user page)."""
    counts = _counts({"username": _username_key(username)})
    failures, age = counts.get("username", (0, 0.0))
    return _username_delay(failures) > age


# --- Other guesses by address: the unseal page ------------------------------------------------------

UNSEAL_FREE = 5
UNSEAL_MAX_DELAY = 300.0


def address_wait(request: HttpRequest, scope: str, *, free: int, max_delay: float) -> int:
    """Seconds this address must wait before another guess of this kind (0: none), doubling from 1 s."""
    key = keyed_hash(f"throttle.{scope}", _address(request))
    failures, age = _counts({"it": key}).get("it", (0, 0.0))
    if failures < free:
        return 0
    wait = min(max_delay, 2.0 ** (failures - free)) - age
    return int(wait) + 1 if wait > 0 else 0


def address_failed(request: HttpRequest, scope: str) -> None:
    _bump(keyed_hash(f"throttle.{scope}", _address(request)), "")


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a complete login: mark this browser as a device known for this username."""
    nonce = device_nonce(request, username) or secrets.token_urlsafe(18)
    value = signing.dumps({"u": _username_key(username), "n": nonce}, salt=_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
