"""The demo's manifest (data/manifest.json): what a case file does not carry.

A case file holds a client and a timeline. The manifest adds the rest of a working organisation:
its name, the staff and their published password, the authorities' directory, the on-call rota,
and for each case file its status, team, client's whereabouts and proceedings (with the case
file's events each one groups), and a line saying what the case shows. Read into frozen
dataclasses; a missing or wrong value is a `DemoDataError` naming its JSON path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.utils.translation import gettext

from refuge.accounts.models import Role
from refuge.cases.models import AuthorityKind, CaseStatus, Forum

DATA = Path(__file__).with_name("data")
FORMAT = "refuge.demo/1"

T = TypeVar("T")


class DemoDataError(ValueError):
    """The demo's data cannot be loaded: the message names the file and the path of each problem."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    name_cyrillic: str


@dataclass(frozen=True)
class DemoAuthority:
    key: str
    name: str
    kind: str
    country: str
    channels: list[dict[str, str]]
    languages: list[str]
    notes: str
    name_cyrillic: str


@dataclass(frozen=True)
class DemoProceeding:
    forum: str
    authority: str  # a key of the manifest's authorities, or ""
    reference_number: str
    case_number: str
    events: tuple[str, ...]  # ids of the case file's events it groups
    note: str


@dataclass(frozen=True)
class DemoCase:
    file: str  # relative to the manifest's folder
    status: str
    team: tuple[str, ...]  # usernames; the first is the case's author
    location: str
    proceedings: tuple[DemoProceeding, ...]
    summary: str


@dataclass(frozen=True)
class Manifest:
    folder: Path
    zone: str  # the demo's "today" is the date in this zone
    organisation: str
    organisation_cyrillic: str
    password: str
    users: tuple[DemoUser, ...]
    on_call: str  # the username on call
    on_call_weeks: int
    history_user: str  # the author of the statistics' historical cases
    authorities: tuple[DemoAuthority, ...]
    cases: tuple[DemoCase, ...]


class _Reader:
    """Typed reads from the parsed JSON, each failure naming its path."""

    def __init__(self, source: Path) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> DemoDataError:
        return DemoDataError(f"{self.source}:\n  {path}: {message}")

    def get(self, obj: dict[str, Any], key: str, path: str, kind: type[T], default: T | None = None) -> T:
        if key not in obj:
            if default is None:
                raise self.fail(f"{path}.{key}", gettext("required"))
            return default
        value = obj[key]
        if not isinstance(value, kind):
            raise self.fail(f"{path}.{key}", gettext("must be %(type)s") % {"type": kind.__name__})
        return value

    def choice(self, obj: dict[str, Any], key: str, path: str, choices: list[str]) -> str:
        value = self.get(obj, key, path, str)
        if value not in choices:
            raise self.fail(f"{path}.{key}", gettext("must be one of %(choices)s") % {"choices": ", ".join(choices)})
        return value

    def objects(self, obj: dict[str, Any], key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
        items = self.get(obj, key, path, list, [])
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f"{path}.{key}[{i}]", gettext("must be an object"))
        return [(f"{path}.{key}[{i}]", item) for i, item in enumerate(items)]


def _user(r: _Reader, path: str, obj: dict[str, Any]) -> DemoUser:
    return DemoUser(
        username=r.get(obj, "username", path, str),
        first_name=r.get(obj, "first_name", path, str),
        last_name=r.get(obj, "last_name", path, str),
        role=r.choice(obj, "role", path, list(Role.values)),
        name_cyrillic=r.get(obj, "name_cyrillic", path, str, ""),
    )


def _authority(r: _Reader, path: str, obj: dict[str, Any]) -> DemoAuthority:
    return DemoAuthority(
        key=r.get(obj, "key", path, str),
        name=r.get(obj, "name", path, str),
        kind=r.choice(obj, "kind", path, list(AuthorityKind.values)),
        country=r.get(obj, "country", path, str),
        channels=r.get(obj, "channels", path, list, []),
        languages=r.get(obj, "languages", path, list, []),
        notes=r.get(obj, "notes", path, str, ""),
        name_cyrillic=r.get(obj, "name_cyrillic", path, str, ""),
    )


def _case(r: _Reader, path: str, obj: dict[str, Any], users: set[str], authorities: set[str]) -> DemoCase:
    team = tuple(r.get(obj, "team", path, list))
    if not team or any(u not in users for u in team):
        raise r.fail(f"{path}.team", gettext("must name one or more of the manifest's users"))
    proceedings = []
    for p_path, p in r.objects(obj, "proceedings", path):
        authority = r.get(p, "authority", p_path, str, "")
        if authority and authority not in authorities:
            raise r.fail(f"{p_path}.authority", gettext("must be the key of one of the manifest's authorities"))
        proceedings.append(
            DemoProceeding(
                forum=r.choice(p, "forum", p_path, list(Forum.values)),
                authority=authority,
                reference_number=r.get(p, "reference_number", p_path, str, ""),
                case_number=r.get(p, "case_number", p_path, str, ""),
                events=tuple(r.get(p, "events", p_path, list, [])),
                note=r.get(p, "note", p_path, str, ""),
            )
        )
    return DemoCase(
        file=r.get(obj, "file", path, str),
        status=r.choice(obj, "status", path, list(CaseStatus.values)),
        team=team,
        location=r.get(obj, "location", path, str, ""),
        proceedings=tuple(proceedings),
        summary=r.get(obj, "summary", path, str, ""),
    )


def read_manifest(folder: Path = DATA) -> Manifest:
    """The manifest in `folder` (by default the demo shipped in the package)."""
    source = folder / "manifest.json"
    r = _Reader(source)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DemoDataError(f"{source}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise r.fail("$.format", gettext("must be %(format)s") % {"format": repr(FORMAT)})
    organisation = r.get(data, "organisation", "$", dict)
    users = tuple(_user(r, path, obj) for path, obj in r.objects(data, "users", "$"))
    usernames = {u.username for u in users}
    authorities = tuple(_authority(r, path, obj) for path, obj in r.objects(data, "authorities", "$"))
    keys = {a.key for a in authorities}
    on_call = r.get(data, "on_call", "$", dict)
    history = r.get(data, "history", "$", dict)
    for path, username in (("$.on_call.user", on_call.get("user")), ("$.history.user", history.get("user"))):
        if username not in usernames:
            raise r.fail(path, gettext("must name one of the manifest's users"))
    return Manifest(
        folder=folder,
        zone=r.get(data, "zone", "$", str),
        organisation=r.get(organisation, "name", "$.organisation", str),
        organisation_cyrillic=r.get(organisation, "name_cyrillic", "$.organisation", str, ""),
        password=r.get(data, "password", "$", str),
        users=users,
        on_call=on_call["user"],
        on_call_weeks=r.get(on_call, "weeks", "$.on_call", int),
        history_user=history["user"],
        authorities=authorities,
        cases=tuple(_case(r, path, obj, usernames, keys) for path, obj in r.objects(data, "cases", "$")),
    )
