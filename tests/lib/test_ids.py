"""`Ids`, a list of ids made once for several queries' `__in`, finds what the list itself finds."""

from __future__ import annotations

import pytest

from refuge.cases.models import Case, Event
from refuge.lib.ids import Ids
from tests.pages.test_case_list import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(org, alice):
    made = [make(org, alice, f"I-{n}") for n in range(4)]
    for case in made:
        Event.objects.create(case=case, key="e1", type="detained", at=case.created_at)
    return made


def _same(build) -> None:
    assert sorted(build(lambda ids: ids)) == sorted(build(Ids))


@pytest.mark.parametrize("take", [slice(0, 0), slice(0, 1), slice(1, 3), slice(0, 4)])
def test_ids_find_what_their_list_finds(cases, take: slice) -> None:
    ids = [case.pk for case in cases[take]] + [-1]  # and one that matches nothing
    _same(lambda wrap: Case.objects.filter(pk__in=wrap(ids)).values_list("reference", flat=True))
    _same(lambda wrap: Case.objects.exclude(pk__in=wrap(ids)).values_list("reference", flat=True))
    _same(lambda wrap: Event.objects.filter(case_id__in=wrap(ids), type="detained").values_list("case_id", flat=True))
    once = Ids(ids)  # one list, several queries
    assert Event.objects.filter(case_id__in=once).count() == Case.objects.filter(pk__in=once).count() == len(ids) - 1


def test_no_ids_match_nothing_as_an_empty_list_does(cases) -> None:
    assert not Case.objects.filter(pk__in=Ids([])).exists()
    assert Case.objects.exclude(pk__in=Ids([])).count() == Case.objects.exclude(pk__in=[]).count() == len(cases)
