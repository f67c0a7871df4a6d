"""Rule packs: YAML files validated at load into small typed objects.

A pack is one file per jurisdiction or forum (``refuge/rules/packs/*.yaml``). Its shape is
``pack-1.schema.json``; what a schema cannot say (calendar names that exist, event types and
attributes from the case vocabulary, versions of one rule that do not overlap) is checked here.
Any problem raises :class:`PackError` naming the file, the rule and the field.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import yaml

from refuge.casefile.vocab import EVENT_TYPES
from refuge.lib.countries import is_country
from refuge.rules.calendars import CalendarError, CalendarSpec, WorkCalendar, host_calendar_spec
from refuge.rules.model import (
    Alternative,
    Anchor,
    Availability,
    Computation,
    ConflictRule,
    ForumGate,
    Label,
    Matcher,
    MilestoneRule,
    Pack,
    Party,
    Rule,
    RuleGroup,
    Selection,
    Trigger,
)

PACKS_DIR: Final = Path(__file__).parent / "packs"
SCHEMA_PATH: Final = Path(__file__).parent / "pack-1.schema.json"


class PackError(Exception):
    """A rule pack is invalid. ``str()`` names the file, the rule (if any) and the field."""

    def __init__(self, file: str, message: str, *, rule: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.rule = rule
        self.field = field
        self.message = message
        where = file
        if rule:
            where += f": rule {rule}"
        if field:
            where += f": field {field}"
        super().__init__(f"{where}: {message}")


@dataclass(slots=True)
class PackSet:
    """The packs in use: host-state packs by state, and forum/common packs for every case."""

    packs: tuple[Pack, ...]
    hosts: dict[str, Pack] = field(default_factory=dict)
    general: tuple[Pack, ...] = ()
    availability: dict[str, Availability] = field(default_factory=dict)
    _host_calendars: dict[str, WorkCalendar] = field(default_factory=dict)
    _selection: dict[str, Selection] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # every pack's, a later pack's words winning

    def __post_init__(self) -> None:
        general: list[Pack] = []
        for pack in self.packs:
            if pack.host_state is not None:
                if pack.host_state in self.hosts:
                    other = self.hosts[pack.host_state]
                    raise PackError(
                        pack.file, f"host state {pack.host_state} already has pack {other.name!r} ({other.file})",
                        field="scope.host_state",
                    )
                self.hosts[pack.host_state] = pack
            else:
                general.append(pack)
            if pack.availability is not None:
                self.availability[pack.availability.forum] = pack.availability
            self.labels.update(pack.labels)
        self.general = tuple(general)

    def label(self, code: str) -> Label | None:
        """The words for a code (flag, alternative, forum, rule id, deadline or conflict kind), if a pack has them."""
        return self.labels.get(code)

    def host_calendar(self, host_state: str) -> WorkCalendar:
        """The host state's working-day calendar (its pack's first calendar, else ``holidays``)."""
        found = self._host_calendars.get(host_state)
        if found is None:
            pack = self.hosts.get(host_state)
            if pack is not None and pack.calendars:
                found = next(iter(pack.calendars.values()))
            else:
                found = WorkCalendar(host_calendar_spec(host_state))
            self._host_calendars[host_state] = found
        return found

    def default_timezone(self, host_state: str) -> str | None:
        """The host pack's zone; without a pack, the country's main zone from tzdata's zone.tab."""
        pack = self.hosts.get(host_state)
        return pack.timezone if pack is not None else country_zone(host_state)

    def select(self, host_state: str) -> Selection:
        """The rules, milestones, conflicts and calendars that apply to a case in ``host_state``."""
        found = self._selection.get(host_state)
        if found is None:
            found = _build_selection(self, host_state)
            self._selection[host_state] = found
        return found


def _build_selection(packset: PackSet, host_state: str) -> Selection:
    packs: list[Pack] = list(packset.general)
    host = packset.hosts.get(host_state)
    if host is not None:
        packs.append(host)
    groups: dict[str, list[Rule]] = {}
    milestones: list[MilestoneRule] = []
    conflicts: dict[str, ConflictRule] = {}
    calendars: dict[str, WorkCalendar] = {}
    for pack in packs:
        calendars.update(pack.calendars)
        for rule in pack.rules:
            groups.setdefault(rule.id, []).append(rule)
        milestones.extend(pack.milestones)
    for pack in packs:  # general first, then the host pack overrides by kind
        for conflict in pack.conflicts:
            conflicts[conflict.kind] = conflict
    ordered = {
        rid: tuple(sorted(versions, key=lambda r: (r.valid_from or date.min, r.version)))
        for rid, versions in groups.items()
    }
    rule_groups = []
    for index, versions in enumerate(ordered.values()):
        instant = any(
            c.unit == "hours" or c.time_of_day == "anchor_clock"
            for r in versions
            for c in (r.computation, *(a.computation for a in r.alternatives))
        )
        uniform = len({(r.anchor, calendars[r.computation.calendar].spec.timezone) for r in versions}) == 1
        rule_groups.append(
            RuleGroup(
                index=index,
                versions=versions,
                event_types=tuple(sorted({t for r in versions for t in r.trigger.events})),
                milestone=versions[0].trigger.milestone,
                instant_matters=instant,
                memoizable=uniform,
            )
        )
    return Selection(
        groups=tuple(rule_groups),
        milestones=tuple(milestones),
        conflicts=conflicts,
        calendars=calendars,
        host_calendar=packset.host_calendar(host_state),
        rules_by_id=ordered,
    )


# ---------------------------------------------------------------------------------------------
# Loading


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _plain(value: Any) -> Any:
    """YAML dates become ISO strings so that the JSON schema sees what the file says."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _schema_error(file: str, data: Mapping[str, Any], error: jsonschema.ValidationError) -> PackError:
    path = list(error.absolute_path)
    rule: str | None = None
    rest = path
    if len(path) >= 2 and path[0] in ("rules", "milestones", "conflicts") and isinstance(path[1], int):
        items = data.get(str(path[0]))
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        rule_id = item.get("id") if isinstance(item, dict) else None
        rule = str(rule_id) if rule_id else f"{path[0]}[{path[1]}]"
        rest = path[2:]
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in rest]
    field_name = ".".join(parts).replace(".[", "[")
    message = error.message
    if error.validator == "required":
        missing = [str(k) for k in error.validator_value if k not in (error.instance or {})]
        if missing:
            field_name = f"{field_name}.{missing[0]}" if field_name else missing[0]
            message = "is required"
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            field_name = f"{field_name}.{extra[0]}" if field_name else extra[0]
            message = "is not a known field"
    elif error.validator == "enum":
        message = "must be one of " + ", ".join(str(v) for v in error.validator_value)
    return PackError(file, message, rule=rule, field=field_name or None)


def _where(raw: Mapping[str, Sequence[object]] | None) -> tuple[tuple[str, frozenset[object]], ...]:
    if not raw:
        return ()
    return tuple((k, frozenset(v)) for k, v in sorted(raw.items()))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _clock(value: str) -> time:
    return time.fromisoformat(value)


def _computation(raw: Mapping[str, Any]) -> Computation:
    clamp = raw.get("clamp")
    return Computation(
        unit=raw["unit"],
        count=raw["count"],
        calendar=raw["calendar"],
        start=raw.get("start", "next_day"),
        direction=raw.get("direction", "after"),
        roll=raw.get("roll", "none"),
        time_of_day=raw.get("time", "end_of_day"),
        clamp=(_clock(clamp["from"]), _clock(clamp["to"])) if clamp else None,
        zone=raw.get("zone", "calendar"),
    )


def _matcher(raw: Mapping[str, Any]) -> Matcher:
    return Matcher(
        events=tuple(sorted(set(raw["event"]))),
        where=_where(raw.get("where")),
        link=tuple((k, v.split(".", 1)[1]) for k, v in sorted(raw.get("link", {}).items())),
        after_trigger=raw.get("after_trigger", False),
        until=raw.get("until", "any"),
        when=raw.get("when", "at"),
        compare=raw.get("compare", "instant"),
    )


class _Checker:
    """Semantic checks a JSON schema cannot express."""

    def __init__(self, file: str, calendars: Mapping[str, WorkCalendar]) -> None:
        self.file = file
        self.calendars = calendars

    def fail(self, message: str, rule: str | None, field_name: str) -> PackError:
        return PackError(self.file, message, rule=rule, field=field_name)

    def events(self, names: Iterable[str], rule: str, field_name: str) -> None:
        for name in names:
            if name not in EVENT_TYPES:
                raise self.fail(f"unknown event type {name!r}", rule, field_name)

    def attributes(self, events: Iterable[str], attrs: Iterable[str], rule: str, field_name: str) -> None:
        for attr in attrs:
            if attr in ("id", "at"):
                continue
            if not any(attr in EVENT_TYPES.get(e, {}) for e in events):
                raise self.fail(f"attribute {attr!r} belongs to none of the event types", rule, field_name)

    def calendar(self, name: str, rule: str, field_name: str) -> None:
        if name not in self.calendars:
            raise self.fail(f"unknown calendar {name!r} (not defined in this pack)", rule, field_name)


def _load_calendar(file: str, name: str, raw: Mapping[str, Any]) -> WorkCalendar:
    hol = raw.get("holidays")
    hours = raw.get("hours")
    tz = raw.get("timezone", "case")
    if tz != "case":
        _check_zone(file, tz, f"calendars.{name}.timezone")
    spec = CalendarSpec(
        name=name,
        region=raw.get("region"),
        country=hol["country"] if hol else None,
        subdiv=hol.get("subdiv") if hol else None,
        extra_closed=tuple((e["month"], e["day"]) for e in raw.get("extra_closed", ())),
        approximation_flag=raw.get("approximation_flag"),
        timezone=None if tz == "case" else tz,
        hours=((_seconds(_clock(hours["open"])), _seconds(_clock(hours["close"]))) if hours else None),
    )
    calendar = WorkCalendar(spec)
    try:
        calendar.check(2024)
    except CalendarError as exc:
        raise PackError(file, str(exc), field=f"calendars.{name}.holidays") from exc
    return calendar


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _check_zone(file: str, name: str, field_name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PackError(file, f"unknown IANA time zone {name!r}", field=field_name) from exc


def _check_trigger(raw: Mapping[str, Any], check: _Checker) -> None:
    rid = raw["id"]
    trig = raw["trigger"]
    events = tuple(trig.get("event", ()))
    check.events(events, rid, "trigger.event")
    check.attributes(events, trig.get("where", {}), rid, "trigger.where")
    check.attributes(events, trig.get("has", ()), rid, "trigger.has")
    if "ref" in trig:
        check.attributes(events, [trig["ref"]], rid, "trigger.ref")
        if any(EVENT_TYPES.get(e, {}).get(trig["ref"]) != "event" for e in events):
            raise check.fail("must name an attribute that refers to another event", rid, "trigger.ref")
    elif "ref_where" in trig or trig.get("first_per_ref"):
        raise check.fail("needs trigger.ref", rid, "trigger.ref")
    if "ref_where" in trig:
        check.attributes(EVENT_TYPES, trig["ref_where"], rid, "trigger.ref_where")
    anchor = raw["anchor"]
    if anchor["from"] == "attribute":
        if "attribute" not in anchor:
            raise check.fail("is required when anchor.from is attribute", rid, "anchor.attribute")
        check.attributes(events, [anchor["attribute"]], rid, "anchor.attribute")
    if anchor["from"] == "milestone" and "milestone" not in trig:
        raise check.fail("anchor.from milestone needs trigger.milestone", rid, "anchor.from")
    comp = raw["computation"]
    check.calendar(comp["calendar"], rid, "computation.calendar")
    if comp["unit"] == "hours" and anchor["from"] != "event":
        raise check.fail("hours are counted from an event's instant", rid, "computation.unit")
    if "clamp" in comp and comp.get("time") != "anchor_clock":
        raise check.fail("clamp needs time: anchor_clock", rid, "computation.clamp")


def _load_rule(raw: Mapping[str, Any], pack: str, check: _Checker) -> Rule:
    _check_trigger(raw, check)
    rid = raw["id"]
    trig = raw["trigger"]
    events = tuple(trig.get("event", ()))
    gate = trig.get("forum")
    anchor = raw["anchor"]
    comp = raw["computation"]
    alternatives = []
    for i, alt in enumerate(raw.get("alternatives", ())):
        check.calendar(alt["computation"]["calendar"], rid, f"alternatives[{i}].computation.calendar")
        alternatives.append(
            Alternative(alt["code"], alt["basis"], _computation(alt["computation"]), tuple(alt.get("flags", ())))
        )
    matchers: dict[str, list[Matcher]] = {"met_by": [], "cancelled_by": []}
    for key, found in matchers.items():
        for i, m in enumerate(raw.get(key, ())):
            check.events(m["event"], rid, f"{key}[{i}].event")
            check.attributes(m["event"], m.get("where", {}), rid, f"{key}[{i}].where")
            check.attributes(m["event"], m.get("link", {}), rid, f"{key}[{i}].link")
            found.append(_matcher(m))
    reminders = raw.get("reminders", ())
    transition = raw.get("transition")
    valid_from = _date(raw.get("valid_from"))
    valid_until = _date(raw.get("valid_until"))
    if valid_from and valid_until and valid_until < valid_from:
        raise check.fail("ends before valid_from", rid, "valid_until")
    return Rule(
        id=rid,
        version=raw["version"],
        kind=raw["kind"],
        pack=pack,
        trigger=Trigger(
            events=frozenset(events),
            milestone=trig.get("milestone"),
            where=_where(trig.get("where")),
            has=tuple(trig.get("has", ())),
            ref=trig.get("ref"),
            ref_where=_where(trig.get("ref_where")),
            first_per_ref=trig.get("first_per_ref", False),
            stateless=trig.get("person", {}).get("stateless"),
            forum=ForumGate(gate["forum"], gate["available"], gate["act"]) if gate else None,
        ),
        anchor=Anchor(
            source=anchor["from"],
            attribute=anchor.get("attribute"),
            zone=anchor.get("zone", "case"),
            fallback_months=anchor.get("fallback_months"),
        ),
        computation=_computation(comp),
        severity=raw["severity"],
        verified=raw["verified"],
        basis=" ".join(raw["basis"].split()),
        nature=raw.get("nature", "law"),
        valid_from=valid_from,
        valid_until=valid_until,
        select=raw.get("select", "trigger_date"),
        alternatives=tuple(alternatives),
        transition_code=transition["code"] if transition else None,
        transition_basis=" ".join(transition["basis"].split()) if transition else None,
        met_by=tuple(matchers["met_by"]),
        cancelled_by=tuple(matchers["cancelled_by"]),
        reminder_days=tuple(r["days"] for r in reminders if "days" in r),
        reminder_hours=tuple(r["hours"] for r in reminders if "hours" in r),
        flags=tuple(raw.get("flags", ())),
        notify=tuple(raw.get("notify", ())),
    )


def _check_countries(file: str, host: str | None, availability: Mapping[str, Any] | None) -> None:
    """A host state or a forum's state party that names no ISO 3166-1 country stops the load."""
    if host is not None and not is_country(host):
        raise PackError(file, f"{host!r} is not an ISO 3166-1 country code", field="scope.host_state")
    for i, party in enumerate((availability or {}).get("parties", ())):
        if not is_country(party["state"]):
            message = f"{party['state']!r} is not an ISO 3166-1 country code"
            raise PackError(file, message, field=f"availability.parties[{i}].state")


def _load_availability(raw: Mapping[str, Any]) -> Availability:
    parties = {
        p["state"]: Party(
            state=p["state"],
            since=_date(p.get("since")),
            until=_date(p.get("until")),
            basis_after=" ".join(p["basis_after"].split()) if p.get("basis_after") else None,
            flag_after_end=p.get("flag_after_end"),
        )
        for p in raw["parties"]
    }
    return Availability(
        id=raw["id"],
        forum=raw["forum"],
        basis_party=" ".join(raw["basis_party"].split()),
        basis_not_party=" ".join(raw["basis_not_party"].split()),
        suggest=tuple(raw["suggest_when_unavailable"]),
        parties=parties,
    )


def load_pack(path: Path) -> Pack:
    """Load and validate one pack file."""
    file = str(path)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(file, f"cannot read the file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PackError(file, f"invalid YAML: {exc}") from exc
    data = _plain(loaded)
    if not isinstance(data, dict):
        raise PackError(file, "a pack is a mapping at the top level")
    errors = sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        raise _schema_error(file, data, errors[0])
    name = data["pack"]
    if "timezone" in data:
        _check_zone(file, data["timezone"], "timezone")
    calendars = {n: _load_calendar(file, n, c) for n, c in data.get("calendars", {}).items()}
    check = _Checker(file, calendars)
    rules = [_load_rule(r, name, check) for r in data.get("rules", ())]
    _check_versions(file, rules)
    milestones = [_load_milestone(m, name, check) for m in data.get("milestones", ())]
    conflicts = [_load_conflict(c, name, check) for c in data.get("conflicts", ())]
    scope = data["scope"]
    forums = scope.get("forum", ())
    host = scope.get("host_state")
    if host is not None and "timezone" not in data:
        raise PackError(file, "a host-state pack names its default time zone", field="timezone")
    _check_countries(file, host, data.get("availability"))
    return Pack(
        name=name,
        version=data["version"],
        title=data["title"],
        file=file,
        host_state=host,
        forums=(forums,) if isinstance(forums, str) else tuple(forums),
        timezone=data.get("timezone"),
        calendars=calendars,
        availability=_load_availability(data["availability"]) if "availability" in data else None,
        rules=tuple(rules),
        milestones=tuple(milestones),
        conflicts=tuple(conflicts),
        labels={code: Label(w["label"], w["explanation"]) for code, w in data.get("labels", {}).items()},
    )


def _check_versions(file: str, rules: Sequence[Rule]) -> None:
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rid, versions in by_id.items():
        seen = set()
        for rule in versions:
            if rule.version in seen:
                raise PackError(file, f"version {rule.version} is defined twice", rule=rid, field="version")
            seen.add(rule.version)
        ordered = sorted(versions, key=lambda r: r.valid_from or date.min)
        for before, after in itertools.pairwise(ordered):
            if before.valid_until is None or (after.valid_from is not None and after.valid_from <= before.valid_until):
                raise PackError(
                    file, f"versions {before.version} and {after.version} overlap", rule=rid, field="valid_from"
                )
            if before.kind != after.kind:
                raise PackError(file, "all versions of a rule have the same kind", rule=rid, field="kind")
        for rule in versions:
            if rule.transition_code and rule is ordered[0]:
                raise PackError(file, "a transition needs an earlier version", rule=rid, field="transition")


def _load_milestone(raw: Mapping[str, Any], pack: str, check: _Checker) -> MilestoneRule:
    rid = raw["id"]
    if raw["kind"] == "decision_final" and "appeal_rule" not in raw:
        raise check.fail("is required for decision_final", rid, "appeal_rule")
    if raw["kind"] == "r39_processing":
        if "calendar" not in raw:
            raise check.fail("is required for r39_processing", rid, "calendar")
        check.calendar(raw["calendar"], rid, "calendar")
        if check.calendars[raw["calendar"]].spec.hours is None:
            raise check.fail("the calendar needs opening hours", rid, "calendar")
    return MilestoneRule(
        id=rid,
        version=raw["version"],
        kind=raw["kind"],
        pack=pack,
        verified=raw["verified"],
        basis=" ".join(raw["basis"].split()),
        decisions=frozenset(raw.get("decision", ())),
        appeal_rule=raw.get("appeal_rule"),
        forum=raw.get("forum"),
        calendar=raw.get("calendar"),
    )


def _load_conflict(raw: Mapping[str, Any], pack: str, check: _Checker) -> ConflictRule:
    rid = raw["id"]
    kind = raw["kind"]
    if kind in ("release_due", "protection_ended") and "after_deadline" not in raw:
        raise check.fail(f"is required for {kind}", rid, "after_deadline")
    if "cured_by" in raw:
        check.events(raw["cured_by"], rid, "cured_by")
    return ConflictRule(
        id=rid,
        kind=kind,
        pack=pack,
        severity=raw["severity"],
        basis=" ".join(raw["basis"].split()),
        verified=raw.get("verified", True),
        flags=tuple(raw.get("flags", ())),
        notify=tuple(raw.get("notify", ())),
        window_days=raw.get("window_days", 7),
        after_deadline=raw.get("after_deadline"),
        cured_by=frozenset(raw.get("cured_by", ())),
        forum=raw.get("forum"),
        other_forum=raw.get("other_forum"),
    )


def load_packs(dirs: Iterable[str | Path] | None = None, *, shipped: bool = True) -> PackSet:
    """Load the shipped packs and then those in ``dirs``.

    A pack in a later directory with the same ``pack`` name replaces the earlier one, so a
    local directory can amend a shipped pack; two packs for the same host state are an error.
    """
    directories: list[Path] = [PACKS_DIR] if shipped else []
    directories.extend(Path(d) for d in dirs or ())
    by_name: dict[str, Pack] = {}
    for directory in directories:
        if not directory.is_dir():
            raise PackError(str(directory), "is not a directory of packs")
        for path in sorted(directory.glob("*.yaml")):
            pack = load_pack(path)
            by_name[pack.name] = pack
    packset = PackSet(packs=tuple(by_name.values()))
    _check_references(packset)
    return packset


def _check_references(packset: PackSet) -> None:
    """Cross-pack references: milestone appeal rules, deadline-passed conflicts, forum gates."""
    rule_ids = {r.id for p in packset.packs for r in p.rules}
    milestone_ids = {m.id for p in packset.packs for m in p.milestones}
    for pack in packset.packs:
        for m in pack.milestones:
            if m.appeal_rule and m.appeal_rule not in rule_ids:
                raise PackError(pack.file, f"unknown rule {m.appeal_rule!r}", rule=m.id, field="appeal_rule")
        for r in pack.rules:
            if r.trigger.milestone and r.trigger.milestone not in milestone_ids:
                raise PackError(
                    pack.file, f"unknown milestone {r.trigger.milestone!r}", rule=r.id, field="trigger.milestone"
                )


@cache
def _zone_table() -> dict[str, str]:
    """Country code -> its main zone: the one zone.tab calls "most of" the country, else the first."""
    table: dict[str, str] = {}
    main: set[str] = set()
    for base in TZPATH:
        path = Path(base) / "zone.tab"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 3:
                continue
            code, zone = fields[0], fields[2]
            is_main = len(fields) > 3 and fields[3].lower().startswith("most")
            if code not in table or (is_main and code not in main):
                table[code] = zone
                if is_main:
                    main.add(code)
        break
    return table


def country_zone(country: str) -> str | None:
    """The main IANA zone of a country (None when tzdata does not say)."""
    return _zone_table().get(country)


@cache
def default_packs() -> PackSet:
    """The shipped packs, loaded once per process."""
    return load_packs()
