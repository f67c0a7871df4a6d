"""The law panel's deadline rows and coded labels, built in Python, show what their templates showed.

The templates they replaced are the reference (law_rows_reference.html, OLD_CODED): each sample is
rendered both ways, in English, Russian and Korean, and the HTML compared with runs of white space
read as one space.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Engine
from django.utils import translation

from refuge.cases import law
from refuge.cases.derived import Deadline
from refuge.cases.models import Case

OLD_ROW = (Path(__file__).parent / "law_rows_reference.html").read_text(encoding="utf-8")
OLD_CODED = (
    '<span class="coded{% if css %} {{ css }}{% endif %}" title="{% if explanation %}{{ explanation }} '
    '{% endif %}({{ code }})">{{ label }}</span>'
)
NEW_ROW = "{% load refuge_law %}{% deadline_row d %}"
NEW_CODED = "{% load refuge_law %}{% coded code css %}"
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def _deadline(**changes) -> Deadline:
    values = {
        "key": "k",
        "kind": "appeal",
        "rule": "ru.cao.appeal",
        "trigger": "e2",
        "due_date": date(2026, 3, 13),
        "due_at": datetime(2026, 3, 13, 20, 59, tzinfo=UTC),
        "timezone": "Europe/Moscow",
        "status": "open",
        "met_by": "",
        "severity": "high",
        "basis": "KAS RF art. 298",
        "verified": True,
        "alternatives": [],
        "safe_due_date": date(2026, 3, 13),
        "reminders": [],
        "flags": [],
        "calendar": {},
        "unconfirmed_years": "",
    }
    values.update(changes)
    return Deadline(**values)


SAMPLES = [
    _deadline(),
    _deadline(status="met", met_by="e7", verified=False, trigger="", severity="info", kind="un_interim_request"),
    _deadline(
        alternatives=[
            {"code": "R39_CUTOFF_READING", "due_date": "2026-03-12"},
            {"code": "unknown.code <b>", "due_date": "not a date"},
            {"due_date": None},
        ],
        safe_due_date=date(2026, 3, 11),
        reminders=["2026-03-10", "2026-03-12T09:00:00+03:00"],
        flags=["LEGAL_REVIEW", "CALENDAR_UNCONFIRMED", 'x<y>&"z'],
        calendar={"region": "RU", "source": "consultant.ru", "data": "2026.1", "decreed_through": "2026-12-31"},
    ),
    _deadline(
        unconfirmed_years="2028 2029",
        safe_due_date=date(2028, 1, 3),
        due_date=date(2028, 1, 9),
        due_at=datetime(2028, 1, 9, 20, 59, tzinfo=UTC),
        timezone="Asia/Vladivostok",
        calendar={"region": "RU", "source": None},
        status="missed",
        basis="",
        rule="",
    ),
    _deadline(status="cancelled", due_at=None, due_date=None, safe_due_date=None, reminders=["bad"], trigger="e<1>"),
]


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


@pytest.mark.parametrize("lang", ["en", "ru", "ko"])
@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_a_deadline_row_is_the_html_its_template_made(lang: str, index: int) -> None:
    engine = Engine.get_default()
    case = Case(timezone="Europe/Moscow")
    context = {"d": SAMPLES[index], "case": case}
    with translation.override(lang), time_machine.travel(NOW, tick=False):
        old = engine.from_string(OLD_ROW).render(Context(context))
        new = engine.from_string(NEW_ROW).render(Context(context))
    assert _normal(new) == _normal(old)
    assert "<tr" in new


CODES = [("ru.cao.appeal", "rule"), ("LATE_NOTICE", "badge flag"), ("no.such.code", ""), ("", "a<b"), (None, "x")]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize(("code", "css"), CODES)
def test_a_coded_label_is_the_html_its_template_made(lang: str, code: str | None, css: str) -> None:
    engine = Engine.get_default()
    raw = str(code or "")
    with translation.override(lang):
        old = engine.from_string(OLD_CODED).render(
            Context({"code": raw, "label": law.label(raw), "explanation": law.explanation(raw), "css": css})
        )
        new = engine.from_string(NEW_CODED).render(Context({"code": code, "css": css}))
    assert new == old


def test_another_reading_reads_label_colon_date_with_no_space_before_the_colon() -> None:
    """"Reading: 10 working days: Thu 12 Mar 2026", not "… days : Thu" (the label's tag once ended in a newline)."""
    engine = Engine.get_default()
    context = {"d": SAMPLES[2], "case": Case(timezone="Europe/Moscow")}
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        html = engine.from_string(NEW_ROW).render(Context(context))
    readings = re.findall(r'<li><span class="coded alternative"[^>]*>[^<]*</span>(.)', html)
    assert readings == [":", ":", ":"]
