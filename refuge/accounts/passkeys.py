"""Passkeys (WebAuthn) with py_webauthn: the relying party, the organisation's policy, the ceremonies.

The relying party is the host of REFUGE_BASE_URL and the only origin accepted is that URL's
scheme, host and port, compared exactly: an assertion made for a look-alike page (another host, a
plain-HTTP copy, another port) fails, which is what makes a passkey unphishable where a TOTP code
is not. A passkey needs a host name: browsers refuse an IP address as relying party id.

Each ceremony is a challenge kept in the session under its purpose ("register", "login",
"reauth") for CHALLENGE_SECONDS and used once: verifying pops it, so a replayed response meets no
challenge. The page carries the options as JSON (`json_script`); refuge/static/refuge/passkeys.js
calls navigator.credentials and posts the credential back in an ordinary form.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import generate_user_handle, options_to_json_dict, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from refuge.accounts.models import Passkey, Role, User

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger("refuge.accounts")

CHALLENGES = "refuge_passkey_challenges"
SETUP_REQUIRED = "refuge_passkey_setup"  # in the session: this login must add a passkey before anything else
CHALLENGE_SECONDS = 5 * 60
TIMEOUT_MS = 120_000
ROLES_THE_POLICY_COVERS = frozenset({Role.ADMIN, Role.LAWYER})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class PasskeyError(Exception):
    """A ceremony that cannot start or did not verify; the message is for the user, in the request's language."""


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    name: str = "Refuge"


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def relying_party() -> RelyingParty:
    """The RP id and the one origin, from REFUGE_BASE_URL (read per call: settings change in tests)."""
    base = urlsplit(settings.REFUGE_BASE_URL)
    host = (base.hostname or "").lower()
    scheme = base.scheme.lower()
    if not host or scheme not in _DEFAULT_PORTS:
        raise PasskeyError(gettext("Passkeys are not available: REFUGE_BASE_URL is not an http(s) address."))
    if is_ip_address(host):
        raise PasskeyError(
            gettext("Passkeys are not available: Refuge is reached by an IP address, and a passkey needs a host name.")
        )
    port = base.port
    origin = f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")
    return RelyingParty(id=host, origin=origin)


def available() -> bool:
    try:
        relying_party()
    except PasskeyError:
        return False
    return True


# --- the policy -------------------------------------------------------------------------------


def has_passkey(user: User) -> bool:
    return Passkey.objects.filter(user=user, confirmed=True).exists()


def required_for(user: User) -> bool:
    """The user's organisation requires a passkey of its admins and lawyers, and the user is one."""
    member = user.membership()
    return bool(member and member.organisation.passkeys_required and member.role in ROLES_THE_POLICY_COVERS)


def totp_allowed(user: User) -> bool:
    """A code from the app logs in, unless the policy covers the user and the organisation refused the fallback.

    Recovery codes are not TOTP: they always log in (and are audited).
    """
    member = user.membership()
    return not (required_for(user) and member is not None and not member.organisation.totp_fallback)


def verification_required(user: User) -> bool:
    """Admins must unlock the authenticator (PIN or biometrics), not just touch it."""
    member = user.membership()
    return user.is_superuser or bool(member and member.role == Role.ADMIN)


def _uv(user: User) -> UserVerificationRequirement:
    return (
        UserVerificationRequirement.REQUIRED if verification_required(user) else UserVerificationRequirement.PREFERRED
    )


# --- challenges -------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _remember(request: HttpRequest, purpose: str, challenge: bytes, *, user_handle: bytes = b"") -> None:
    kept = dict(request.session.get(CHALLENGES) or {})
    kept[purpose] = {"challenge": _b64(challenge), "handle": _b64(user_handle), "at": time.time()}
    request.session[CHALLENGES] = kept


def _take(request: HttpRequest, purpose: str) -> tuple[bytes, bytes]:
    """The purpose's (challenge, user handle), removed from the session (used once); PasskeyError if none is live."""
    kept = dict(request.session.get(CHALLENGES) or {})
    entry = kept.pop(purpose, None)
    request.session[CHALLENGES] = kept
    if not isinstance(entry, dict) or time.time() - float(entry.get("at", 0)) > CHALLENGE_SECONDS:
        raise PasskeyError(gettext("That took too long, or the page was used twice. Try again."))
    return base64.b64decode(entry["challenge"]), base64.b64decode(entry.get("handle") or "")


def _credential(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise PasskeyError(gettext("The browser sent no passkey. Try again."))
    return value


# --- registration -----------------------------------------------------------------------------


def user_handle_of(user: User) -> bytes:
    """The user's random handle: the one of her passkeys if she has any, else a new one."""
    handle = Passkey.objects.filter(user=user).values_list("user_handle", flat=True).first()
    return bytes(handle) if handle else generate_user_handle()


def registration_options(request: HttpRequest, user: User) -> dict[str, Any]:
    rp = relying_party()
    handle = user_handle_of(user)
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.get_username(),
        user_id=handle,
        user_display_name=user.get_username(),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=_uv(user)
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(c)) for c in user.passkeys.values_list("credential_id", flat=True)
        ],
    )
    _remember(request, "register", options.challenge, user_handle=handle)
    return options_to_json_dict(options)


@dataclass(frozen=True)
class NewCredential:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    user_handle: bytes
    transports: list[str]


def verify_registration(request: HttpRequest, user: User, credential_json: str) -> NewCredential:
    """The credential the browser made, checked against the challenge, the origin and the RP id."""
    challenge, handle = _take(request, "register")
    credential = _credential(credential_json)
    rp = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=verification_required(user),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        logger.info("accounts: a passkey registration of user %s failed: %s", user.code, type(exc).__name__)
        raise PasskeyError(
            gettext("The passkey could not be checked. Try again, on this site's own address.")
        ) from None
    if Passkey.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyError(gettext("This passkey is registered already."))
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    return NewCredential(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        user_handle=handle,  # the one the authenticator was given with the challenge
        transports=[str(t)[:20] for t in transports or [] if isinstance(t, str)][:8],
    )


# --- assertion (login and re-authentication) --------------------------------------------------


def authentication_options(request: HttpRequest, user: User, *, purpose: str) -> dict[str, Any]:
    rp = relying_party()
    allowed = [
        PublicKeyCredentialDescriptor(id=bytes(p.credential_id), transports=None)
        for p in user.passkeys.filter(confirmed=True)
    ]
    options = generate_authentication_options(
        rp_id=rp.id, timeout=TIMEOUT_MS, allow_credentials=allowed, user_verification=_uv(user)
    )
    _remember(request, purpose, options.challenge)
    return options_to_json_dict(options)


def verify_assertion(request: HttpRequest, user: User, credential_json: str, *, purpose: str) -> Passkey:
    """The user's passkey that signed this purpose's challenge, its counter moved on; PasskeyError if none.

    The row is locked while checked, so two concurrent uses of one assertion cannot both pass the
    sign-count check. A counter that did not go up means a cloned authenticator (or a replay).
    """
    challenge, _ = _take(request, purpose)
    credential = _credential(credential_json)
    rp = relying_party()
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise PasskeyError(gettext("The browser sent no passkey. Try again.")) from None
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update().filter(user=user, confirmed=True, credential_id=parsed.raw_id).first()
        )
        if passkey is None:
            raise PasskeyError(gettext("That passkey is not one of yours here. Use one you added to your account."))
        try:
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=challenge,
                expected_rp_id=rp.id,
                expected_origin=rp.origin,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=verification_required(user),
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            # py_webauthn's reason quotes what the browser sent (its origin): kept short, on one line.
            reason = " ".join(str(exc).split())[:200]
            logger.warning("accounts: passkey %s of user %s refused: %s", passkey.code, user.code, reason)
            raise PasskeyError(
                gettext("The passkey was refused. Use it on this site's own address; if it still fails, ask an admin.")
            ) from None
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey
