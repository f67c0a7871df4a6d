"""The lists' cases (`access.listed_cases`) are the cases the user may see, read by their ids for a team member."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from refuge.cases import access
from tests.pages.test_case_list import make


@pytest.fixture
def cases(org, other_org, alice, bob, carol):
    return [make(org, alice, "A-1"), make(org, alice, "A-2"), make(org, bob, "B-1"), make(other_org, carol, "C-1")]


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "ana", "adam"])
def test_the_listed_cases_are_those_the_user_sees(request, cases, who: str) -> None:
    user = request.getfixturevalue(who)
    expected = sorted(access.cases_for_user(user).values_list("reference", flat=True))
    assert sorted(access.listed_cases(user).values_list("reference", flat=True)) == expected
    assert sorted(access.listed_cases(user).filter(status="open").values_list("reference", flat=True)) == expected


def test_a_team_member_s_cases_are_looked_up_by_their_ids(alice, cases) -> None:
    listed = access.listed_cases(alice)
    with CaptureQueriesContext(connection) as queries:
        references = sorted(listed.order_by("-updated_at").values_list("reference", flat=True))
    assert references == ["A-1", "A-2"]
    assert "casemember" not in queries[0]["sql"].lower()  # the team rows were read before, without an order
