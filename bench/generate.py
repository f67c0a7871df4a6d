"""Generate a fresh benchmark database: N fictional cases with ~30 events each, fast.

    python -m bench.generate --cases 100000 --data-dir DIR [--database-url postgres://...]

The database must be new: `migrate` runs first, then rows go in with `executemany`, one
transaction per batch of cases, primary keys assigned here. The product's settings are not
changed; only the generator's own connection relaxes durability while it loads (SQLite:
synchronous=OFF, foreign keys checked once at the end instead of row by row).

No real person is described. Names are random combinations of common name parts, written in the
scripts a client's names appear in (Latin, Cyrillic, Hangul). Timelines walk the case-file
vocabulary (refuge/casefile/vocab.py) with valid attributes and with references only to earlier
events of the same case; deadlines and conflicts are a plausible stand-in for the engine's
stored output (refuge/cases/derived.py), so the dashboard's urgent panel has data to query.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time as clock
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import SQLITE_FILE, add_database_arguments, setup_django
from refuge.casefile.vocab import split_text_attributes

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Model

# The vocabulary is imported lazily: refuge.casefile may grow Django imports.
ENUMS: dict[str, tuple[str, ...]] = {}

DAY = 86400.0

# fmt: off
# host state -> (IANA zone, city codes used in pseudonymous references)
HOSTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "RU": ("Europe/Moscow", ("SPB", "MSK", "KZN", "EKB")),
    "TR": ("Europe/Istanbul", ("IST", "ANK", "IZM")),
    "GE": ("Asia/Tbilisi", ("TBS", "BUS")),
    "AM": ("Asia/Yerevan", ("EVN",)),
    "KZ": ("Asia/Almaty", ("ALA", "AST")),
}


@dataclass(frozen=True)
class OrgSpec:
    name: str
    share: float  # of all cases
    hosts: tuple[tuple[str, float], ...]
    nationalities: tuple[tuple[str, float], ...]  # "" is a stateless client


ORGS = (
    OrgSpec("Northern Refugee Legal Aid (fictional)", 0.70, (("RU", 1.0),),
            (("UZ", 0.28), ("TJ", 0.22), ("KP", 0.15), ("KG", 0.10), ("AF", 0.10), ("SY", 0.05), ("", 0.05),
             ("ER", 0.05))),
    OrgSpec("Bosphorus Rights Clinic (fictional)", 0.15, (("TR", 1.0),),
            (("SY", 0.30), ("AF", 0.30), ("UZ", 0.15), ("TJ", 0.10), ("ER", 0.10), ("KP", 0.05))),
    OrgSpec("Caucasus Protection Network (fictional)", 0.10, (("GE", 0.6), ("AM", 0.4)),
            (("TJ", 0.25), ("UZ", 0.25), ("AF", 0.2), ("SY", 0.2), ("", 0.1))),
    OrgSpec("Steppe Migrants' Counsel (fictional)", 0.05, (("KZ", 1.0),),
            (("UZ", 0.4), ("TJ", 0.2), ("KG", 0.2), ("KP", 0.1), ("AF", 0.1))),
)

LANGUAGES = {"KP": ["ko"], "UZ": ["uz", "ru"], "TJ": ["tg", "ru"], "KG": ["ky", "ru"], "AF": ["fa", "ps"],
             "SY": ["ar"], "ER": ["ti"], "": ["ru"]}
HOST_LANGUAGE = {"RU": "ru", "TR": "tr", "GE": "ka", "AM": "hy", "KZ": "kk"}
DESTINATIONS = {"KP": "KP", "UZ": "UZ", "TJ": "TJ", "KG": "KG", "AF": "AF", "SY": "SY", "ER": "ER", "": "UZ"}

# Korean name parts as (Hangul, Latin, Cyrillic) syllables; combinations are fictional.
KO_FAMILY = (("리", "Ri", "Ри"), ("김", "Kim", "Ким"), ("박", "Pak", "Пак"), ("최", "Choe", "Цой"),
             ("정", "Jong", "Чон"), ("강", "Kang", "Кан"), ("조", "Jo", "Чо"), ("윤", "Yun", "Юн"),
             ("장", "Jang", "Чан"), ("한", "Han", "Хан"))
KO_GIVEN = (("성", "Song", "Сон"), ("균", "Gyun", "Гюн"), ("철", "Chol", "Чхоль"), ("민", "Min", "Мин"),
            ("영", "Yong", "Ён"), ("수", "Su", "Су"), ("혁", "Hyok", "Хёк"), ("남", "Nam", "Нам"),
            ("광", "Gwang", "Кван"), ("명", "Myong", "Мён"), ("호", "Ho", "Хо"), ("진", "Jin", "Чжин"),
            ("은", "Un", "Ын"), ("희", "Hui", "Хи"), ("옥", "Ok", "Ок"))
# Central Asian given names and family-name roots as (Latin, Cyrillic).
CA_GIVEN = (("Aziz", "Азиз"), ("Bakhtiyor", "Бахтиёр"), ("Dilshod", "Дилшод"), ("Farrukh", "Фаррух"),
            ("Jasur", "Жасур"), ("Nodira", "Нодира"), ("Malika", "Малика"), ("Rustam", "Рустам"),
            ("Sardor", "Сардор"), ("Umida", "Умида"), ("Timur", "Тимур"), ("Zarina", "Зарина"),
            ("Kamol", "Камол"), ("Shakhlo", "Шахло"), ("Otabek", "Отабек"), ("Gulnora", "Гулнора"))
CA_FAMILY = (("Karim", "Карим"), ("Rakhim", "Рахим"), ("Yusup", "Юсуп"), ("Nazar", "Назар"),
             ("Sharip", "Шарип"), ("Tursun", "Турсун"), ("Umar", "Умар"), ("Khamid", "Хамид"),
             ("Ergash", "Эргаш"), ("Saidal", "Саидал"))
OTHER_GIVEN = ("Ahmad", "Omar", "Farid", "Layla", "Samir", "Nadia", "Yonas", "Selam", "Tariq", "Hamid", "Rania")
OTHER_FAMILY = ("Haddad", "Rahimi", "Sultani", "Tesfaye", "Haile", "Nouri", "Karimi", "Darwish", "Ghani")
STAFF_GIVEN = ("Anna", "Pavel", "Irina", "Dmitri", "Elif", "Murat", "Nino", "Giorgi", "Ani", "Aram", "Dana",
               "Arman", "Olga", "Sergei", "Zeynep", "Levan", "Mariam", "Aigerim", "Tomas", "Lena")
STAFF_FAMILY = ("Sokolova", "Orlov", "Kaya", "Demir", "Beridze", "Kapanadze", "Petrosyan", "Sargsyan",
                "Abenova", "Nurlanov", "Volkova", "Yilmaz", "Lomidze", "Hakobyan", "Iskakov")

AUTHORITY_KINDS = (("court", "District Court No. {n}"), ("court", "Regional Court of Appeal No. {n}"),
                   ("migration_service", "Migration Service, Office {n}"),
                   ("detention_centre", "Temporary Detention Centre for Foreigners No. {n}"),
                   ("bailiffs", "Bailiffs' Service, Unit {n}"), ("border_service", "Border Service, Post {n}"),
                   ("prosecutor", "Prosecutor's Office, District {n}"),
                   ("asylum_authority", "Asylum Commission, Section {n}"))
# fmt: on


def fictional_names(rng: random.Random, nationality: str) -> list[dict[str, str]]:
    """A client's names in every script they appear in."""
    if nationality == "KP":
        parts = [rng.choice(KO_FAMILY), rng.choice(KO_GIVEN), rng.choice(KO_GIVEN)]
        hangul = parts[0][0] + parts[1][0] + parts[2][0]
        # Both romanisations seen on documents: "Ri Song Gyun" and "Ri Songgyun".
        joined = rng.random() < 0.5
        given = f"{parts[1][1]}{parts[2][1].lower()}" if joined else f"{parts[1][1]} {parts[2][1]}"
        latin = f"{parts[0][1]} {given}"
        cyrillic = f"{parts[0][2]} {parts[1][2]} {parts[2][2]}"
        return [
            {"value": hangul, "script": "Hang"},
            {"value": cyrillic, "script": "Cyrl"},
            {"value": latin, "script": "Latn"},
        ]
    if nationality in ("UZ", "TJ", "KG", ""):
        given = rng.choice(CA_GIVEN)
        family = rng.choice(CA_FAMILY)
        female = given[0].endswith("a") or given[0] in ("Shakhlo",)
        suffix = ("ova", "ова") if female else ("ov", "ов")
        return [
            {"value": f"{family[1]}{suffix[1]} {given[1]}", "script": "Cyrl"},
            {"value": f"{family[0]}{suffix[0]} {given[0]}", "script": "Latn"},
        ]
    return [{"value": f"{rng.choice(OTHER_GIVEN)} {rng.choice(OTHER_FAMILY)}", "script": "Latn"}]


def staff_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(STAFF_GIVEN), rng.choice(STAFF_FAMILY)


@dataclass
class TimelineEvent:
    key: str
    type: str
    at: datetime  # aware, UTC
    offset_minutes: int
    date_only: bool
    attributes: dict[str, Any]
    proceeding: str | None  # "domestic", "asylum" or a forum code


@dataclass
class DeadlineSpec:
    kind: str
    rule: str
    trigger: str
    due_date: date
    due_at: datetime  # aware, UTC
    severity: str
    basis: str
    reminders: list[str]
    status: str = "open"
    met_by: str = ""


@dataclass
class ConflictSpec:
    kind: str
    severity: str
    events: list[str]
    rule: str
    basis: str
    notify: list[str]
    raised_at: datetime


@dataclass
class Timeline:
    """One case's walk through the vocabulary, with the deadlines and conflicts it implies."""

    rng: random.Random
    tz: zoneinfo.ZoneInfo
    host_state: str
    nationality: str
    languages: list[str]
    now: datetime
    events: list[TimelineEvent] = field(default_factory=list)
    deadlines: list[DeadlineSpec] = field(default_factory=list)
    conflicts: list[ConflictSpec] = field(default_factory=list)
    # state of the story
    detained: bool = False
    ordered: bool = False
    unreceived: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    appealed: list[str] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)
    final: list[str] = field(default_factory=list)
    removal: str | None = None
    asylum: str | None = None  # kind while an application or appeal is pending
    asylum_refused: bool = False
    asylum_granted: bool = False
    requested: dict[str, str] = field(default_factory=dict)  # forum -> request key, awaiting answer
    granted: dict[str, str] = field(default_factory=dict)  # forum -> grant key, in force
    lodged: set[str] = field(default_factory=set)
    forum_deadlines: int = 0

    # --- helpers -----------------------------------------------------------------------------
    def _local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)

    def _iso(self, instant: datetime) -> str:
        return self._local(instant).replace(microsecond=0).isoformat()

    def _day(self, instant: datetime, days: float) -> str:
        return (self._local(instant) + timedelta(days=days)).date().isoformat()

    def _end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.tz).astimezone(self.now.tzinfo)

    def _deadline(self, kind: str, trigger: str, due: datetime, severity: str, basis: str) -> None:
        rule = f"{self.host_state.lower()}.{kind}"
        due_local = self._local(due)
        reminders = [(due_local - timedelta(days=d)).date().isoformat() for d in (3, 1)]
        self.deadlines.append(DeadlineSpec(kind, rule, trigger, due_local.date(), due, severity, basis, reminders))

    def _conflict(self, kind: str, severity: str, events: list[str], at: datetime, notify: list[str]) -> None:
        rule = f"all.{kind}"
        basis = {
            "removal_during_interim_measure": "Rule 39 / art. 22 CAT / art. 92 HRC rules: binding interim measure",
            "removal_during_asylum": "Law on Refugees art. 10: no removal while an application is pending",
            "removal_before_final": "Removal before the decision is final",
            "document_signed_without_interpreter": "Right to an interpreter in a language the person understands",
            "consular_contact_while_protected": "Contact with the country of origin while protection is pending",
        }[kind]
        self.conflicts.append(ConflictSpec(kind, severity, events, rule, basis, notify, at))

    def _country(self) -> str:
        return DESTINATIONS[self.nationality]

    # --- the walk ----------------------------------------------------------------------------
    def candidates(self) -> list[tuple[str, float]]:  # noqa: PLR0912  # one weight per state of the story
        c: list[tuple[str, float]] = [("document_signed", 1.2), ("lawyer_access_denied", 0.4)]
        if self.detained:
            c += [("detention_extended", 1.0), ("released", 0.4)]
            if not self.ordered:
                c.append(("detention_ordered", 3.0))
        else:
            c.append(("detention_started", 1.5))
        if len(self.received) + len(self.unreceived) < 4:
            c.append(("decision_issued", 1.2))
        if self.unreceived:
            c.append(("decision_received", 4.0))
        if [k for k in self.received if k not in self.appealed]:
            c.append(("appeal_lodged", 2.5))
        if [k for k in self.appealed if k not in self.decided]:
            c.append(("appeal_decided", 1.5))
        if [k for k in self.decided if k not in self.final]:
            c.append(("final_domestic_decision", 0.8))
        if self.received and self.removal is None:
            c.append(("removal_scheduled", 1.0))
        if self.removal is not None:
            c += [("removal_cancelled", 2.0), ("removal_executed", 0.05)]
        if self.asylum is None and not self.asylum_granted:
            c.append(("asylum_applied", 0.8 if not self.asylum_refused else 0.2))
        elif self.asylum is not None:
            c += [("asylum_refusal_received", 0.8), ("asylum_granted", 0.1)]
        if self.asylum_refused:
            c.append(("asylum_appeal_rejected_received", 0.3))
        forums = self._forums()
        c += [("interim_measure_requested", 0.6)] if [f for f in forums if f not in self.requested] else []
        if self.requested:
            c += [("interim_measure_granted", 2.0), ("interim_measure_refused", 0.8)]
        if self.granted:
            c.append(("interim_measure_lifted", 0.15))
        if [f for f in forums if f not in self.lodged]:
            c.append(("application_lodged", 0.4))
        if self.lodged and self.forum_deadlines < 3:
            c.append(("forum_deadline_set", 0.6))
        c += [("consular_contact", 0.5), ("travel_document_issued", 0.1)]
        return c

    def _forums(self) -> tuple[str, ...]:
        # The ECtHR no longer covers acts of the Russian Federation after 16 Sep 2022 (LAW.md).
        return ("un_cat", "un_hrc") if self.host_state in ("RU", "KZ") else ("echr", "un_cat", "un_hrc")

    def walk(self, instants: list[datetime]) -> None:
        rng = self.rng
        for n, at in enumerate(instants, start=1):
            options = self.candidates()
            kind = rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]
            key = f"e{n}"
            date_only = rng.random() < 0.08
            if date_only:
                midnight = datetime.combine(self._local(at).date(), time.min, tzinfo=self.tz)
                at = midnight.astimezone(self.now.tzinfo)  # noqa: PLW2901  # the day is all that is known
            offset = self._local(at).utcoffset()
            attributes, proceeding = getattr(self, f"_{kind}")(key, at)
            self.events.append(
                TimelineEvent(
                    key, kind, at, int(offset.total_seconds() // 60) if offset else 0, date_only, attributes, proceeding
                )
            )

    # --- one method per event type: (attributes, proceeding) ---------------------------------
    def _detention_started(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        self.detained, self.ordered = True, False
        self._deadline(
            "detention_court_order",
            key,
            at + timedelta(hours=48),
            "critical",
            "A court must order detention within 48 hours",
        )
        basis = self.rng.choice(ENUMS["detention_basis"])
        return {"basis": basis, "place": "Temporary detention centre for foreigners"}, None

    def _detention_ordered(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        self.ordered = True
        until = self._day(at, self.rng.choice((30, 60, 90)))
        self._deadline(
            "detention_term", key, self._end_of_day(date.fromisoformat(until)), "medium", "The court's detention term"
        )
        return {"term_until": until}, "domestic"

    def _detention_extended(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        until = self._day(at, self.rng.choice((30, 60, 90)))
        self._deadline(
            "detention_term", key, self._end_of_day(date.fromisoformat(until)), "medium", "The court's extended term"
        )
        return {"term_until": until}, "domestic"

    def _released(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        self.detained = False
        return {}, None

    def _decision_issued(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        self.unreceived.append(key)
        decision = self.rng.choice(ENUMS["decision"])
        detention = "foreigners_centre" if self.detained else "none"
        n = self.rng.randint(1, 40)
        return {"decision": decision, "detention": detention, "authority": f"District Court No. {n}"}, "domestic"

    def _decision_received(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        decision = self.unreceived.pop(0)
        self.received.append(decision)
        days = 10 if self.host_state == "RU" else 7
        due_day = date.fromisoformat(self._day(at, days))
        self._deadline("appeal", key, self._end_of_day(due_day), "high", f"Appeal within {days} days of receipt")
        return {"decision_event": decision}, "domestic"

    def _appeal_lodged(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        decision = self.rng.choice([k for k in self.received if k not in self.appealed])
        self.appealed.append(decision)
        return {"decision_event": decision}, "domestic"

    def _appeal_decided(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        decision = next(k for k in self.appealed if k not in self.decided)
        self.decided.append(decision)
        return {"decision_event": decision, "outcome": self.rng.choice(ENUMS["outcome"])}, "domestic"

    def _final_domestic_decision(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        decision = next(k for k in self.decided if k not in self.final)
        self.final.append(decision)
        if "echr" in self._forums():
            due = date.fromisoformat(self._day(at, 120))
            self._deadline(
                "echr_application",
                key,
                self._end_of_day(due),
                "high",
                "ECHR art. 35(1): four months from the final decision",
            )
        return {"decision_event": decision}, "domestic"

    def _removal_scheduled(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        self.removal = key
        removal_at = at + timedelta(days=self.rng.uniform(2, 12))
        if self.granted:
            grant = next(iter(self.granted.values()))
            self._conflict(
                "removal_during_interim_measure",
                "critical",
                [key, grant],
                at,
                ["executing_authority", "detention_centre", "forum_registry"],
            )
        elif self.asylum is not None:
            self._conflict("removal_during_asylum", "critical", [key], at, ["executing_authority", "migration_service"])
        elif [k for k in self.appealed if k not in self.decided]:
            self._conflict("removal_before_final", "critical", [key], at, ["executing_authority", "court"])
        kind = "r39_cutoff" if "echr" in self._forums() else "un_interim_request"
        self._deadline(
            kind,
            key,
            removal_at - timedelta(hours=6),
            "critical",
            "An interim measure must reach the forum before the removal",
        )
        return {"removal_at": self._iso(removal_at), "destination": self._country()}, None

    def _removal_cancelled(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        removal, self.removal = self.removal, None
        return {"removal_event": removal}, None

    def _removal_executed(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        removal, self.removal = self.removal, None
        self.detained = False
        return {"removal_event": removal}, None

    def _asylum_applied(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        self.asylum = self.rng.choice(ENUMS["asylum_kind"])
        self.asylum_refused = False
        due = date.fromisoformat(self._day(at, 90))
        self._deadline(
            "authority_decision", key, self._end_of_day(due), "medium", "The authority must decide within three months"
        )
        return {"kind": self.asylum}, "asylum"

    def _asylum_refusal_received(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        kind, self.asylum = self.asylum or "refugee_status", None
        self.asylum_refused = True
        due = date.fromisoformat(self._day(at, 30))
        self._deadline(
            "asylum_appeal", key, self._end_of_day(due), "high", "Appeal against an asylum refusal within one month"
        )
        return {"kind": kind}, "asylum"

    def _asylum_appeal_rejected_received(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        self.asylum_refused = False
        return {"kind": self.rng.choice(ENUMS["asylum_kind"])}, "asylum"

    def _asylum_granted(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        kind, self.asylum = self.asylum or "temporary_asylum", None
        self.asylum_granted = True
        until = self._day(at, 365)
        if kind == "temporary_asylum":
            due = date.fromisoformat(until) - timedelta(days=30)
            self._deadline(
                "temporary_asylum_renewal",
                key,
                self._end_of_day(due),
                "medium",
                "Apply for renewal a month before the term ends",
            )
        return {"kind": kind, "until": until}, "asylum"

    def _interim_measure_requested(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        forum = self.rng.choice([f for f in self._forums() if f not in self.requested])
        self.requested[forum] = key
        return {"forum": forum}, forum

    def _interim_measure_granted(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        forum = next(iter(self.requested))
        del self.requested[forum]
        self.granted[forum] = key
        until = None if self.rng.random() < 0.7 else self._iso(at + timedelta(days=self.rng.uniform(20, 120)))
        destination = self._country() if self.rng.random() < 0.8 else None
        return {"forum": forum, "until": until, "destination": destination}, forum

    def _interim_measure_refused(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        forum = next(iter(self.requested))
        del self.requested[forum]
        return {"forum": forum}, forum

    def _interim_measure_lifted(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        forum = next(iter(self.granted))
        del self.granted[forum]
        return {"forum": forum}, forum

    def _application_lodged(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        forum = self.rng.choice([f for f in self._forums() if f not in self.lodged])
        self.lodged.add(forum)
        return {"forum": forum}, forum

    def _forum_deadline_set(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        forum = self.rng.choice(sorted(self.lodged))
        self.forum_deadlines += 1
        due = self._day(at, self.rng.choice((14, 21, 30, 60)))
        self._deadline(
            "forum_deadline",
            key,
            self._end_of_day(date.fromisoformat(due)),
            "high",
            "A date set by the court or committee",
        )
        return {"forum": forum, "due": due}, forum

    def _document_signed(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        language = HOST_LANGUAGE[self.host_state] if self.rng.random() < 0.7 else self.languages[0]
        interpreter = self.rng.random() < 0.6
        if language not in self.languages and not interpreter:
            self._conflict("document_signed_without_interpreter", "high", [key], at, ["case_team"])
        return {"language": language, "interpreter": interpreter, "counsel": self.rng.random() < 0.5}, None

    def _consular_contact(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        if self.granted or self.asylum is not None:
            self._conflict("consular_contact_while_protected", "high", [key], at, ["case_team"])
        return {"country": self._country()}, None

    def _travel_document_issued(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        if self.granted or self.asylum is not None:
            self._conflict("consular_contact_while_protected", "high", [key], at, ["case_team"])
        return {"country": self._country()}, None

    def _lawyer_access_denied(self, key: str, at: datetime) -> tuple[dict[str, Any], str | None]:
        return {}, None


# --- the load ----------------------------------------------------------------------------------

STATUS_MIX = (("urgent", 0.05), ("open", 0.45), ("dormant", 0.20), ("closed", 0.30))
# status -> days since the last event (low, high), mean days between two events
STATUS_SHAPE = {
    "urgent": (0.0, 3.0, 1.0),
    "open": (0.0, 120.0, 4.0),
    "dormant": (120.0, 730.0, 6.0),
    "closed": (365.0, 3650.0, 8.0),
}
EVENTS_PER_CASE = (20, 40)  # uniform: 30 on average
TEAM_SIZES = ((1, 0.30), (2, 0.45), (3, 0.25))
CASELOAD = (50, 200)  # cases per lawyer or caseworker
NOTES = (  # identifying free text in real life (hence encrypted); here fictional and generic
    "Client called from the detention centre; an interpreter is arranged for the next visit.",
    "Copy of the decision received by fax from the court registry.",
    "Client says officers asked him to sign a paper in a language he does not read.",
    "Relative reports the client was moved to another centre overnight.",
    "Consulate officials visited; the client was not told in advance.",
)
SOURCES = ("client interview", "court file", "decision copy", "detention centre call", "forum letter", "")
BENCH_PASSWORD = "refuge-bench-password-not-a-secret"  # noqa: S105  # every generated user has it (fictional data only)


class Table:
    """Rows for one model, written with executemany; columns are checked against the model."""

    def __init__(self, model: type[Model], columns: str, conn: BaseDatabaseWrapper) -> None:
        attnames = columns.split()
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = sorted(set(attnames) - set(fields))
        if unknown:
            raise SystemExit(f"bench.generate: {meta.db_table} has no field {unknown}; update bench/generate.py")
        self.extra = []
        for name, f in fields.items():
            if name in attnames:
                continue
            if hasattr(f, "encrypt"):  # a vault field: its default would be a plaintext
                raise SystemExit(f"bench.generate: {meta.db_table}.{name} is encrypted; teach bench/generate.py")
            if not f.has_default() and not f.null and not (f.blank and f.empty_strings_allowed):  # blank text: ""
                raise SystemExit(
                    f"bench.generate: {meta.db_table}.{name} is required and has no default; "
                    "teach bench/generate.py to fill it"
                )
            self.extra.append(f)
        db_columns = [fields[a].column for a in attnames] + [f.column for f in self.extra]
        qn = conn.ops.quote_name
        names = ", ".join(qn(c) for c in db_columns)
        marks = ", ".join(["%s"] * len(db_columns))
        # Table and column names come from the models, quoted; values are parameters.
        self.sql = f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        self.model = model
        self.conn = conn
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        self.last_id = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def add(self, *row: Any) -> None:
        if self.extra:
            row = row + tuple(f.get_db_prep_save(f.get_default(), self.conn) for f in self.extra)
        self.rows.append(row)

    def flush(self, cursor: Any) -> None:
        if self.rows:
            cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows.clear()


class Adapt:
    """Python values to what the backend stores, as Django's fields would send them (checked once)."""

    def __init__(self, conn: BaseDatabaseWrapper) -> None:
        ops = conn.ops
        self.sqlite = conn.vendor == "sqlite"
        self.json: Callable[[Any], Any] = lambda v: ops.adapt_json_value(v, None)
        self.date: Callable[[date | None], Any] = ops.adapt_datefield_value
        if self.sqlite:
            self.uuid: Callable[[uuid.UUID], Any] = lambda u: u.hex
            self.dt: Callable[[datetime], Any] = lambda d: str(d.astimezone(UTC).replace(tzinfo=None))
        else:
            self.uuid = lambda u: u
            self.dt = lambda d: d
        probe = datetime(2026, 3, 2, 9, 30, 15, 120, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
        if self.dt(probe) != ops.adapt_datetimefield_value(probe):
            raise SystemExit("bench.generate: the backend stores date-times differently; update Adapt")


class Vault:
    """Case data keys and field ciphertexts, made as refuge.vault makes them, without a save per row.

    The vault is initialised with a development root key (written beside the database, as
    `refuge demo` does); each case gets its own data key wrapped by it, and every identifying
    field (the client's names, birth date, notes, document numbers; each event's source, note
    and text attributes, even blank) is AES-GCM ciphertext bound to its row, so pages pay for decryption as they would.
    """

    def __init__(self) -> None:
        from refuge.cases.models import Event, Person  # noqa: PLC0415  # Django is set up
        from refuge.vault import crypto, keys, state  # noqa: PLC0415
        from refuge.vault.models import RootKeySource  # noqa: PLC0415

        keys.init_vault(keys.new_root_key(source=RootKeySource.DEV))
        state.unseal_with_dev_key()
        self.crypto = crypto
        self.root_version = state.wrap_version()
        self.root = state.root_key(self.root_version)
        self.person = {name: Person._meta.get_field(name) for name in Person.IDENTITY_FIELDS}
        self.note = Event._meta.get_field("note")
        self.source = Event._meta.get_field("source")
        self.text_attributes = Event._meta.get_field("text_attributes")

    def case_key(self, case_code: str) -> tuple[bytes, bytes]:
        """A new data key for a case, and the key wrapped under the root key."""
        key = self.crypto.random_key()
        aad = self.crypto.case_key_aad(case_code, 1, self.root_version)
        return key, self.crypto.wrap_key(self.root, key, aad=aad)

    def seal(self, key: bytes, field: Any, value: Any, code: str) -> bytes:
        return self.crypto.encrypt_field(key, field.encode(value), label=field.label, code=code, key_version=1)


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _split(total: int, shares: Sequence[float]) -> list[int]:
    """Split total by shares, largest remainder first, every part at least 1 when total allows."""
    raw = [total * s / sum(shares) for s in shares]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class CasePlan:
    start: datetime
    seed: int
    org: int
    status: str


@dataclass
class CaseContext:
    """What the rows of one case share while they are written."""

    rng: random.Random
    story: Timeline
    org: OrgState
    case_id: int
    tz_name: str
    status: str
    team: list[int]
    made_at: dict[str, datetime]


@dataclass
class OrgState:
    id: int
    slug: str
    spec: OrgSpec
    teams: list[list[int]] = field(default_factory=list)  # one per case of the org, in case order
    courts: list[int] = field(default_factory=list)
    asylum_bodies: list[int] = field(default_factory=list)
    references: dict[tuple[str, int], int] = field(default_factory=dict)
    next_team: int = 0


class Loader:
    def __init__(self, conn: BaseDatabaseWrapper, *, cases: int, seed: int, batch: int, now: datetime) -> None:
        from refuge.accounts.models import Membership, Organisation, User  # noqa: PLC0415  # Django is set up
        from refuge.cases.models import (  # noqa: PLC0415
            Authority,
            Case,
            CaseCheck,
            CaseMember,
            Conflict,
            Deadline,
            DerivedChange,
            Event,
            Person,
            Proceeding,
        )
        from refuge.vault.models import CaseKey  # noqa: PLC0415

        self.conn = conn
        self.vault = Vault()
        self.n_cases = cases
        self.seed = seed
        self.batch = batch
        self.now = now
        self.a = Adapt(conn)
        t = Table
        # The columns each row below fills, in order (checked against the models when the Table is made).
        self.orgs_t = t(Organisation, "id code name created_at", conn)
        self.users = t(User, "id password last_login is_superuser username first_name last_name email is_staff "
                       "is_active date_joined code", conn)  # fmt: skip
        self.memberships = t(Membership, "id user_id organisation_id role created_at", conn)
        self.authorities = t(Authority, "id code organisation_id name kind country channels languages notes", conn)
        self.cases = t(Case, "id code organisation_id reference status host_state timezone timezone_explicit "
                       "created_at updated_at created_by_id", conn)  # fmt: skip
        self.case_keys = t(CaseKey, "id case_id version root_version wrapped created_at", conn)
        self.members = t(CaseMember, "id case_id user_id added_at", conn)
        self.persons = t(Person, "id case_id nationality stateless languages names birth_date contact_notes "
                         "location_notes document_numbers", conn)  # fmt: skip
        self.proceedings = t(Proceeding, "id code case_id forum reference_number authority_id opened_on is_active "
                             "note case_number", conn)  # fmt: skip
        self.events = t(Event, "id code case_id key type at utc_offset_minutes date_only attributes "
                        "text_attributes authority_id proceeding_id author_id source note created_at updated_at",
                        conn)  # fmt: skip
        self.deadlines = t(Deadline, "id case_id organisation_id key kind rule trigger due_date due_at timezone "
                           "status met_by severity basis verified alternatives safe_due_date reminders flags",
                           conn)  # fmt: skip
        self.conflicts = t(Conflict, "id case_id organisation_id key kind severity severity_rank rule events basis "
                           "flags notify raised_at", conn)  # fmt: skip
        self.checks = t(CaseCheck, "id case_id report today packs_version computed_at", conn)
        self.changes = t(DerivedChange, "id case_id item key kind change before after cause_event cause actor_id "
                         "at", conn)  # fmt: skip
        self.tables = [
            self.orgs_t,
            self.users,
            self.memberships,
            self.authorities,
            self.cases,
            self.case_keys,
            self.members,
            self.persons,
            self.proceedings,
            self.events,
            self.deadlines,
            self.conflicts,
            self.checks,
            self.changes,
        ]
        self.orgs: list[OrgState] = []
        self.tz_cache: dict[str, zoneinfo.ZoneInfo] = {}

    # --- plan ------------------------------------------------------------------------------
    def plan(self) -> list[CasePlan]:
        """Who, when and what state, for every case; sorted by start so ids follow time as in real use."""
        rng = random.Random(self.seed)
        per_org = _split(self.n_cases, [o.share for o in ORGS])
        plans = []
        for org, count in enumerate(per_org):
            for _ in range(count):
                seed = rng.getrandbits(63)
                status = _weighted(rng, STATUS_MIX)
                plans.append(CasePlan(self._start(seed, status), seed, org, status))
        plans.sort(key=lambda p: p.start)
        return plans

    def _gaps(self, rng: random.Random, status: str) -> tuple[float, list[float]]:
        """Days from the last event back to now, and the days between events (drawn first from a case's rng)."""
        low, high, mean = STATUS_SHAPE[status]
        n = rng.randint(*EVENTS_PER_CASE)
        end = rng.uniform(low, high)
        return end, [max(600.0 / DAY, rng.expovariate(1 / mean)) for _ in range(n - 1)]

    def _start(self, seed: int, status: str) -> datetime:
        end, gaps = self._gaps(random.Random(seed), status)
        return self.now - timedelta(days=end + sum(gaps))

    # --- organisations and people ----------------------------------------------------------
    def staff(self, plans: list[CasePlan]) -> None:
        """Organisations, their users and every case's team (1-3 people; 50-200 cases each)."""
        from django.contrib.auth.hashers import make_password  # noqa: PLC0415  # Django is set up

        rng = random.Random(self.seed + 1)
        password = make_password(BENCH_PASSWORD, hasher="pbkdf2_sha256")  # argon2 is optional
        a = self.a
        joined = self.now - timedelta(days=3700)
        counts = [0] * len(ORGS)
        for p in plans:
            counts[p.org] += 1
        for index, spec in enumerate(ORGS):
            org_id = self.orgs_t.new_id()
            slug = "".join(w[0] for w in spec.name.split() if w[0].isalpha()).lower()[:4]
            org = OrgState(org_id, slug, spec)
            self.orgs.append(org)
            self.orgs_t.add(org_id, a.uuid(_uuid(rng)), spec.name, a.dt(joined))

            def user(role: str, number: int, org: OrgState = org, org_id: int = org_id) -> int:
                uid = self.users.new_id()
                first, last = staff_name(rng)
                username = f"{org.slug}-{role}-{number:04d}"
                self.users.add(
                    uid,
                    password,
                    None,
                    False,
                    username,
                    first,
                    last,
                    f"{username}@example.org",
                    False,
                    True,
                    a.dt(joined),
                    a.uuid(_uuid(rng)),
                )
                self.memberships.add(self.memberships.new_id(), uid, org_id, role, a.dt(joined))
                return uid

            for n in range(1, 3):
                user("admin", n)
            user("analyst", 1)
            sizes = [_weighted(rng, TEAM_SIZES) for _ in range(counts[index])]
            slots: list[int] = []
            number = 0
            while len(slots) < sum(sizes):
                number += 1
                role = "lawyer" if number % 2 else "caseworker"
                slots += [user(role, number)] * rng.randint(*CASELOAD)
            del slots[sum(sizes) :]
            rng.shuffle(slots)
            it = iter(slots)
            org.teams = [list(dict.fromkeys(itertools.islice(it, size))) for size in sizes]
            self._authorities(org, rng)

    def _authorities(self, org: OrgState, rng: random.Random) -> None:
        a = self.a
        for host, _share in org.spec.hosts:
            for kind, pattern in AUTHORITY_KINDS:
                for n in range(1, 6 if kind == "court" else 3):
                    aid = self.authorities.new_id()
                    name = f"{pattern.format(n=n)} ({host})"
                    channels = [
                        {"kind": "post", "value": f"{n} Fictional Street"},
                        {"kind": "fax", "value": f"+000 {rng.randint(1000000, 9999999)}"},
                    ]
                    self.authorities.add(
                        aid,
                        a.uuid(_uuid(rng)),
                        org.id,
                        name,
                        kind,
                        host,
                        a.json(channels),
                        a.json([HOST_LANGUAGE[host]]),
                        None,  # no notes: NULL reads as blank, as for a vault field never saved
                    )
                    if kind == "court":
                        org.courts.append(aid)
                    elif kind == "asylum_authority":
                        org.asylum_bodies.append(aid)

    # --- one case --------------------------------------------------------------------------
    def case(self, plan: CasePlan) -> None:
        a = self.a
        rng = random.Random(plan.seed)
        _end, gaps = self._gaps(rng, plan.status)
        org = self.orgs[plan.org]
        team = org.teams[org.next_team]
        org.next_team += 1
        host = _weighted(rng, org.spec.hosts)
        tz_name = HOSTS[host][0]
        tz = self.tz_cache.setdefault(tz_name, zoneinfo.ZoneInfo(tz_name))
        nationality = _weighted(rng, org.spec.nationalities)
        languages = list(LANGUAGES[nationality])

        instants = [plan.start]
        for gap in gaps:
            instants.append(instants[-1] + timedelta(days=gap))
        instants = [i.replace(second=0, microsecond=0) for i in instants]
        story = Timeline(rng, tz, host, nationality, languages, self.now)
        story.walk(instants)

        case_id = self.cases.new_id()
        created = [min(self.now, e.at + timedelta(minutes=rng.uniform(5, 2880))) for e in story.events]
        local_start = story.events[0].at.astimezone(tz)
        city = rng.choice(HOSTS[host][1])
        seq = org.references.get((city, local_start.year), 0) + 1
        org.references[(city, local_start.year)] = seq
        reference = f"{city}-{local_start.year}-{seq:04d}"
        case_code = _uuid(rng)
        self.cases.add(
            case_id,
            a.uuid(case_code),
            org.id,
            reference,
            plan.status,
            host,
            tz_name,
            rng.random() < 0.3,
            a.dt(created[0]),
            a.dt(max(created)),
            team[0],
        )
        for uid in team:
            self.members.add(self.members.new_id(), case_id, uid, a.dt(created[0]))
        vault, code = self.vault, str(case_code)
        key, wrapped = vault.case_key(code)
        self.case_keys.add(self.case_keys.new_id(), case_id, 1, vault.root_version, wrapped, a.dt(created[0]))
        identity = {
            "names": fictional_names(rng, nationality),
            "birth_date": date(1960, 1, 1) + timedelta(days=rng.randint(0, 45 * 365)),
            "contact_notes": "",
            "location_notes": "",
            "document_numbers": [],
        }
        sealed = {name: vault.seal(key, field, identity[name], code) for name, field in vault.person.items()}
        self.persons.add(
            self.persons.new_id(),
            case_id,
            nationality,
            nationality == "",
            a.json(languages),
            sealed["names"],
            sealed["birth_date"],
            sealed["contact_notes"],
            sealed["location_notes"],
            sealed["document_numbers"],
        )

        ctx = CaseContext(
            rng,
            story,
            org,
            case_id,
            tz_name,
            plan.status,
            team,
            {e.key: made for e, made in zip(story.events, created, strict=True)},
        )
        proceedings: dict[str, int] = {}
        for e in story.events:
            proceeding = None
            if e.proceeding is not None:
                proceeding = proceedings.get(e.proceeding)
                if proceeding is None:
                    proceeding = self._proceeding(ctx, e.proceeding, e.at.astimezone(tz).date())
                    proceedings[e.proceeding] = proceeding
            made = a.dt(ctx.made_at[e.key])
            event_code = _uuid(rng)
            note = rng.choice(NOTES) if rng.random() < 0.15 else ""
            engine_attributes, text_attributes = split_text_attributes(e.type, e.attributes)
            self.events.add(
                self.events.new_id(),
                a.uuid(event_code),
                case_id,
                e.key,
                e.type,
                a.dt(e.at),
                e.offset_minutes,
                e.date_only,
                a.json(engine_attributes),
                vault.seal(key, vault.text_attributes, text_attributes, str(event_code)),
                None,  # the directory's names carry the host state: no event names an entry exactly
                proceeding,
                rng.choice(team),
                vault.seal(key, vault.source, rng.choice(SOURCES), str(event_code)),
                vault.seal(key, vault.note, note, str(event_code)),
                made,
                made,
            )

        report_deadlines = self._deadlines(ctx)
        report_conflicts = self._conflicts(ctx)
        computed = max(created)
        report = {
            "format": "refuge.check/1",
            "reference": reference,
            "today": computed.astimezone(tz).date().isoformat(),
            "forums": [{"forum": "echr", "available": "echr" in story._forums(), "basis": "ECHR art. 58"}],
            "deadlines": report_deadlines,
            "milestones": [],
            "conflicts": report_conflicts,
        }
        self.checks.add(
            self.checks.new_id(),
            case_id,
            a.json(report),
            a.date(computed.astimezone(tz).date()),
            "bench",
            a.dt(computed),
        )

    def _proceeding(self, ctx: CaseContext, role: str, opened: date) -> int:
        rng, org = ctx.rng, ctx.org
        pid = self.proceedings.new_id()
        if role == "domestic":
            forum, authority = "domestic_court", rng.choice(org.courts)
            number = f"{rng.randint(1, 9)}a-{rng.randint(100, 9999)}/{opened.year}"
        elif role == "asylum":
            forum, authority = "asylum_authority", rng.choice(org.asylum_bodies)
            number = f"AS-{opened.year}-{rng.randint(1000, 99999)}"
        elif role == "echr":
            forum, authority = role, None
            number = f"{rng.randint(1000, 60000)}/{opened.year % 100:02d}"
        else:
            forum, authority = role, None
            number = f"{role.upper().replace('_', '/')}/{rng.randint(1000, 4000)}/{opened.year}"
        self.proceedings.add(
            pid,
            self.a.uuid(_uuid(rng)),
            ctx.case_id,
            forum,
            number,
            authority,
            self.a.date(opened),
            ctx.status != "closed",
            "",
            None,  # no court case number: NULL reads as blank, as for a vault field never saved
        )
        return pid

    def _deadlines(self, ctx: CaseContext) -> list[dict[str, Any]]:
        a, rng = self.a, ctx.rng
        keys = [e.key for e in ctx.story.events]
        out = []
        seen: set[str] = set()
        for d in ctx.story.deadlines[-6:]:  # the most recent ones: what the engine would still report
            if d.due_at > self.now:
                d.status = "cancelled" if ctx.status == "closed" else "open"
            else:
                d.status = _weighted(rng, (("met", 0.85), ("missed", 0.08), ("cancelled", 0.07)))
                if d.status == "met":
                    later = keys[keys.index(d.trigger) + 1 :]
                    d.met_by = rng.choice(later[:5]) if later else d.trigger
            key = f"{d.kind}|{d.rule}|{d.trigger}"
            if key in seen:
                continue
            seen.add(key)
            safe = d.due_date - timedelta(days=1) if d.due_date.weekday() == 5 else d.due_date
            item = {
                "kind": d.kind,
                "rule": d.rule,
                "trigger": d.trigger,
                "due_date": d.due_date.isoformat(),
                "due_at": d.due_at.isoformat(),
                "timezone": ctx.tz_name,
                "status": d.status,
                "met_by": d.met_by or None,
                "severity": d.severity,
                "basis": d.basis,
                "verified": True,
                "alternatives": [],
                "safe_due_date": safe.isoformat(),
                "reminders": d.reminders,
            }
            out.append(item)
            self.deadlines.add(
                self.deadlines.new_id(),
                ctx.case_id,
                ctx.org.id,
                key,
                d.kind,
                d.rule,
                d.trigger,
                a.date(d.due_date),
                a.dt(d.due_at),
                ctx.tz_name,
                d.status,
                d.met_by,
                d.severity,
                d.basis,
                True,
                a.json([]),
                a.date(safe),
                a.json(d.reminders),
                a.json([]),
            )
            snapshot = {
                "due_date": item["due_date"],
                "due_at": item["due_at"],
                "safe_due_date": item["safe_due_date"],
                "alternatives": [],
                "status": d.status,
            }
            self.changes.add(
                self.changes.new_id(),
                ctx.case_id,
                "deadline",
                key,
                d.kind,
                "added",
                None,
                a.json(snapshot),
                d.trigger,
                "event_added",
                rng.choice(ctx.team),
                a.dt(ctx.made_at[d.trigger]),
            )
        return out

    def _conflicts(self, ctx: CaseContext) -> list[dict[str, Any]]:
        a, rng = self.a, ctx.rng
        rank = {"critical": 0, "high": 1, "medium": 2, "info": 3}
        out = []
        keep = ctx.story.conflicts[-3:] if ctx.status != "closed" or rng.random() < 0.2 else []
        for c in keep:
            key = f"{c.kind}|{','.join(c.events)}"
            raised = ctx.made_at[c.events[0]]
            out.append(
                {
                    "kind": c.kind,
                    "severity": c.severity,
                    "events": c.events,
                    "basis": c.basis,
                    "flags": [],
                    "notify": c.notify,
                }
            )
            self.conflicts.add(
                self.conflicts.new_id(),
                ctx.case_id,
                ctx.org.id,
                key,
                c.kind,
                c.severity,
                rank[c.severity],
                c.rule,
                a.json(c.events),
                c.basis,
                a.json([]),
                a.json(c.notify),
                a.dt(raised),
            )
            self.changes.add(
                self.changes.new_id(),
                ctx.case_id,
                "conflict",
                key,
                c.kind,
                "added",
                None,
                a.json({"severity": c.severity}),
                c.events[0],
                "event_added",
                rng.choice(ctx.team),
                a.dt(raised),
            )
        return out

    # --- writing ---------------------------------------------------------------------------
    def flush(self) -> None:
        from django.db import transaction  # noqa: PLC0415  # Django is set up

        with transaction.atomic(), self.conn.cursor() as cursor:
            for table in self.tables:
                table.flush(cursor)

    def run(self) -> None:
        started = clock.monotonic()
        plans = self.plan()
        self.staff(plans)
        self.flush()
        last = started
        for done, plan in enumerate(plans, start=1):
            self.case(plan)
            if done % self.batch == 0 or done == len(plans):
                self.flush()
                if clock.monotonic() - last > 10 or done == len(plans):
                    last = clock.monotonic()
                    rate = done / (last - started)
                    print(f"  {done:>8} cases, {self.events.count:>9} events, {rate:,.0f} cases/s", flush=True)


def _check_fresh(conn: BaseDatabaseWrapper) -> None:
    tables = set(conn.introspection.table_names())
    if "django_migrations" in tables:
        raise SystemExit(
            "bench.generate: the database is not fresh (it has tables). "
            "Give a new --data-dir, or an empty PostgreSQL database."
        )


def _tune_for_load(conn: BaseDatabaseWrapper) -> None:
    """Relax durability on this connection only, for the load (the product's settings are untouched)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA foreign_keys=OFF")  # checked once at the end, see _finish()
            cursor.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the unique UUID indexes stay in memory
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.execute("PRAGMA wal_autocheckpoint=100000")
        else:
            cursor.execute("SET synchronous_commit TO OFF")


def _finish(loader: Loader) -> None:
    from django.core.management.color import no_style  # noqa: PLC0415  # Django is set up

    conn = loader.conn
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            broken = cursor.fetchall()
            if broken:
                raise SystemExit(f"bench.generate: {len(broken)} rows break a foreign key, e.g. {broken[:3]}")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for sql in conn.ops.sequence_reset_sql(no_style(), [t.model for t in loader.tables]):
                cursor.execute(sql)
            cursor.execute("ANALYZE")  # what autovacuum would soon do on a live server


def _validate(sample: int, seed: int) -> int:
    """Export a sample of the generated cases as case files and validate them as an import would."""
    from refuge.casefile.validate import CaseFileError, load_casefile  # noqa: PLC0415  # Django is set up
    from refuge.cases.actions import casefile_for  # noqa: PLC0415
    from refuge.cases.models import Case  # noqa: PLC0415

    ids = list(Case.objects.values_list("id", flat=True))
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
    for case in Case.objects.filter(pk__in=chosen).select_related("person").prefetch_related("events"):
        try:
            load_casefile(casefile_for(case))
        except CaseFileError as exc:
            raise SystemExit(f"bench.generate: case {case.reference} is not a valid case file: {exc}") from None
    return len(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="number of cases (default 100000)")
    add_database_arguments(parser, data_dir_required=False)
    parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data")
    parser.add_argument("--batch", type=int, default=1000, help="cases per transaction (default 1000)")
    parser.add_argument("--validate", type=int, default=200, help="validate this many cases as case files at the end")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    data_dir: Path = args.data_dir or Path(tempfile.mkdtemp(prefix="refuge-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    if not args.database_url and (data_dir / SQLITE_FILE).exists():
        parser.error(f"{data_dir / SQLITE_FILE} exists: the benchmark needs a fresh database")
    setup_django(data_dir, args.database_url)

    from django.core.management import call_command  # noqa: PLC0415  # after setup_django
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from refuge.casefile import vocab  # noqa: PLC0415

    ENUMS.update(vocab.ENUMS)
    _check_fresh(connection)
    print(f"bench.generate: {args.cases} cases into {connection.vendor} ({data_dir})", flush=True)
    started = clock.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = clock.monotonic()
    _tune_for_load(connection)
    now = timezone.now().replace(microsecond=0)
    loader = Loader(connection, cases=args.cases, seed=args.seed, batch=args.batch, now=now)
    loader.run()
    loaded = clock.monotonic()
    _finish(loader)
    validated = _validate(args.validate, args.seed)
    connection.close()
    finished = clock.monotonic()
    counts = {t.model._meta.db_table: t.count for t in loader.tables}
    manifest = {
        "cases": args.cases,
        "seed": args.seed,
        "generated_at": now.isoformat(),
        "vendor": connection.vendor,
        "rows": counts,
        "validated_case_files": validated,
        "seconds": {
            "migrate": round(migrated - started, 1),
            "load": round(loaded - migrated, 1),
            "finish": round(finished - loaded, 1),
            "total": round(finished - started, 1),
        },
    }
    (data_dir / "bench-generate.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(manifest, indent=2))
    print(
        f"bench.generate: done in {finished - started:.0f} s; "
        f"users log in with password {BENCH_PASSWORD!r} (e.g. {loader.orgs[0].slug}-admin-0001)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
