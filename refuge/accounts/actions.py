"""Operations on accounts that end sessions, lock or unlock (STYLE.md §2).

Each says who acted, and each writes its audit entry (refuge.audit) in the same transaction.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from refuge import hooks
from refuge.accounts import passkeys, sessions, throttle, twofactor
from refuge.accounts.models import Membership, Organisation, Passkey, User
from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.lib.text import strip_bidi

logger = logging.getLogger("refuge.accounts")


@transaction.atomic
def end_user_sessions(*, user: User, actor: User, keep: str | None = None) -> int:
    ended = sessions.end_sessions(user, keep=keep)
    audit.record(type=EventType.SESSIONS_ENDED, actor=actor, target=user, data={"sessions": ended})
    logger.info("accounts: %d sessions of user %s ended by %s", ended, user.code, actor.code)
    return ended


@transaction.atomic
def change_password(*, user: User, password: str) -> User:
    """A new password (already validated); User.save ends every session of the user."""
    user.set_password(password)
    user.save()
    audit.record(type=EventType.PASSWORD_CHANGED, actor=user, target=user, fields=["password"])
    return user


@transaction.atomic
def set_active(*, user: User, active: bool, actor: User) -> None:
    """Disable (every session ends, through User.save) or enable an account."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        audit.record(type=EventType.USER_DISABLED, actor=actor, target=user, fields=["is_active"])
    else:
        audit.record(type=EventType.USER_ENABLED, actor=actor, target=user, fields=["is_active"])
    logger.info("accounts: user %s %s by %s", user.code, "enabled" if active else "disabled", actor.code)


@transaction.atomic
def unlock(*, username: str, actor: User | None = None) -> int:
    """Forget the failed logins counted for a username (refuge.accounts.throttle). Returns the counters removed."""
    removed = throttle.clear(username)
    target = User.objects.filter(username=username).first()
    audit.record(
        type=EventType.USER_UNLOCKED,
        actor=actor,
        target=target,
        data={"records": int(removed)},
    )
    logger.info(
        "accounts: throttles of a username cleared by %s (%d)", actor.code if actor else "the command line", removed
    )
    return int(removed)


def is_slowed(username: str) -> bool:
    """Whether attempts for this name from devices not known for it must wait now."""
    return throttle.is_slowed(username)


@transaction.atomic
def reset_second_factor(*, user: User, actor: User) -> None:
    """Remove the user's devices and recovery codes; they enrol again at their next login."""
    twofactor.remove_devices(user)
    sessions.end_sessions(user)
    audit.record(type=EventType.OTP_DISABLED, actor=actor, target=user, data={"reset_by_admin": 1})
    logger.info("accounts: second factor of user %s reset by %s", user.code, actor.code)


@transaction.atomic
def lock_down_organisation(*, organisation: Organisation, actor: User | None) -> dict[str, int]:
    """Stop one organisation at once, and no other: every session of its people ends, every calendar
    feed and API token of theirs is revoked, and none of them may log in until an operator lifts it.

    The vault stays unsealed for the other organisations; sealing the server is an operator's act.
    """
    now = timezone.now()
    Organisation.objects.filter(pk=organisation.pk, locked_down_at=None).update(locked_down_at=now)
    organisation.locked_down_at = Organisation.objects.values_list("locked_down_at", flat=True).get(pk=organisation.pk)
    ended = 0
    for user in User.objects.filter(membership_row__organisation=organisation):
        ended += sessions.end_sessions(user)
    counts = {"sessions": ended}
    # Calendar feeds, API tokens: whatever other apps hold for these people (refuge/wiring/subscribers.py).
    for revoked in hooks.ORGANISATION_LOCKED_DOWN.fire(organisation, actor, now):
        counts.update(revoked)
    audit.record(
        type=EventType.ORGANISATION_LOCKED_DOWN,
        actor=actor,
        target=organisation,
        organisation=organisation,
        data=counts,
    )
    logger.warning(
        "accounts: organisation %s locked down by %s; %d sessions ended, %d feeds revoked",
        organisation.code,
        actor.code if actor else "the command line",
        ended,
        counts.get("feeds", 0),
    )
    return counts


@transaction.atomic
def lift_lock_down(*, organisation: Organisation, actor: User | None) -> bool:
    """Let an organisation's people log in again (its revoked feeds stay revoked). False if it was not locked down."""
    lifted = bool(
        Organisation.objects.filter(pk=organisation.pk).exclude(locked_down_at=None).update(locked_down_at=None)
    )
    organisation.locked_down_at = None
    if lifted:
        audit.record(
            type=EventType.ORGANISATION_LOCKDOWN_LIFTED, actor=actor, target=organisation, organisation=organisation
        )
        logger.warning("accounts: lock-down of organisation %s lifted", organisation.code)
    return lifted


@transaction.atomic
def create_user(
    *, username: str, password: str, organisation: Organisation, role: str, actor: User | None, **names: str
) -> User:
    """A user with a role in an organisation (`refuge createuser`), audited; names lose bidi controls."""
    user = User(username=username, **{k: strip_bidi(v) for k, v in names.items()})
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record(type=EventType.USER_CREATED, actor=actor, target=user, organisation=organisation, data={"role": role})
    return user


@transaction.atomic
def set_role(*, user: User, role: str, actor: User | None) -> bool:
    """Change a user's role in her organisation (`refuge role`), audited. False if it was that already."""
    member = Membership.objects.get(user=user)
    if member.role == role:
        return False
    before = member.role
    member.role = role
    member.save(update_fields=["role"])
    audit.record(
        type=EventType.ROLE_CHANGED, actor=actor, target=user, fields=["role"], data={"from": before, "to": role}
    )
    sessions.end_sessions(user)  # what the old role allowed ends with its sessions
    return True


@transaction.atomic
def set_operator(*, user: User, operator: bool, actor: User | None) -> bool:
    """Grant or revoke the server operator's role (sealing the server). False if nothing changed."""
    changed = bool(User.objects.filter(pk=user.pk).exclude(is_operator=operator).update(is_operator=operator))
    user.is_operator = operator
    if changed:
        kind = EventType.OPERATOR_GRANTED if operator else EventType.OPERATOR_REVOKED
        audit.record(type=kind, actor=actor, target=user, fields=["is_operator"])
    return changed


@transaction.atomic
def add_passkey(*, user: User, name: str, credential: passkeys.NewCredential) -> Passkey:
    """Save a verified WebAuthn credential as the user's passkey, audited (the name loses bidi controls)."""
    passkey = Passkey.objects.create(
        user=user,
        name=strip_bidi(name).strip()[:64],
        confirmed=True,
        credential_id=credential.credential_id,
        public_key=credential.public_key,
        sign_count=credential.sign_count,
        user_handle=credential.user_handle,
        transports=credential.transports,
    )
    audit.record(type=EventType.PASSKEY_ADDED, actor=user, target=user, data={"passkey": passkey.code})
    logger.info("accounts: user %s added passkey %s", user.code, passkey.code)
    return passkey


@transaction.atomic
def remove_passkey(*, passkey: Passkey, actor: User) -> None:
    user = passkey.user
    code = passkey.code
    passkey.delete()
    audit.record(type=EventType.PASSKEY_REMOVED, actor=actor, target=user, data={"passkey": code})
    logger.info("accounts: passkey %s of user %s removed by %s", code, user.code, actor.code)


@transaction.atomic
def set_passkey_policy(*, organisation: Organisation, required: bool, totp_fallback: bool, actor: User) -> bool:
    """Require passkeys of the organisation's admins and lawyers (or not), with or without the TOTP fallback.

    Refused (PasskeyError) while Refuge is reached by an IP address: no browser makes a passkey for one.
    False if nothing changed. Who has no passkey yet is walked through adding one at the next login.
    """
    if required:
        passkeys.relying_party()  # raises PasskeyError on an IP address
    before = (organisation.passkeys_required, organisation.totp_fallback)
    if before == (required, totp_fallback):
        return False
    organisation.passkeys_required = required
    organisation.totp_fallback = totp_fallback
    organisation.save(update_fields=["passkeys_required", "totp_fallback"])
    audit.record(
        type=EventType.PASSKEY_POLICY_CHANGED,
        actor=actor,
        target=organisation,
        organisation=organisation,
        fields=["passkeys_required", "totp_fallback"],
        data={"required": required, "totp_fallback": totp_fallback},
    )
    return True
