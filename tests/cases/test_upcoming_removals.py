"""The lists' and the urgent panel's next removals, read from the reports' removals alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from refuge.cases.derived import CaseCheck
from refuge.cases.models import Case
from refuge.cases.removals import next_removal, removals_of, upcoming
from refuge.demo.load import build_demo
from refuge.lib.ids import Ids

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _facts(removal):
    return (
        removal.case.pk,
        removal.case.reference,
        removal.case.timezone,
        removal.event,
        removal.removal_at,
        removal.destination,
        removal.status,
        removal.protected,
        removal.protected_by,
        removal.file_now,
    )


def test_upcoming_finds_what_the_whole_reports_say() -> None:
    """`upcoming` asks the database for each report's removals only; what it finds is what reading
    every case's whole report finds: the same next removal, protection and what to file, per case."""
    with time_machine.travel(NOW, tick=False):
        build_demo(today=TODAY, now=NOW)
    cases = Case.objects.filter(organisation__is_demo=True)
    whole = [
        next_removal(removals_of(check.case, check.report), NOW)
        for check in CaseCheck.objects.filter(case__in=cases).select_related("case")
    ]
    expected = sorted((_facts(r) for r in whole if r is not None), key=lambda f: (f[4], f[0]))
    found = sorted((_facts(r) for r in upcoming(cases, NOW)), key=lambda f: (f[4], f[0]))
    assert found == expected
    ids = list(cases.values_list("id", flat=True))
    by_ids = sorted((_facts(r) for r in upcoming(ids, NOW)), key=lambda f: (f[4], f[0]))
    assert by_ids == expected  # the list's form: the cases' ids
    once = sorted((_facts(r) for r in upcoming(Ids(ids), NOW)), key=lambda f: (f[4], f[0]))
    assert once == expected  # the dashboard's
    assert {f[7] for f in found} >= {True, False}  # protected and unprotected removals both compared
    assert any(f[9] for f in found)  # and one with something to file now
