"""Two-factor login with django-otp: who needs it, the half-logged-in state, codes and devices.

After the password, a user who needs a second factor is *not* logged in: the session holds a
pending login (user, backend, when, where to go next) for PENDING_SECONDS, and only a correct
TOTP or recovery code, or a passkey (refuge.accounts.passkeys), turns it into a login verified by
django-otp. A logged-in session that needs a second factor but is not verified (made by
`force_login`, or a caseworker promoted to lawyer) is turned back into a pending login by
TwoFactorMiddleware.
"""

from __future__ import annotations

import binascii
import time
from base64 import b32encode
from typing import TYPE_CHECKING, Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from refuge.accounts import passkeys, sessions, totp_keys
from refuge.accounts.models import Passkey, Role, User
from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.vault import crypto

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_otp.models import Device

PENDING = "refuge_2fa_pending"
ENROL_KEY = "refuge_2fa_enrol_key"
PENDING_SECONDS = 5 * 60
RECOVERY_CODES = 10
ROLES_THAT_NEED_IT = frozenset({Role.LAWYER, Role.ADMIN})
TOTP_NAME = "authenticator app"
RECOVERY_NAME = "recovery codes"


# --- who needs a second factor -------------------------------------------------------------


def _demo_exempt(user: User) -> bool:
    if not settings.REFUGE_DEMO_NO_2FA:
        return False
    member = user.membership()
    return member is not None and member.organisation.is_demo


def role_requires_it(user: User) -> bool:
    """Lawyers, admins and superusers must use a second factor (unless switched off, or the demo)."""
    if not settings.REFUGE_REQUIRE_2FA or _demo_exempt(user):
        return False
    member = user.membership()
    return bool(user.is_superuser or (member is not None and member.role in ROLES_THAT_NEED_IT))


def has_device(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())  # django-otp is untyped


def requires_second_factor(user: User) -> bool:
    """Whoever has enrolled a device or a passkey uses it; lawyers and admins must have one."""
    return role_requires_it(user) or has_device(user) or passkeys.has_passkey(user) or passkeys.required_for(user)


def totp_accepted(user: User) -> bool:
    """A code from the app is a second factor for this user: always, but for one who has a passkey
    while her organisation requires passkeys without the TOTP fallback (recovery codes still work)."""
    return passkeys.totp_allowed(user) or not passkeys.has_passkey(user)


# --- the pending login -----------------------------------------------------------------------


def begin(request: HttpRequest, user: User, *, next_url: str) -> None:
    """The password was right: remember who is half-way in, under a fresh session key."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": time.time(),
        "next": next_url,
    }


def pending_user(request: HttpRequest) -> User | None:
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        del request.session[PENDING]
        return None
    user_pk = data.get("user")
    user = User.objects.filter(pk=user_pk, is_active=True).first() if isinstance(user_pk, int) else None
    if user is not None:
        user.backend = data.get("backend")
    return user


def pending_next(request: HttpRequest) -> str:
    data = request.session.get(PENDING) or {}
    return str(data.get("next") or "")


def finish(request: HttpRequest, user: User, device: Device) -> None:
    """Both factors are in: log the user in, verified by `device`.

    A login by passkey, and a code used instead of a passkey the user has or must have, are
    audited. After such a fallback the sensitive steps ask for the passkey again (no REAUTH_AT);
    a user whom the policy covers and who has no passkey must add one before anything else.
    """
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=user.backend)
    otp_login(request, device)
    has_passkey = passkeys.has_passkey(user)
    if isinstance(device, Passkey):
        audit.record(
            type=EventType.PASSKEY_LOGIN, actor=user, target=user, request=request, data={"passkey": device.code}
        )
    elif has_passkey or passkeys.required_for(user):
        kind = "recovery" if isinstance(device, StaticDevice) else "totp"
        audit.record(type=EventType.TOTP_FALLBACK, actor=user, target=user, request=request, data={"device": kind})
        if has_passkey:
            request.session.pop(sessions.REAUTH_AT, None)
    if passkeys.required_for(user) and not has_passkey:
        request.session[passkeys.SETUP_REQUIRED] = True


# --- codes ----------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def verify(user: User, code: str, *, totp: bool = True) -> Device | None:
    """The device that accepts `code` (a TOTP code, if `totp`, or an unused recovery code), or None.

    Each check locks its device's row, so a recovery code is used once even under concurrent
    requests and a TOTP code is not accepted twice (django-otp remembers the last time step).
    Wrong codes slow the device down (django-otp's throttling: 1, 2, 4, … seconds).
    A recovery code used is audited, with how many are left.
    """
    code = normalise_code(code)
    if not code or (code.isdigit() and not totp):
        return None
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"):
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    audit.record(
                        type=EventType.RECOVERY_CODE_USED,
                        actor=user,
                        target=user,
                        data={"left": recovery_codes_left(user)},
                    )
                return device
    return None


def throttled(user: User, code: str) -> bool:
    """Wrong codes have made the devices that would check this code wait."""
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if normalise_code(code).isdigit() else StaticDevice
    devices = list(model.objects.filter(user=user, confirmed=True))
    return bool(devices) and all(not d.verify_is_allowed()[0] for d in devices)


# --- enrolment ------------------------------------------------------------------------------


def enrolment_key(request: HttpRequest) -> str:
    """The secret being enrolled (hex), kept in the session until confirmed: a reload shows the
    same one, and showing the page writes nothing but the session."""
    sealed = request.session.get(ENROL_KEY)
    if isinstance(sealed, str) and totp_keys.is_encrypted(sealed):
        try:
            return binascii.hexlify(totp_keys.decrypt(sealed, "enrolment")).decode()
        except crypto.DecryptionError:
            pass  # the secret key changed meanwhile: start again with a new secret
    key: str = default_key()  # django-otp is untyped
    # The session row is in the database too: the secret is kept there encrypted, as on the device.
    request.session[ENROL_KEY] = totp_keys.encrypt(key, "enrolment")
    return key


def unsaved_device(user: User, key: str) -> TOTPDevice:
    return TOTPDevice(user=user, name=TOTP_NAME, key=key, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URL as an inline SVG: no request for an image, no inline style."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12)
    svg: str = image.to_string(encoding="unicode")
    label = escape(gettext("QR code of the secret"))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" class="qr" ', 1)
    return mark_safe(svg)  # noqa: S308  # made by qrcode from our own URL: paths and numbers only


def check_enrolment_code(device: TOTPDevice, code: str) -> int | None:
    """The time step of `code` if the app shows it for this (unsaved) device's secret."""
    code = normalise_code(code)
    if not (code.isdigit() and len(code) == device.digits):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return int(totp.t()) if totp.verify(int(code), device.tolerance) else None


@transaction.atomic
def confirm(request: HttpRequest, device: TOTPDevice, *, time_step: int) -> list[str]:
    """Save the TOTP device as the user's only one and issue fresh recovery codes (shown once)."""
    TOTPDevice.objects.filter(user=device.user).delete()
    device.confirmed = True
    device.last_t = time_step  # the confirming code cannot be used again to log in
    device.save()
    request.session.pop(ENROL_KEY, None)
    audit.record(type=EventType.OTP_ENABLED, actor=device.user, target=device.user, data={"device": "totp"})
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user).count())  # django-otp is untyped


def remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    Passkey.objects.filter(user=user).delete()


def status(user: User) -> dict[str, Any]:
    return {
        "enrolled": has_device(user),
        "required": role_requires_it(user),
        "recovery_left": recovery_codes_left(user),
        "passkeys": Passkey.objects.filter(user=user, confirmed=True).count(),
        "passkey_required": passkeys.required_for(user),
    }
