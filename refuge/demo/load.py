"""Lay the demo down: its organisation, staff, directory and case files, through the case-file import.

The data is in `data/`: a manifest (manifest.py) and one `refuge.case/1` file per case, whose dates
are relative to the day of loading (dates.py). Every case file is resolved and validated by the
case-file validation before anything is written; an invalid one refuses the whole load, naming
the file and the JSON path of each bad value, as `refuge import` does. Each case then goes in
through `import_casefile`, the action `refuge import` and the intake page use, and the manifest
adds what a case file does not carry (status, team, whereabouts, proceedings).

`build_demo` is idempotent: cases whose reference already exists are left alone, so a second run
adds nothing. `reset_demo` deletes the demo organisation with everything in it. The demo
organisation is the one with `Organisation.is_demo` set, whatever it is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from refuge.accounts.models import Membership, Organisation, User
from refuge.alerts.models import OnCallShift
from refuge.alerts.queue import week_start
from refuge.casefile.validate import CaseFileError, Problem, load_casefile, parse_json
from refuge.cases.actions import import_casefile, set_team
from refuge.cases.models import Authority, Case, CaseStatus, Event, Person, Proceeding
from refuge.cases.recompute import recompute_case
from refuge.demo.dates import resolve_casefile
from refuge.demo.manifest import DATA, DemoCase, DemoDataError, Manifest, read_manifest
from refuge.stats.history import lay_history


class DemoConflictError(ValueError):
    """A demo username or the demo organisation's name is taken by someone real: nothing is touched."""


@dataclass
class DemoResult:
    organisation: Organisation
    password: str
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)  # (username, role)
    summaries: list[tuple[str, str]] = field(default_factory=list)  # (reference, what the case shows)
    history: int = 0  # closed historical cases laid for the statistics (refuge.stats.history)


def demo_casefiles(manifest: Manifest, *, today: date) -> list[tuple[DemoCase, dict[str, Any]]]:
    """Every case file of the manifest, its dates resolved for `today`, validated as `refuge.case/1`.

    Raises DemoDataError naming every invalid file and the JSON path of each problem."""
    out: list[tuple[DemoCase, dict[str, Any]]] = []
    problems: list[str] = []
    for entry in manifest.cases:
        path = manifest.folder / entry.file
        try:
            doc = load_casefile(resolve_casefile(_read(path), today=today))
        except CaseFileError as exc:
            problems.append(f"{path}:\n" + "\n".join(f"  {p}" for p in exc.problems))
            continue
        out.append((entry, doc))
    if problems:
        count = len(manifest.cases)
        raise DemoDataError(
            f"refused, nothing loaded: {len(problems)} of {count} demo case files "
            f"{'is' if len(problems) == 1 else 'are'} invalid.\n" + "\n".join(problems)
        )
    return out


def _read(path: Path) -> object:
    """The parsed file, as `refuge import` parses it (its guards included)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError([Problem("$", f"cannot read the file: {exc}", code="unreadable")]) from None
    return parse_json(text)


def demo_organisation() -> Organisation | None:
    """The demo organisation: the one flagged as such, whatever its name has become."""
    return Organisation.objects.filter(is_demo=True).order_by("pk").first()


def _organisation(manifest: Manifest) -> Organisation:
    organisation = demo_organisation()
    if organisation is None:
        if Organisation.objects.filter(name=manifest.organisation).exists():
            raise DemoConflictError(
                gettext("an organisation named %(name)s exists and is not the demo's")
                % {"name": repr(manifest.organisation)}
            )
        organisation = Organisation.objects.create(
            name=manifest.organisation, name_cyrillic=manifest.organisation_cyrillic, is_demo=True
        )
    return organisation


def _users(manifest: Manifest, organisation: Organisation) -> dict[str, User]:
    users = {}
    for entry in manifest.users:
        user = User.objects.filter(username=entry.username).first()
        if user is None:
            user = User(
                username=entry.username,
                first_name=entry.first_name,
                last_name=entry.last_name,
                email=f"{entry.username}@example.org",
            )
        elif not Membership.objects.filter(user=user, organisation=organisation).exists():
            raise DemoConflictError(
                f"the user {entry.username!r} exists outside the demo organisation; not touching it"
            )
        user.name_cyrillic = entry.name_cyrillic
        # Reset each run, so the printed password is always the one that works.
        user.set_password(manifest.password)
        user.save()
        Membership.objects.update_or_create(user=user, defaults={"organisation": organisation, "role": entry.role})
        users[entry.username] = user
    return users


def _rota(manifest: Manifest, organisation: Organisation, users: dict[str, User], today: date) -> None:
    """One user on call this week and the next ones (critical alerts climb to them first)."""
    monday = week_start(today)
    for weeks in range(manifest.on_call_weeks):
        OnCallShift.objects.get_or_create(
            organisation=organisation, user=users[manifest.on_call], week_start=monday + timedelta(weeks=weeks)
        )


def _authorities(manifest: Manifest, organisation: Organisation) -> dict[str, Authority]:
    out = {}
    for entry in manifest.authorities:
        out[entry.key], _ = Authority.objects.get_or_create(
            organisation=organisation,
            name=entry.name,
            defaults={
                "kind": entry.kind,
                "country": entry.country,
                "channels": entry.channels,
                "languages": entry.languages,
                "notes": entry.notes,
            },
        )
        if entry.name_cyrillic and out[entry.key].name_cyrillic != entry.name_cyrillic:
            out[entry.key].name_cyrillic = entry.name_cyrillic
            out[entry.key].save(update_fields=["name_cyrillic"])
    return out


def _lay_case(
    entry: DemoCase,
    doc: dict[str, Any],
    *,
    organisation: Organisation,
    users: dict[str, User],
    authorities: dict[str, Authority],
    now: datetime,
) -> Case:
    author = users[entry.team[0]]
    case = import_casefile(
        data=doc, organisation=organisation, user=author, source=f"demo {entry.file}", status=entry.status
    )
    set_team(case=case, users=[users[u] for u in entry.team], actor=author)
    # Identifying text goes through an instance, never queryset.update(), so the vault's fields see it.
    if entry.location:
        person = Person.objects.get(case=case)
        person.location_notes = entry.location
        person.save(update_fields=["location_notes"])
    for p in entry.proceedings:
        linked = [e for e in doc["events"] if e["id"] in p.events]
        opened = min((datetime.fromisoformat(e["at"]).date() for e in linked), default=None)
        proceeding = Proceeding.objects.create(
            case=case,
            forum=p.forum,
            reference_number=p.reference_number,
            case_number=p.case_number,
            authority=authorities.get(p.authority),
            opened_on=opened,
            is_active=entry.status != CaseStatus.CLOSED,
            note=p.note,
        )
        Event.objects.filter(case=case, key__in=p.events).update(proceeding=proceeding)
    recompute_case(case=case, cause="demo", actor=author, now=now)
    return case


def build_demo(*, today: date, now: datetime | None = None, history: bool = False, data: Path = DATA) -> DemoResult:
    """Lay down the demo organisation, users, directory and cases; existing cases are left alone.

    ``history`` adds the fictional ten years of closed asylum cases the statistics page shows.
    ``data`` is the folder holding manifest.json (by default the demo shipped with Refuge).
    """
    now = now or datetime.combine(today, time(12, 0), tzinfo=UTC)
    manifest = read_manifest(data)
    casefiles = demo_casefiles(manifest, today=today)  # all valid, or nothing is written
    with transaction.atomic():
        organisation = _organisation(manifest)
        users = _users(manifest, organisation)
        _rota(manifest, organisation, users, today)
        authorities = _authorities(manifest, organisation)
        existing = set(Case.objects.filter(organisation=organisation).values_list("reference", flat=True))
    result = DemoResult(
        organisation=organisation,
        password=manifest.password,
        users=[(u.username, u.role) for u in manifest.users],
        summaries=[(doc["reference"], entry.summary) for entry, doc in casefiles],
    )
    for entry, doc in casefiles:
        if doc["reference"] in existing:
            result.existing.append(doc["reference"])
            continue
        with transaction.atomic():  # one case at a time: a crash keeps the cases already laid down
            _lay_case(entry, doc, organisation=organisation, users=users, authorities=authorities, now=now)
        result.created.append(doc["reference"])
    if history:  # ten years of asylum applications for the statistics page (refuge/stats/history.json)
        result.history = lay_history(
            organisation=organisation, user=users[manifest.history_user], today=today, existing=existing
        )
    return result


@transaction.atomic
def reset_demo() -> int:
    """Delete the demo organisation, its users and everything in it. Returns the number of cases deleted."""
    organisation = demo_organisation()
    if organisation is None:
        return 0
    cases = Case.objects.filter(organisation=organisation)
    deleted = cases.count()
    cases.delete()
    User.objects.filter(membership_row__organisation=organisation).delete()
    organisation.delete()
    return deleted
