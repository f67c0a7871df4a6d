"""Fictional demo data: an organisation, its staff, its directory and about thirty cases.

Every person, name, court and number here is invented. The timelines are placed relative to
`today` (passed in, so tests can pin it) and chosen to exercise the law the rule packs encode:
Russian expulsion appeals before and after 29 October 2024, a stateless person held in a centre
for foreign nationals, readmission detention and its 48-hour court order, refugee-status refusals
and appeals, removals scheduled while an interim measure is in force, Turkish cases with the
ECtHR time-limit and Rule 39, and the story that Refuge was built for (DEMO-01).

`build_demo` is idempotent: cases whose reference already exists are left alone, so a second run
adds nothing. `reset_demo` deletes the demo organisation with everything in it.
"""

from __future__ import annotations

import calendar
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from refuge.accounts.models import Membership, Organisation, Role, User
from refuge.cases.actions import create_case, set_team
from refuge.cases.models import Authority, AuthorityKind, Case, CaseStatus, Event, Forum, Person, Proceeding
from refuge.cases.recompute import recompute_case
from refuge.stats.history import lay_history

ORGANISATION = "Novograd Refugee Legal Aid (fictional demo)"
PASSWORD = "refuge-demo-not-secret"  # noqa: S105  # published on purpose: printed by `refuge demo`, demo only

# username, first name, last name, role
USERS: tuple[tuple[str, str, str, str], ...] = (
    ("demo-admin", "Nadezhda", "Orlovskaya", Role.ADMIN),
    ("demo-lawyer", "Irina", "Sokolovskaya", Role.LAWYER),
    ("demo-lawyer2", "Timur", "Abdulkhanov", Role.LAWYER),
    ("demo-caseworker", "Elena", "Kimova", Role.CASEWORKER),
    ("demo-analyst", "Pavel", "Grinberg", Role.ANALYST),
)
LAWYER, LAWYER2, CASEWORKER = "demo-lawyer", "demo-lawyer2", "demo-caseworker"
# username -> the name as it signs a Russian letter
USERS_CYRILLIC: dict[str, str] = {
    "demo-admin": "Надежда Орловская",
    "demo-lawyer": "Ирина Соколовская",
    "demo-lawyer2": "Тимур Абдулханов",
    "demo-caseworker": "Елена Кимова",
    "demo-analyst": "Павел Гринберг",
}
ORGANISATION_CYRILLIC = "Новоградская юридическая помощь беженцам (вымышленная демонстрационная организация)"

MSK = "Europe/Moscow"
IST = "Europe/Istanbul"
GVA = "Europe/Zurich"  # the UN treaty bodies sit in Geneva
SXB = "Europe/Paris"  # the ECtHR sits in Strasbourg

# key: (name, kind, country, channels, languages, notes)
AUTHORITIES: dict[str, tuple[str, str, str, list[dict[str, str]], list[str], str]] = {
    "court": (
        "Zarechny District Court of Novograd (fictional)",
        AuthorityKind.COURT,
        "RU",
        [
            {"kind": "efiling", "value": "https://court.example.org/zarechny"},
            {"kind": "post", "value": "1 Sudebnaya St, Novograd (fictional)"},
            {"kind": "fax", "value": "+7 000 000-01-01"},
        ],
        ["ru"],
        "Orders administrative expulsion (CAO art. 18.8) and detention in the centre for foreign nationals.",
    ),
    "regional_court": (
        "Novograd Regional Court (fictional)",
        AuthorityKind.COURT,
        "RU",
        [{"kind": "post", "value": "7 Oblastnaya St, Novograd (fictional)"}],
        ["ru"],
        "Hears appeals against the district courts' expulsion decisions.",
    ),
    "bailiffs": (
        "Federal Bailiffs Service, Novograd Region (fictional)",
        AuthorityKind.BAILIFFS,
        "RU",
        [{"kind": "fax", "value": "+7 000 000-02-02"}, {"kind": "email", "value": "bailiffs@example.org"}],
        ["ru"],
        "Carries out court-ordered expulsions: notify of every interim measure.",
    ),
    "migration": (
        "Migration Directorate, Novograd Region (fictional)",
        AuthorityKind.MIGRATION,
        "RU",
        [{"kind": "email", "value": "migration@example.org"}, {"kind": "phone", "value": "+7 000 000-03-03"}],
        ["ru"],
        "Deportation and readmission decisions; refugee status and temporary asylum.",
    ),
    "centre": (
        "Novograd Temporary Detention Centre for Foreign Nationals (fictional)",
        AuthorityKind.DETENTION_CENTRE,
        "RU",
        [{"kind": "fax", "value": "+7 000 000-04-04"}, {"kind": "phone", "value": "+7 000 000-04-05"}],
        ["ru"],
        "Lawyers' visits Mon-Fri 10:00-17:00; bring the power of attorney and a copy of the court order.",
    ),
    "border": (
        "Border Service Checkpoint Novograd-Airport (fictional)",
        AuthorityKind.BORDER,
        "RU",
        [{"kind": "fax", "value": "+7 000 000-05-05"}],
        ["ru"],
        "Last point before a removal flight: notify together with the bailiffs.",
    ),
    "tr_court": (
        "Administrative Court of Demirkent (fictional)",
        AuthorityKind.COURT,
        "TR",
        [{"kind": "efiling", "value": "https://uyap.example.org/demirkent"}],
        ["tr"],
        "Deportation (sınır dışı) appeals.",
    ),
    "tr_centre": (
        "Demirkent Removal Centre (fictional)",
        AuthorityKind.DETENTION_CENTRE,
        "TR",
        [{"kind": "fax", "value": "+90 000 000 00 06"}],
        ["tr"],
        "",
    ),
    "echr": (
        "European Court of Human Rights, Registry (demo entry)",
        AuthorityKind.INTERNATIONAL,
        "FR",
        [
            {"kind": "efiling", "value": "Rule 39 Site (r39.echr.coe.int)"},
            {"kind": "fax", "value": "+33 3 90 21 43 50"},
            {"kind": "fax", "value": "+33 3 88 41 39 00"},
        ],
        ["en", "fr"],
        "Rule 39 requests: never by e-mail. Registry hours Mon-Fri 08:00-16:00 Strasbourg time. "
        "Check the channels against the Court's current Practice Direction before use.",
    ),
    "ohchr": (
        "UN OHCHR Petitions and Urgent Actions Section (demo entry)",
        AuthorityKind.INTERNATIONAL,
        "CH",
        [{"kind": "email", "value": "petitions@example.org"}],
        ["en", "fr", "ru"],
        "Registers communications and interim-measure requests for the Committee against Torture and the "
        "Human Rights Committee. The address is a placeholder: confirm the real one before use.",
    ),
}


# key -> the name in Cyrillic, in the dative as a Russian letter addresses it ("Кому: ...")
AUTHORITIES_CYRILLIC: dict[str, str] = {
    "court": "Заречному районному суду г. Новограда (вымышленному)",
    "regional_court": "Новоградскому областному суду (вымышленному)",
    "bailiffs": "Управлению Федеральной службы судебных приставов по Новоградской области (вымышленному)",
    "migration": "Управлению по вопросам миграции по Новоградской области (вымышленному)",
    "centre": "Центру временного содержания иностранных граждан г. Новограда (вымышленному)",
    "border": "Контрольно-пропускному пункту «Новоград-Аэропорт» Пограничной службы (вымышленному)",
}


@dataclass
class DemoResult:
    organisation: Organisation
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)  # (username, role)
    password: str = PASSWORD
    history: int = 0  # closed historical cases laid for the statistics (refuge.stats.history)


# --- dates relative to today -------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day-of-month `months` earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Clock:
    """Event times for one case: `at(-3, 14)` is 14:00 three days before today, in the case's zone."""

    def __init__(self, today: date, tz: str) -> None:
        self.today = today
        self.tz = tz

    def at(self, days: int, hour: int, minute: int = 0, tz: str | None = None) -> str:
        moment = datetime.combine(self.today + timedelta(days=days), time(hour, minute))
        return moment.replace(tzinfo=zoneinfo.ZoneInfo(tz or self.tz)).isoformat()

    def day(self, days: int) -> str:
        return (self.today + timedelta(days=days)).isoformat()


def fixed(value: str, tz: str = MSK) -> str:
    """A historical instant, 'YYYY-MM-DD HH:MM' in the zone."""
    moment = datetime.fromisoformat(value).replace(tzinfo=zoneinfo.ZoneInfo(tz))
    return moment.isoformat()


def ev(key: str, type_: str, at: str, **attributes: Any) -> dict[str, Any]:
    return {"id": key, "type": type_, "at": at, **attributes}


def names(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"value": value, "script": script} for value, script in pairs]


@dataclass
class Spec:
    """One demo case, as the builder lays it down."""

    reference: str
    host_state: str
    timezone: str | None
    status: str
    person: dict[str, Any]
    events: list[dict[str, Any]]
    team: tuple[str, ...] = (LAWYER,)
    # (forum, authority key or "", reference number, events linked to it, note)
    proceedings: list[tuple[str, str, str, tuple[str, ...], str]] = field(default_factory=list)
    case_numbers: dict[str, str] = field(default_factory=dict)  # reference number -> the court's case number
    notes: dict[str, str] = field(default_factory=dict)  # event key -> note
    location: str = ""
    summary: str = ""  # what the case shows (printed by `refuge demo -v 2`)


def _person(
    nationality: str | None, languages: list[str], person_names: list[dict[str, str]], birth: str | None = None
) -> dict[str, Any]:
    person: dict[str, Any] = {
        "nationality": nationality,
        "stateless": nationality is None,
        "languages": languages,
        "names": person_names,
    }
    if birth:
        person["birth_date"] = birth
    return person


# --- the cases ---------------------------------------------------------------------------


def story_case(t: Clock) -> Spec:
    """A North Korean man, undocumented in Russia for years, detained and ordered expelled."""
    return Spec(
        reference="DEMO-01",
        host_state="RU",
        timezone=MSK,
        status=CaseStatus.URGENT,
        person=_person(
            "KP",
            ["ko"],
            names(("리동환", "Hang"), ("Ри Дон Хван", "Cyrl"), ("Ri Tong Hwan", "Latn"), ("Lee Dong Hwan", "Latn")),
            "1979-04-17",
        ),
        events=[
            ev("e1", "detention_started", t.at(-5, 7, 30), basis="administrative", place="Novograd centre (fictional)"),
            ev(
                "e2",
                "decision_issued",
                t.at(-4, 15),
                decision="expulsion",
                detention="foreigners_centre",
                authority="Zarechny District Court of Novograd (fictional)",
            ),
            ev("e3", "decision_received", t.at(-4, 16, 30), decision_event="e2"),
            ev("e4", "interim_measure_requested", t.at(-2, 10, 15, GVA), forum="un_hrc"),
            ev("e5", "appeal_lodged", t.at(-2, 11), decision_event="e2"),
            ev(
                "e6",
                "interim_measure_granted",
                t.at(-1, 17, 0, GVA),
                forum="un_hrc",
                until=None,
                destination="KP",
                source="the Committee's letter to the lawyer",
            ),
            ev(
                "e7",
                "document_signed",
                t.at(-1, 19),
                language="ru",
                interpreter=False,
                counsel=False,
                source="the applicant, at a lawyer's visit the next day",
            ),
            ev(
                "e8",
                "removal_scheduled",
                t.at(0, 9),
                removal_at=t.at(6, 6),
                destination="KP",
                source="the bailiffs, by telephone to the lawyer",
            ),
            ev("e9", "asylum_applied", t.at(-4, 10), kind="refugee_status", source="the application's receipt"),
            ev("e10", "asylum_applied", t.at(-3, 12), kind="temporary_asylum", source="the application's receipt"),
        ],
        team=(LAWYER, CASEWORKER),
        proceedings=[
            (Forum.DOMESTIC_COURT, "court", "5-0417/DEMO", ("e2", "e3", "e5"), "Expulsion (CAO art. 18.8(3)); appeal"),
            (Forum.UN_HRC, "ohchr", "CCPR demo 0001", ("e4", "e6"), "Interim measure: no removal to the DPRK"),
        ],
        case_numbers={"5-0417/DEMO": "5-417/2026"},
        notes={
            "e1": "Stopped in a document check at a building site; undocumented in Russia for years.",
            "e2": "Expulsion with detention in the centre for foreign nationals; effective in ten days.",
            "e6": "Measure forwarded to the court, bailiffs, migration directorate, centre and border service.",
            "e7": "Security officers pressed him to sign a 'voluntary return' request in Russian; no interpreter, "
            "no lawyer present. He reads little Russian.",
            "e8": "Bailiffs say a flight is booked; the measure has been ignored so far.",
        },
        location="Novograd Temporary Detention Centre for Foreign Nationals (fictional), block B",
        summary="the story: expulsion, appeal, UN HRC measure, removal scheduled, paper signed without interpreter",
    )


def russia_cases(t: Clock) -> list[Spec]:
    return [
        Spec(
            reference="DEMO-02",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.DORMANT,
            person=_person(
                "UZ",
                ["uz", "ru"],
                names(("Dilshodbek Tursunqulov", "Latn"), ("Дилшодбек Турсункулов", "Cyrl")),
                "1988-09-02",
            ),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    fixed("2023-05-03 09:30"),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", "2023-05-03", decision_event="e1"),
                ev("e3", "appeal_lodged", fixed("2023-05-12 10:00"), decision_event="e1"),
                ev("e4", "appeal_decided", fixed("2023-06-01 12:00"), decision_event="e1", outcome="upheld"),
                ev("e5", "interim_measure_requested", fixed("2023-06-02 09:00", GVA), forum="un_cat"),
                ev(
                    "e6",
                    "interim_measure_granted",
                    fixed("2023-06-05 15:00", GVA),
                    forum="un_cat",
                    until=None,
                    destination="UZ",
                ),
                ev("e7", "released", fixed("2023-07-10 13:00")),
            ],
            proceedings=[
                (
                    Forum.DOMESTIC_COURT,
                    "court",
                    "5-1102/DEMO",
                    ("e1", "e2", "e3", "e4"),
                    "2023 expulsion, old 10 sutki",
                ),
                (Forum.UN_CAT, "ohchr", "CAT demo 0002", ("e5", "e6"), ""),
            ],
            summary="before 29 Oct 2024: 10 sutki, never rolled",
        ),
        Spec(
            reference="DEMO-03",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.CLOSED,
            person=_person(
                "TJ", ["tg", "ru"], names(("Faridun Sharifzodaev", "Latn"), ("Фаридун Шарифзодаев", "Cyrl"))
            ),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    fixed("2024-10-21 14:00"),
                    decision="expulsion",
                    detention="none",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", fixed("2024-10-22 10:00"), decision_event="e1"),
                ev("e3", "appeal_lodged", fixed("2024-10-31 16:00"), decision_event="e1"),
                ev("e4", "appeal_decided", fixed("2024-11-20 11:00"), decision_event="e1", outcome="quashed"),
            ],
            team=(LAWYER2,),
            proceedings=[(Forum.DOMESTIC_COURT, "court", "5-2210/DEMO", ("e1", "e2", "e3", "e4"), "")],
            summary="period across 29 Oct 2024: new rule primary, old rule as RU_CAO_TRANSITION",
        ),
        Spec(
            reference="DEMO-04",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person(
                "TJ", ["tg"], names(("Shuhratjon Nazarmadov", "Latn"), ("Шухратджон Назармадов", "Cyrl")), "1995-01-23"
            ),
            events=[
                ev("e1", "detention_started", t.at(-4, 18), basis="administrative"),
                ev(
                    "e2",
                    "decision_issued",
                    t.at(-3, 11),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e3", "decision_received", t.day(-3), decision_event="e2"),
            ],
            team=(LAWYER2, CASEWORKER),
            proceedings=[(Forum.DOMESTIC_COURT, "court", "5-0388/DEMO", ("e2", "e3"), "Appeal to be drafted")],
            location="Novograd Temporary Detention Centre for Foreign Nationals (fictional)",
            summary="after 29 Oct 2024: appeal window open now, rolled to a working day",
        ),
        Spec(
            reference="DEMO-05",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person(
                None,
                ["ru", "uz"],
                names(("Равшан Каримбердиев", "Cyrl"), ("Ravshan Karimberdiev", "Latn")),
                "1983-06-30",
            ),
            events=[
                ev("e1", "detention_started", t.at(-95, 10), basis="administrative"),
                ev(
                    "e2",
                    "decision_issued",
                    t.at(-80, 14),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e3", "decision_received", t.at(-80, 15), decision_event="e2"),
                ev("e4", "appeal_lodged", t.at(-75, 12), decision_event="e2"),
                ev("e5", "appeal_decided", t.at(-60, 11), decision_event="e2", outcome="upheld"),
            ],
            proceedings=[
                (Forum.DOMESTIC_COURT, "regional_court", "12-0077/DEMO", ("e4", "e5"), "No state will admit him"),
            ],
            notes={"e2": "Born in the Uzbek SSR; no state recognises him as a national."},
            location="Novograd Temporary Detention Centre for Foreign Nationals (fictional)",
            summary="stateless in a centre for foreign nationals: 3-month review (Constitutional Court 14-P)",
        ),
        Spec(
            reference="DEMO-06",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person(
                "AF", ["fa", "ps"], names(("Ahmad Zia Nuristanyar", "Latn"), ("احمد ضیا نورستانیار", "Arab"))
            ),
            events=[
                ev("e1", "detention_started", t.at(-1, 10), basis="readmission", place="Novograd-Airport transit"),
                ev("e2", "lawyer_access_denied", t.at(0, 9, 30)),
            ],
            team=(LAWYER, CASEWORKER),
            notes={"e2": "The duty officer refused entry to the lawyer without the migration directorate's letter."},
            location="Border Service Checkpoint Novograd-Airport (fictional), transit zone",
            summary="readmission detention: court order due within 48 hours",
        ),
        Spec(
            reference="DEMO-07",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.OPEN,
            person=_person("SY", ["ar"], names(("Khaled Marwan al-Tayyibi", "Latn"), ("خالد مروان الطيبي", "Arab"))),
            events=[
                ev("e1", "detention_started", t.at(-40, 8), basis="readmission"),
                ev("e2", "detention_ordered", t.at(-39, 14), term_until=t.day(5)),
            ],
            team=(LAWYER2,),
            proceedings=[(Forum.DOMESTIC_COURT, "court", "3a-0940/DEMO", ("e2",), "KAS ch. 28 detention order")],
            summary="readmission detention: court-set term ends in 5 days (reminders)",
        ),
        Spec(
            reference="DEMO-08",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person(
                "ER", ["ti", "ar"], names(("Yonatan Berhe Tesfamikael", "Latn"), ("Ёнатан Берхе Тесфамикаэль", "Cyrl"))
            ),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    t.at(-96, 12),
                    decision="deportation",
                    detention="none",
                    authority="Migration Directorate, Novograd Region (fictional)",
                ),
                ev("e2", "detention_started", t.at(-95, 9), basis="deportation"),
                ev("e3", "detention_ordered", t.at(-94, 16), term_until=t.day(-2)),
            ],
            proceedings=[(Forum.DOMESTIC_AUTHORITY, "migration", "DEP-0412/DEMO", ("e1",), "")],
            location="Novograd Temporary Detention Centre for Foreign Nationals (fictional)",
            summary="deportation detention term has passed with no release: release due",
        ),
        Spec(
            reference="DEMO-09",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.OPEN,
            person=_person(
                "AF", ["fa", "ru"], names(("Mariam Sahar Hotakzai", "Latn"), ("مریم سحر هوتکزی", "Arab")), "1997-11-05"
            ),
            events=[
                ev("e1", "asylum_applied", t.at(-60, 11), kind="refugee_status"),
                ev("e2", "asylum_refusal_received", t.day(-10), kind="refugee_status"),
            ],
            team=(LAWYER2, CASEWORKER),
            proceedings=[(Forum.ASYLUM_AUTHORITY, "migration", "RS-2291/DEMO", ("e1", "e2"), "Refugee status")],
            summary="refugee status refused: one-month appeal window open",
        ),
        Spec(
            reference="DEMO-10",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person("SY", ["ar", "ku"], names(("Rezan Hemo Shexmus", "Latn"), ("ريزان هيمو شيخموس", "Arab"))),
            events=[
                ev("e1", "asylum_applied", t.at(-50, 10), kind="refugee_status"),
                ev("e2", "asylum_refusal_received", t.at(-20, 15), kind="refugee_status"),
                ev("e3", "appeal_lodged", t.at(-12, 12), decision_event="e2"),
                ev("e4", "removal_scheduled", t.at(-1, 16), removal_at=t.at(9, 5, 40), destination="SY"),
            ],
            proceedings=[
                (Forum.ASYLUM_AUTHORITY, "migration", "RS-1870/DEMO", ("e1", "e2"), ""),
                (Forum.DOMESTIC_COURT, "court", "2a-0310/DEMO", ("e3",), "Appeal against the refusal"),
            ],
            summary="removal scheduled while the refugee-status appeal is pending",
        ),
        Spec(
            reference="DEMO-11",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person("UZ", ["uz"], names(("Jasurbek Ergashaliev", "Latn"), ("Жасурбек Эргашалиев", "Cyrl"))),
            events=[
                ev("e1", "asylum_applied", t.at(-200, 10), kind="refugee_status"),
                ev("e2", "asylum_refusal_received", t.at(-150, 12), kind="refugee_status"),
                ev("e3", "appeal_lodged", t.at(-140, 11), decision_event="e2"),
                ev("e4", "asylum_appeal_rejected_received", t.day(-10), kind="refugee_status"),
            ],
            team=(LAWYER2,),
            proceedings=[(Forum.ASYLUM_AUTHORITY, "migration", "RS-0951/DEMO", ("e1", "e2", "e4"), "")],
            notes={"e4": "Next: a temporary asylum application, which would protect him again while pending."},
            summary="refugee appeal rejected: 3 working days to leave, then protection ended",
        ),
        Spec(
            reference="DEMO-12",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.DORMANT,
            person=_person("SY", ["ar"], names(("Nour al-Huda Kassabji", "Latn"), ("نور الهدى قصابجي", "Arab"))),
            events=[
                ev("e1", "asylum_applied", t.at(-400, 10), kind="temporary_asylum"),
                ev("e2", "asylum_granted", t.at(-340, 12), kind="temporary_asylum", until=t.day(25)),
            ],
            team=(CASEWORKER, LAWYER),
            summary="temporary asylum expiring: renewal reminder",
        ),
        Spec(
            reference="DEMO-13",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person(
                "UZ",
                ["uz", "ru"],
                names(("Bakhodir Sobirjonov", "Latn"), ("Баходир Собирджонов", "Cyrl")),
                "1974-02-12",
            ),
            events=[
                ev("e1", "detention_started", t.at(-70, 6), basis="extradition"),
                ev(
                    "e2",
                    "decision_issued",
                    t.at(-40, 12),
                    decision="extradition",
                    detention="none",
                    authority="Prosecutor's Office of Novograd (fictional)",
                ),
                ev("e3", "decision_received", t.at(-39, 10), decision_event="e2"),
                ev("e4", "interim_measure_requested", t.at(-38, 9, tz=GVA), forum="un_cat"),
                ev(
                    "e5", "interim_measure_granted", t.at(-35, 16, tz=GVA), forum="un_cat", until=None, destination="UZ"
                ),
                ev("e6", "consular_contact", t.at(-3, 14), country="UZ"),
                ev("e7", "removal_scheduled", t.at(-1, 11), removal_at=t.at(3, 4, 30), destination="UZ"),
            ],
            team=(LAWYER, LAWYER2),
            proceedings=[(Forum.UN_CAT, "ohchr", "CAT demo 0013", ("e4", "e5"), "Rule 114 interim measure")],
            notes={"e6": "Two officials of the consulate of the country of origin visited him in the centre."},
            summary="removal scheduled while a UN CAT interim measure is in force; consular visit",
        ),
        Spec(
            reference="DEMO-16",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person("UZ", ["uz"], names(("Oybek Nurmatjonov", "Latn"), ("Ойбек Нурматжонов", "Cyrl"))),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    fixed("2021-05-20 10:00"),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", "2021-05-20", decision_event="e1"),
                ev("e3", "appeal_lodged", fixed("2021-05-25 10:00"), decision_event="e1"),
                ev("e4", "interim_measure_requested", fixed("2021-06-01 10:00", SXB), forum="echr"),
                ev("e5", "application_lodged", fixed("2021-06-01 10:05", SXB), forum="echr"),
                ev(
                    "e6",
                    "interim_measure_granted",
                    fixed("2021-06-03 15:00", SXB),
                    forum="echr",
                    until=None,
                    destination="UZ",
                ),
                ev("e7", "appeal_decided", fixed("2021-06-15 12:00"), decision_event="e1", outcome="upheld"),
                ev("e8", "removal_scheduled", t.at(-2, 10), removal_at=t.at(12, 7), destination="UZ"),
            ],
            proceedings=[
                (Forum.ECHR, "echr", "12345/21 (fictional)", ("e4", "e5", "e6"), "Rule 39 indicated in 2021"),
            ],
            summary="ECtHR measure from 2021, removal now: effect after Russia left the Convention uncertain",
        ),
        Spec(
            reference="DEMO-17",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person("TJ", ["tg"], names(("Mirzokhuja Davlatbekov", "Latn"), ("Мирзохуджа Давлатбеков", "Cyrl"))),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    t.at(-8, 12),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", t.at(-8, 13), decision_event="e1"),
                ev("e3", "appeal_lodged", t.at(-3, 10), decision_event="e1"),
                ev("e4", "interim_measure_requested", t.at(-2, 11, tz=SXB), forum="echr"),
            ],
            team=(LAWYER2,),
            notes={"e4": "Sent to Strasbourg by a volunteer who did not know the Court no longer covers Russia."},
            summary="request sent to the ECtHR for an act after 16 Sep 2022: forum unavailable",
        ),
        Spec(
            reference="DEMO-18",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.DORMANT,
            person=_person("UZ", ["uz", "ru"], names(("Sardorbek Qulmatov", "Latn"), ("Сардорбек Кулматов", "Cyrl"))),
            events=[
                ev("e1", "final_domestic_decision", "2021-11-10"),
                ev("e2", "application_lodged", fixed("2022-02-20 11:00", SXB), forum="echr"),
                ev("e3", "application_lodged", t.at(-30, 10, tz=GVA), forum="un_cat"),
            ],
            proceedings=[
                (Forum.ECHR, "echr", "23456/22 (fictional)", ("e2",), "Pending in Strasbourg"),
                (Forum.UN_CAT, "ohchr", "CAT demo 0018", ("e3",), "Same facts: check admissibility"),
            ],
            summary="CAT communication while the ECtHR application is pending: forum overlap",
        ),
        Spec(
            reference="DEMO-19",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.OPEN,
            person=_person("KG", ["ky", "ru"], names(("Nurlanbek Asanaliev", "Latn"), ("Нурланбек Асаналиев", "Cyrl"))),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    t.at(-30, 12),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", t.at(-30, 14), decision_event="e1"),
                ev("e3", "appeal_lodged", t.at(-25, 10), decision_event="e1"),
                ev("e4", "interim_measure_requested", t.at(-24, 9, tz=GVA), forum="un_hrc"),
                ev(
                    "e5",
                    "interim_measure_granted",
                    t.at(-20, 17, tz=GVA),
                    forum="un_hrc",
                    until=t.at(5, 12, tz=GVA),
                    destination="KG",
                ),
                ev("e6", "appeal_decided", t.at(-10, 11), decision_event="e1", outcome="upheld"),
            ],
            proceedings=[(Forum.UN_HRC, "ohchr", "CCPR demo 0019", ("e4", "e5"), "Measure until the State replies")],
            summary="UN HRC measure expiring within 7 days",
        ),
        Spec(
            reference="DEMO-20",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.OPEN,
            person=_person("UZ", ["uz"], names(("Zafarjon Mamatkhonov", "Latn"), ("Зафарджон Маматхонов", "Cyrl"))),
            events=[
                ev("e1", "asylum_applied", t.at(-30, 10), kind="temporary_asylum"),
                ev("e2", "travel_document_issued", t.at(-2, 15), country="UZ"),
            ],
            team=(CASEWORKER, LAWYER2),
            notes={"e2": "A return certificate was issued by the consulate while his application is pending."},
            summary="travel document issued while temporary asylum is pending",
        ),
        Spec(
            reference="DEMO-21",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.OPEN,
            person=_person("KG", ["ky"], names(("Aibek Toktogulov", "Latn"), ("Айбек Токтогулов", "Cyrl"))),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    t.at(-60, 10),
                    decision="deportation",
                    detention="none",
                    authority="Migration Directorate, Novograd Region (fictional)",
                ),
                ev("e2", "detention_started", t.at(-59, 9), basis="deportation"),
                ev("e3", "detention_ordered", t.at(-58, 15), term_until=t.day(-10)),
                ev("e4", "detention_extended", t.at(-12, 14), term_until=t.day(50)),
            ],
            team=(LAWYER2,),
            proceedings=[
                (Forum.DOMESTIC_COURT, "court", "3a-0512/DEMO", ("e3", "e4"), "Detention under 115-FZ art. 31")
            ],
            summary="deportation detention: 48-hour order made, term extended",
        ),
        Spec(
            reference="DEMO-22",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person("TJ", ["tg", "ru"], names(("Umedjon Khudoydodov", "Latn"), ("Умеджон Худойдодов", "Cyrl"))),
            events=[
                ev("e1", "detention_started", t.at(-20, 7), basis="extradition"),
                ev(
                    "e2",
                    "decision_issued",
                    t.at(-5, 12),
                    decision="extradition",
                    detention="none",
                    authority="Prosecutor's Office of Novograd (fictional)",
                ),
                ev("e3", "decision_received", t.at(-5, 16), decision_event="e2"),
                ev("e4", "removal_scheduled", t.at(-1, 10), removal_at=t.at(10, 6), destination="TJ"),
            ],
            team=(LAWYER, LAWYER2),
            summary="extradition with removal scheduled: UN interim-measure request target date",
        ),
        Spec(
            reference="DEMO-23",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.CLOSED,
            person=_person("UZ", ["uz"], names(("Ilkhomjon Sattorkulov", "Latn"), ("Илхомжон Сатторкулов", "Cyrl"))),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    fixed("2023-01-16 11:00"),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", fixed("2023-01-16 12:00"), decision_event="e1"),
                ev("e3", "appeal_lodged", fixed("2023-01-24 10:00"), decision_event="e1"),
                ev("e4", "appeal_decided", fixed("2023-02-14 10:00"), decision_event="e1", outcome="upheld"),
                ev("e5", "interim_measure_requested", fixed("2023-02-15 09:00", GVA), forum="un_cat"),
                ev(
                    "e6",
                    "interim_measure_granted",
                    fixed("2023-03-01 16:00", GVA),
                    forum="un_cat",
                    until=None,
                    destination="UZ",
                ),
                ev(
                    "e7",
                    "removal_scheduled",
                    fixed("2023-04-10 10:00"),
                    removal_at=fixed("2023-04-12 05:00"),
                    destination="UZ",
                ),
                ev("e8", "removal_executed", fixed("2023-04-12 05:00"), removal_event="e7"),
            ],
            proceedings=[(Forum.UN_CAT, "ohchr", "CAT demo 0023", ("e5", "e6"), "Follow-up: breach of art. 22")],
            summary="removed in 2023 despite a UN CAT measure (closed)",
        ),
        Spec(
            reference="DEMO-24",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.CLOSED,
            person=_person("TJ", ["tg"], names(("Bakhtovar Saidalizoda", "Latn"), ("Бахтовар Саидализода", "Cyrl"))),
            events=[
                ev("e1", "detention_started", t.at(-125, 20), basis="administrative"),
                ev(
                    "e2",
                    "decision_issued",
                    t.at(-124, 12),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e3", "decision_received", t.at(-124, 13), decision_event="e2"),
                ev("e4", "appeal_lodged", t.at(-118, 10), decision_event="e2"),
                ev("e5", "appeal_decided", t.at(-104, 12), decision_event="e2", outcome="quashed"),
                ev("e6", "released", t.at(-104, 18)),
            ],
            team=(LAWYER2,),
            summary="appeal won, released (closed)",
        ),
        Spec(
            reference="DEMO-25",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.OPEN,
            person=_person("AF", ["ps"], names(("Gul Agha Zadranyar", "Latn"), ("ګل آغا زدرانيار", "Arab"))),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    t.at(-45, 12),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", t.at(-45, 14), decision_event="e1"),
                ev("e3", "appeal_lodged", t.at(-40, 10), decision_event="e1"),
                ev("e4", "appeal_decided", t.at(-30, 12), decision_event="e1", outcome="upheld"),
                ev("e5", "removal_scheduled", t.at(-20, 10), removal_at=t.at(-10, 6), destination="AF"),
                ev("e6", "interim_measure_requested", t.at(-19, 9, tz=GVA), forum="un_hrc"),
                ev(
                    "e7", "interim_measure_granted", t.at(-16, 17, tz=GVA), forum="un_hrc", until=None, destination="AF"
                ),
                ev("e8", "removal_cancelled", t.at(-15, 12), removal_event="e5"),
            ],
            proceedings=[(Forum.UN_HRC, "ohchr", "CCPR demo 0025", ("e6", "e7"), "")],
            summary="removal cancelled after a UN HRC measure",
        ),
        Spec(
            reference="DEMO-28",
            host_state="RU",
            timezone=None,
            status=CaseStatus.URGENT,
            person=_person(
                "UZ", ["uz", "ru"], names(("Anvarjon Rakhmatullaev", "Latn"), ("Анваржон Рахматуллаев", "Cyrl"))
            ),
            events=[
                ev(
                    "e1",
                    "decision_issued",
                    t.at(-2, 12),
                    decision="expulsion",
                    detention="none",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e2", "decision_received", t.day(-2), decision_event="e1"),
            ],
            summary="no time zone in the file: the host state's default applies",
        ),
        Spec(
            reference="DEMO-29",
            host_state="RU",
            timezone="Asia/Yekaterinburg",
            status=CaseStatus.URGENT,
            person=_person("TJ", ["tg"], names(("Parviz Qurbonaliyev", "Latn"), ("Парвиз Курбоналиев", "Cyrl"))),
            events=[
                ev("e1", "detention_started", t.at(-1, 6, tz="Asia/Yekaterinburg"), basis="administrative"),
                ev(
                    "e2",
                    "decision_issued",
                    t.at(-1, 15, tz="Asia/Yekaterinburg"),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Leninsky District Court of Uralsk (fictional)",
                ),
                ev("e3", "decision_received", t.at(-1, 17, tz="Asia/Yekaterinburg"), decision_event="e2"),
            ],
            team=(LAWYER2,),
            summary="a case two hours east of Moscow: deadlines in Asia/Yekaterinburg",
        ),
        Spec(
            reference="DEMO-30",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.OPEN,
            person=_person(
                "KP",
                ["ko"],
                names(("최명호", "Hang"), ("Чхве Мён Хо", "Cyrl"), ("Choe Myong Ho", "Latn")),
                "1986-08-09",
            ),
            events=[ev("e1", "asylum_applied", t.at(-2, 11), kind="refugee_status")],
            team=(LAWYER, CASEWORKER),
            proceedings=[(Forum.ASYLUM_AUTHORITY, "migration", "RS-3001/DEMO", ("e1",), "Refugee status application")],
            notes={"e1": "Left a logging site in the Far East; fears punishment as a defector if returned."},
            summary="refugee application lodged: the authority's 5-working-day preliminary consideration",
        ),
        Spec(
            reference="DEMO-31",
            host_state="RU",
            timezone=MSK,
            status=CaseStatus.URGENT,
            person=_person(
                "KP",
                ["ko"],
                names(("한철수", "Hang"), ("Хан Чхоль Су", "Cyrl"), ("Han Chol Su", "Latn")),
                "1983-01-22",
            ),
            events=[
                ev("e1", "detention_started", t.at(-40, 8), basis="administrative", place="Novograd centre"),
                ev(
                    "e2",
                    "decision_issued",
                    t.at(-39, 15),
                    decision="expulsion",
                    detention="foreigners_centre",
                    authority="Zarechny District Court of Novograd (fictional)",
                ),
                ev("e3", "decision_received", t.at(-39, 16), decision_event="e2"),
                ev("e4", "interim_measure_requested", t.at(-37, 10, tz=GVA), forum="un_hrc"),
                ev(
                    "e5", "interim_measure_granted", t.at(-36, 17, tz=GVA), forum="un_hrc", until=None, destination="KP"
                ),
                ev("e6", "interim_measure_lifted", t.at(-5, 12, tz=GVA), forum="un_hrc"),
                # learnt this morning, for the day after tomorrow: its UN target had already passed
                ev("e7", "removal_scheduled", t.at(0, 8), removal_at=t.at(2, 6), destination="KP"),
            ],
            team=(LAWYER, CASEWORKER),
            proceedings=[(Forum.UN_HRC, "ohchr", "CCPR demo 0031", ("e4", "e5", "e6"), "Measure lifted")],
            notes={
                "e6": "The Committee lifted its measure after the State's observations.",
                "e7": "Bailiffs phoned this morning: a flight the day after tomorrow.",
            },
            summary="the story, later: the HRC measure lifted, a new removal learnt too late for the UN target",
        ),
    ]


def turkey_cases(t: Clock) -> list[Spec]:
    final_soon = months_before(t.today, 4) + timedelta(days=6)
    return [
        Spec(
            reference="DEMO-14",
            host_state="TR",
            timezone=IST,
            status=CaseStatus.URGENT,
            person=_person(
                "SY", ["ar"], names(("Yamen Abdulkarim Haddoura", "Latn"), ("يامن عبد الكريم حدّورة", "Arab"))
            ),
            events=[
                ev("e1", "final_domestic_decision", t.day(-100)),
                ev("e2", "removal_scheduled", t.at(-1, 10), removal_at=t.at(8, 9), destination="SY"),
                ev("e3", "interim_measure_requested", t.at(0, 10, tz=SXB), forum="echr"),
            ],
            team=(LAWYER,),
            proceedings=[
                (Forum.DOMESTIC_COURT, "tr_court", "2026/DEMO-114", ("e1",), "Deportation appeal dismissed"),
                (Forum.ECHR, "echr", "", ("e3",), "Rule 39 request sent through the Rule 39 Site"),
            ],
            location="Demirkent Removal Centre (fictional)",
            summary="Turkey: ECtHR 4-month time-limit and a Rule 39 request in time",
        ),
        Spec(
            reference="DEMO-15",
            host_state="TR",
            timezone=IST,
            status=CaseStatus.URGENT,
            person=_person("AF", ["fa"], names(("Farhad Jan Samangani", "Latn"), ("فرهاد جان سمنگانی", "Arab"))),
            events=[
                ev("e1", "final_domestic_decision", t.day(-20)),
                ev("e2", "removal_scheduled", t.at(-1, 18), removal_at=t.at(1, 6), destination="AF"),
                ev("e3", "interim_measure_requested", t.at(0, 9, tz=SXB), forum="echr"),
            ],
            team=(LAWYER, CASEWORKER),
            notes={"e2": "The removal centre told the family in the evening; the flight leaves at dawn."},
            location="Demirkent Removal Centre (fictional)",
            summary="Turkey: Rule 39 request sent after the Registry's cut-off",
        ),
        Spec(
            reference="DEMO-26",
            host_state="TR",
            timezone=IST,
            status=CaseStatus.OPEN,
            person=_person("ER", ["ti"], names(("Semere Gebremeskelet", "Latn"))),
            events=[
                ev("e1", "final_domestic_decision", t.day(-60)),
                ev("e2", "application_lodged", t.at(-40, 11, tz=SXB), forum="echr"),
                ev("e3", "forum_deadline_set", t.at(-5, 10, tz=SXB), forum="echr", due=t.day(14)),
            ],
            team=(LAWYER2,),
            proceedings=[(Forum.ECHR, "echr", "34567/26 (fictional)", ("e2", "e3"), "Observations in reply")],
            summary="Turkey: the Court set a date for observations",
        ),
        Spec(
            reference="DEMO-27",
            host_state="TR",
            timezone=IST,
            status=CaseStatus.URGENT,
            person=_person("AF", ["fa", "tr"], names(("Zarghuna Paktiawal", "Latn"), ("زرغونه پکتیاوال", "Arab"))),
            events=[ev("e1", "final_domestic_decision", final_soon.isoformat())],
            team=(LAWYER,),
            proceedings=[
                (Forum.DOMESTIC_COURT, "tr_court", "2026/DEMO-127", ("e1",), "Constitutional complaint refused")
            ],
            summary="Turkey: ECtHR application due within a week (never rolled)",
        ),
    ]


def demo_specs(today: date) -> list[Spec]:
    """All demo cases, in reference order."""
    msk = Clock(today, MSK)
    specs = [story_case(msk), *russia_cases(msk), *turkey_cases(Clock(today, IST))]
    return sorted(specs, key=lambda s: s.reference)


# --- building ----------------------------------------------------------------------------


def _users(organisation: Organisation) -> dict[str, User]:
    users = {}
    for username, first, last, role in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.org")
        elif not Membership.objects.filter(user=user, organisation=organisation).exists():
            raise ValueError(f"the user {username!r} exists outside the demo organisation; not touching it")
        user.name_cyrillic = USERS_CYRILLIC.get(username, "")
        # Reset each run, so the printed password is always the one that works.
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.update_or_create(user=user, defaults={"organisation": organisation, "role": role})
        users[username] = user
    return users


def _rota(organisation: Organisation, users: dict[str, User], today: date) -> None:
    """demo-lawyer2 is on call this week and the next three (critical alerts climb to him first)."""
    from refuge.alerts.models import OnCallShift  # noqa: PLC0415  # the alerts app builds on cases
    from refuge.alerts.queue import week_start  # noqa: PLC0415  # as above

    monday = week_start(today)
    for weeks in range(4):
        OnCallShift.objects.get_or_create(
            organisation=organisation, user=users[LAWYER2], week_start=monday + timedelta(weeks=weeks)
        )


def _authorities(organisation: Organisation) -> dict[str, Authority]:
    out = {}
    for key, (name, kind, country, channels, languages, notes) in AUTHORITIES.items():
        out[key], _ = Authority.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={"kind": kind, "country": country, "channels": channels, "languages": languages, "notes": notes},
        )
        if out[key].name_cyrillic != AUTHORITIES_CYRILLIC.get(key, out[key].name_cyrillic):
            out[key].name_cyrillic = AUTHORITIES_CYRILLIC[key]
            out[key].save(update_fields=["name_cyrillic"])
    return out


def _lay_case(
    spec: Spec, *, organisation: Organisation, users: dict[str, User], authorities: dict[str, Authority], now: datetime
) -> Case:
    author = users[spec.team[0]]
    case = create_case(
        organisation=organisation,
        user=author,
        reference=spec.reference,
        host_state=spec.host_state,
        timezone=spec.timezone,
        status=spec.status,
        person=spec.person,
        events=spec.events,
    )
    set_team(case=case, users=[users[u] for u in spec.team], actor=author)
    # Identifying text goes through instances, never queryset.update(), so the vault's fields see it.
    if spec.location:
        person = Person.objects.get(case=case)
        person.location_notes = spec.location
        person.save(update_fields=["location_notes"])
    for event in Event.objects.filter(case=case, key__in=list(spec.notes)):
        event.note = spec.notes[event.key]
        event.save(update_fields=["note"])
    for forum, authority_key, number, keys, note in spec.proceedings:
        linked = [e for e in spec.events if e["id"] in keys]
        opened = min((datetime.fromisoformat(e["at"]).date() for e in linked), default=None)
        proceeding = Proceeding.objects.create(
            case=case,
            forum=forum,
            reference_number=number,
            case_number=spec.case_numbers.get(number, ""),
            authority=authorities.get(authority_key),
            opened_on=opened,
            is_active=spec.status != CaseStatus.CLOSED,
            note=note,
        )
        Event.objects.filter(case=case, key__in=keys).update(proceeding=proceeding)
    recompute_case(case=case, cause="demo", actor=author, now=now)
    return case


def build_demo(*, today: date, now: datetime | None = None, history: bool = False) -> DemoResult:
    """Lay down the demo organisation, users, directory and cases; existing cases are left alone.

    ``history`` adds the fictional ten years of closed asylum cases the statistics page shows.
    """
    now = now or datetime.combine(today, time(12, 0), tzinfo=UTC)
    with transaction.atomic():
        organisation, _ = Organisation.objects.get_or_create(name=ORGANISATION)
        if organisation.name_cyrillic != ORGANISATION_CYRILLIC:
            organisation.name_cyrillic = ORGANISATION_CYRILLIC
            organisation.save(update_fields=["name_cyrillic"])
        users = _users(organisation)
        _rota(organisation, users, today)
        authorities = _authorities(organisation)
        result = DemoResult(organisation=organisation, users=[(u, r) for u, _, _, r in USERS])
        existing = set(Case.objects.filter(organisation=organisation).values_list("reference", flat=True))
    for spec in demo_specs(today):
        if spec.reference in existing:
            result.existing.append(spec.reference)
            continue
        with transaction.atomic():  # one case at a time: a crash keeps the cases already laid down
            _lay_case(spec, organisation=organisation, users=users, authorities=authorities, now=now)
        result.created.append(spec.reference)
    if history:  # ten years of asylum applications for the statistics page (refuge/stats/history.json)
        result.history = lay_history(organisation=organisation, user=users[CASEWORKER], today=today, existing=existing)
    return result


@transaction.atomic
def reset_demo() -> int:
    """Delete the demo organisation, its users and everything in it. Returns the number of cases deleted."""
    organisation = Organisation.objects.filter(name=ORGANISATION).first()
    if organisation is None:
        return 0
    cases = Case.objects.filter(organisation=organisation)
    deleted = cases.count()
    cases.delete()
    User.objects.filter(membership_row__organisation=organisation).delete()
    organisation.delete()
    return deleted
