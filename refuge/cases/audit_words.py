"""The audit log's words in the reader's language: each event type's label, its area, a target's kind.

refuge.audit.events keeps the English labels the CLI prints and the numbers the chain hashes; the
page shows these, translated when it renders. tests/audit checks that every event type has one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from refuge.audit.events import Area, EventType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LABELS: dict[EventType, StrOrPromise] = {
    EventType.LOGIN_SUCCEEDED: _("Login succeeded"),
    EventType.LOGIN_FAILED: _("Login failed"),
    EventType.LOGOUT: _("Logout"),
    EventType.PASSWORD_CHANGED: _("Password changed"),
    EventType.SESSIONS_ENDED: _("Sessions ended"),
    EventType.OTP_ENABLED: _("Second factor enabled"),
    EventType.OTP_DISABLED: _("Second factor removed"),
    EventType.ACCOUNT_LOCKED: _("Account locked"),
    EventType.PASSKEY_ADDED: _("Passkey added"),
    EventType.PASSKEY_REMOVED: _("Passkey removed"),
    EventType.PASSKEY_LOGIN: _("Logged in with a passkey"),
    EventType.TOTP_FALLBACK: _("Logged in with a code instead of a passkey"),
    EventType.RECOVERY_CODE_USED: _("Recovery code used"),
    EventType.PASSKEY_POLICY_CHANGED: _("Passkey policy changed"),
    EventType.CASE_CREATED: _("Case created"),
    EventType.CASE_CHANGED: _("Case changed"),
    EventType.CASE_DELETED: _("Case deleted"),
    EventType.EVENT_ADDED: _("Event added"),
    EventType.EVENT_CHANGED: _("Event changed"),
    EventType.EVENT_DELETED: _("Event deleted"),
    EventType.PERSON_CHANGED: _("Person changed"),
    EventType.TEAM_CHANGED: _("Team changed"),
    EventType.PROCEEDING_ADDED: _("Proceeding added"),
    EventType.PROCEEDING_CHANGED: _("Proceeding changed"),
    EventType.PROCEEDING_DELETED: _("Proceeding deleted"),
    EventType.DOCUMENT_UPLOADED: _("Document uploaded"),
    EventType.DOCUMENT_DOWNLOADED: _("Document downloaded"),
    EventType.IDENTITY_REVEALED: _("Identity revealed"),
    EventType.CASE_EXPORTED: _("Case exported"),
    EventType.STATS_EXPORTED: _("Stats exported"),
    EventType.VAULT_INITIALISED: _("Vault initialised"),
    EventType.VAULT_UNSEALED: _("Vault unsealed"),
    EventType.VAULT_UNSEAL_FAILED: _("Vault unseal failed"),
    EventType.VAULT_SEALED: _("Vault sealed"),
    EventType.VAULT_ROTATION_STARTED: _("Vault rotation started"),
    EventType.VAULT_ROTATED: _("Vault rotated"),
    EventType.USER_CREATED: _("User created"),
    EventType.USER_DISABLED: _("User disabled"),
    EventType.USER_UNLOCKED: _("User unlocked"),
    EventType.ROLE_CHANGED: _("Role changed"),
    EventType.USER_ENABLED: _("User enabled"),
    EventType.ORGANISATION_LOCKED_DOWN: _("Organisation locked down"),
    EventType.ORGANISATION_LOCKDOWN_LIFTED: _("Organisation lock-down lifted"),
    EventType.OPERATOR_GRANTED: _("Operator granted"),
    EventType.OPERATOR_REVOKED: _("Operator revoked"),
    EventType.AUTHORITY_ADDED: _("Authority added"),
    EventType.AUTHORITY_CHANGED: _("Authority changed"),
    EventType.ALERT_ACKNOWLEDGED: _("Alert acknowledged"),
    EventType.ALERT_ESCALATED: _("Alert escalated"),
    EventType.ALERT_SETTINGS_CHANGED: _("Alert settings changed"),
    EventType.ONCALL_CHANGED: _("On-call rota changed"),
    EventType.FEED_CREATED: _("Feed created"),
    EventType.FEED_REVOKED: _("Feed revoked"),
    EventType.FILING_GENERATED: _("Filing generated"),
    EventType.FILING_DOWNLOADED: _("Filing downloaded"),
    EventType.FILING_SENT: _("Filing sent"),
    EventType.FILING_WARNING_ACKNOWLEDGED: _("Filing warning acknowledged"),
    EventType.STATS_EXACT_VIEWED: _("Stats exact viewed"),
    EventType.STATS_CELL_RELEASED: _("Stats cell released"),
    EventType.STATS_RELEASE_WITHDRAWN: _("Stats release withdrawn"),
    EventType.STATS_THRESHOLD_CHANGED: _("Stats threshold changed"),
    EventType.STATS_NETWORK_MERGED: _("Stats network merged"),
    EventType.API_TOKEN_CREATED: _("API token created"),
    EventType.API_TOKEN_NEW_ADDRESS: _("API token used from a new address"),
    EventType.API_TOKEN_REVOKED: _("API token revoked"),
    EventType.BACKUP_MADE: _("Backup made"),
    EventType.BACKUP_RESTORED: _("Backup restored"),
    EventType.BACKUP_EXPIRED: _("Backup expired"),
}

AREAS: dict[Area, StrOrPromise] = {
    Area.AUTH: _("Logins and credentials"),
    Area.CASE: _("Cases"),
    Area.IDENTITY: _("Identity"),
    Area.EXPORT: _("Exports"),
    Area.VAULT: _("Vault"),
    Area.ADMIN: _("Administration"),
    Area.ALERT: _("Alerts"),
    Area.FILING: _("Filings"),
    Area.STATS: _("Statistics"),
    Area.API: _("API"),
    Area.BACKUP: _("Backups"),
}

# What an entry's target is (the model's name, as refuge.audit.actions stores it).
TARGET_KINDS: dict[str, StrOrPromise] = {
    "case": _("case"),
    "user": _("user"),
    "organisation": _("organisation"),
    "event": _("event"),
    "proceeding": _("proceeding"),
    "document": _("document"),
    "alert": _("alert"),
    "authority": _("authority"),
    "passkey": _("passkey"),
    "feedtoken": _("calendar feed"),
    "apitoken": _("API token"),
    "stat_release": _("statistics release"),
    "backup": _("backup"),
}


def label(value: int) -> str:
    """The label of a stored type number, translated (a number this code no longer knows is shown as such)."""
    try:
        return str(LABELS[EventType(value)])
    except ValueError:
        return gettext("Unknown type %(number)s") % {"number": value}


def target_kind(kind: str) -> str:
    found = TARGET_KINDS.get(kind)
    return str(found) if found is not None else kind


def choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Event types grouped by area, as the filter form's grouped choices."""
    return [(str(AREAS[area]), [(t.value, label(t.value)) for t in EventType if t.area is area]) for area in Area]
