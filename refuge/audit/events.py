"""What an audit entry records: an enumerated event type, numbered by area (STYLE.md §10).

The number is what the database stores and the hash covers: never renumber a member, never reuse
a retired number. A new event type takes the next free number in its area's hundred.
"""

from __future__ import annotations

from enum import IntEnum


class Area(IntEnum):
    """The hundreds of EventType: 1xx is AUTH, 2xx CASE, and so on."""

    AUTH = 1
    CASE = 2
    IDENTITY = 3
    EXPORT = 4
    VAULT = 5
    ADMIN = 6
    ALERT = 7
    FILING = 8
    STATS = 9
    API = 10
    BACKUP = 11


class EventType(IntEnum):
    # 1xx: signing in and out, credentials.
    LOGIN_SUCCEEDED = 101
    LOGIN_FAILED = 102
    LOGOUT = 103
    PASSWORD_CHANGED = 104
    SESSIONS_ENDED = 105
    OTP_ENABLED = 106
    OTP_DISABLED = 107
    ACCOUNT_LOCKED = 108
    PASSKEY_ADDED = 109
    PASSKEY_REMOVED = 110
    PASSKEY_LOGIN = 111
    TOTP_FALLBACK = 112  # a code from the app instead of a passkey the user has or must have
    RECOVERY_CODE_USED = 113
    PASSKEY_POLICY_CHANGED = 114  # an admin required passkeys, or allowed or refused the TOTP fallback

    # 2xx: changes to a case and what it holds.
    CASE_CREATED = 201
    CASE_CHANGED = 202
    CASE_DELETED = 203
    EVENT_ADDED = 204
    EVENT_CHANGED = 205
    EVENT_DELETED = 206
    PERSON_CHANGED = 207
    TEAM_CHANGED = 208
    PROCEEDING_ADDED = 209
    PROCEEDING_CHANGED = 210
    PROCEEDING_DELETED = 211
    DOCUMENT_UPLOADED = 212
    DOCUMENT_DOWNLOADED = 213

    # 3xx: every read of a client's identity.
    IDENTITY_REVEALED = 301

    # 4xx: data leaving Refuge.
    CASE_EXPORTED = 401
    STATS_EXPORTED = 402

    # 5xx: the vault's keys.
    VAULT_INITIALISED = 501
    VAULT_UNSEALED = 502
    VAULT_UNSEAL_FAILED = 503
    VAULT_SEALED = 504
    VAULT_ROTATION_STARTED = 505
    VAULT_ROTATED = 506

    # 6xx: administration of users and roles.
    USER_CREATED = 601
    USER_DISABLED = 602
    USER_UNLOCKED = 603
    ROLE_CHANGED = 604
    USER_ENABLED = 605
    ORGANISATION_LOCKED_DOWN = 606
    ORGANISATION_LOCKDOWN_LIFTED = 607
    OPERATOR_GRANTED = 608
    OPERATOR_REVOKED = 609
    AUTHORITY_ADDED = 610
    AUTHORITY_CHANGED = 611

    # 7xx: alerts, their acknowledgement and escalation, calendar feeds.
    ALERT_ACKNOWLEDGED = 701
    ALERT_ESCALATED = 702
    ALERT_SETTINGS_CHANGED = 703
    ONCALL_CHANGED = 704
    FEED_CREATED = 705
    FEED_REVOKED = 706

    # 8xx: urgent filings generated from a case and what was sent.
    FILING_GENERATED = 801
    FILING_DOWNLOADED = 802
    FILING_SENT = 803
    FILING_WARNING_ACKNOWLEDGED = 804  # a review's warning read and accepted before generating

    # 9xx: outcome statistics: exact counts seen, cells released, the threshold (exports are 402).
    STATS_EXACT_VIEWED = 901
    STATS_CELL_RELEASED = 902
    STATS_RELEASE_WITHDRAWN = 903
    STATS_THRESHOLD_CHANGED = 904
    STATS_NETWORK_MERGED = 905

    # 10xx: personal access tokens of the JSON API.
    API_TOKEN_CREATED = 1001
    API_TOKEN_NEW_ADDRESS = 1002
    API_TOKEN_REVOKED = 1003

    # 11xx: backups of the whole deployment and their restores (refuge/backup).
    BACKUP_MADE = 1101
    BACKUP_RESTORED = 1102
    BACKUP_EXPIRED = 1103  # retention removed an old backup file from REFUGE_BACKUP_DIR

    @property
    def area(self) -> Area:
        return Area(self.value // 100)

    @property
    def label(self) -> str:
        return _LABELS.get(self.name) or self.name.replace("_", " ").capitalize()


# Where the member's name does not read well as words.
_LABELS = {
    "OTP_ENABLED": "Second factor enabled",
    "OTP_DISABLED": "Second factor removed",
    "PASSKEY_LOGIN": "Logged in with a passkey",
    "TOTP_FALLBACK": "Logged in with a code instead of a passkey",
    "ONCALL_CHANGED": "On-call rota changed",
    "API_TOKEN_CREATED": "API token created",
    "API_TOKEN_NEW_ADDRESS": "API token used from a new address",
    "API_TOKEN_REVOKED": "API token revoked",
    "ORGANISATION_LOCKDOWN_LIFTED": "Organisation lock-down lifted",
}


def choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Event types grouped by area, as a form's grouped choices."""
    return [(area.name.capitalize(), [(t.value, t.label) for t in EventType if t.area is area]) for area in Area]


def label(value: int) -> str:
    """The label of a stored type number (a number this code no longer knows is shown as such)."""
    try:
        return EventType(value).label
    except ValueError:
        return f"Unknown type {value}"
