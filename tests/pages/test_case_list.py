"""The case list: filters, sorting and pages without a count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from refuge.cases.actions import create_case


def make(org, user, reference: str, *, status: str = "open", host: str = "RU", nationality: str = "KP"):
    return create_case(
        organisation=org,
        user=user,
        reference=reference,
        host_state=host,
        timezone="Europe/Moscow",
        status=status,
        person={"nationality": nationality, "stateless": False, "languages": []},
        events=[],
    )


@pytest.fixture
def cases(org, alice, bob):
    return [
        make(org, alice, "A-001", status="urgent"),
        make(org, alice, "A-002", host="UA", nationality="UZ"),
        make(org, alice, "A-003", status="closed"),
        make(org, bob, "B-001", status="urgent"),
    ]


def refs(response) -> list[str]:
    return [c.reference for c in response.context["cases"]]


def test_it_lists_only_the_cases_a_user_sees(as_alice, as_adam, cases):
    assert sorted(refs(as_alice.get(reverse("case_list")))) == ["A-001", "A-002", "A-003"]
    assert sorted(refs(as_adam.get(reverse("case_list")))) == ["A-001", "A-002", "A-003", "B-001"]


def test_it_filters(as_adam, cases, alice):
    url = reverse("case_list")
    assert sorted(refs(as_adam.get(url, {"status": "urgent"}))) == ["A-001", "B-001"]
    assert refs(as_adam.get(url, {"host_state": "ua"})) == ["A-002"]
    assert refs(as_adam.get(url, {"nationality": "UZ"})) == ["A-002"]
    assert sorted(refs(as_adam.get(url, {"member": str(alice.code)}))) == ["A-001", "A-002", "A-003"]
    assert refs(as_adam.get(url, {"status": "urgent", "member": str(alice.code)})) == ["A-001"]
    assert len(refs(as_adam.get(url, {"member": "not-a-code", "status": "bogus"}))) == 4


def test_it_sorts(as_adam, cases):
    url = reverse("case_list")
    assert refs(as_adam.get(url, {"sort": "reference"})) == ["A-001", "A-002", "A-003", "B-001"]
    assert refs(as_adam.get(url, {"sort": "-reference"})) == ["B-001", "A-003", "A-002", "A-001"]
    assert refs(as_adam.get(url, {"sort": "-updated"})) == ["B-001", "A-003", "A-002", "A-001"]
    by_status = refs(as_adam.get(url, {"sort": "status"}))
    assert by_status[:2] == ["B-001", "A-001"] and by_status[-1] == "A-003"


def test_it_pages_without_counting(as_adam, cases, settings):
    settings.REFUGE_PAGE_SIZE = 3
    url = reverse("case_list")
    with CaptureQueriesContext(connection) as queries:
        first = as_adam.get(url, {"sort": "reference"})
    assert refs(first) == ["A-001", "A-002", "A-003"]
    assert first.context["has_next"] and not first.context["has_previous"]
    assert 'href="?sort=reference&amp;page=2"' in first.content.decode()
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    second = as_adam.get(url, {"sort": "reference", "page": "2"})
    assert refs(second) == ["B-001"]
    assert not second.context["has_next"] and second.context["has_previous"]


def test_its_queries_do_not_grow_with_the_rows(as_adam, org, alice):
    url = reverse("case_list")
    make(org, alice, "X-1")
    with CaptureQueriesContext(connection) as few:
        as_adam.get(url)
    for i in range(8):
        make(org, alice, f"Y-{i}")
    with CaptureQueriesContext(connection) as many:
        as_adam.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_sorted_column_says_so(as_adam, cases):
    html = as_adam.get(reverse("case_list"), {"sort": "reference"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-reference">Reference' in html


def test_a_country_filter_reads_names_and_refuses_unknown_ones(as_alice, case):
    by_name = as_alice.get(reverse("case_list"), {"host_state": "Россия"}).content.decode()
    assert '<option value="RU" data-terms' in by_name and f"{case.reference}" in by_name
    unknown = as_alice.get(reverse("case_list"), {"nationality": "XX"}).content.decode()
    assert "Not a country Refuge knows" in unknown and case.reference not in unknown


@pytest.mark.usefixtures("alice", "adam")
def test_the_member_filter_offers_the_people_of_the_user_s_teams_and_an_admin_everyone(
    as_alice, as_adam, org, bob, cases
):
    """A lawyer's list shows only their cases: anyone not on those teams would filter to nothing."""
    from refuge.accounts.models import Membership, User
    from refuge.cases.models import CaseMember

    dora = User.objects.create_user(username="dora", password="x")  # a fictional colleague
    Membership.objects.create(user=dora, organisation=org, role="lawyer")
    CaseMember.objects.create(case=cases[0], user=bob)  # bob joins one of alice's cases
    url = reverse("case_list")

    def offered(client, **query):
        return [name for _code, name in client.get(url, query).context["people"]]

    assert offered(as_alice) == ["alice", "bob"]  # not dora (no shared case) nor adam
    assert offered(as_adam) == ["adam", "alice", "bob", "dora"]
    # A member chosen elsewhere stays the filter shown (and finds nothing alice may see).
    response = as_alice.get(url, {"member": str(dora.code)})
    assert refs(response) == []
    assert [name for _code, name in response.context["people"]] == ["alice", "bob", "dora"]
    assert f'<option value="{dora.code}" selected>dora</option>' in response.content.decode()
