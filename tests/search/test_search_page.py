"""The search page: names in any script, fuzzily; document numbers exactly; references; nothing unseen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.search.conftest import client_for, found, make_case

pytestmark = pytest.mark.django_db

RI_SONG_GYUN = ["KOR-DPRK", "KOR-HANG", "KOR-RR"]


@pytest.mark.parametrize(
    "query", ["Ри Сон Гюн", "Ri Song Gyun", "Lee Seong-gyun", "리성균", "이성균", "Yi Sŏnggyun", "RI SONGGYUN"]
)
def test_each_spelling_finds_the_others(as_alice, korean_cases, query: str) -> None:
    assert sorted(found(as_alice, query)) == RI_SONG_GYUN


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ri Song Gyn", RI_SONG_GYUN),  # a letter missing
        ("Lee Sung-kyun", RI_SONG_GYUN),  # a common South Korean spelling
        ("Song Gyun Ri", RI_SONG_GYUN),  # surname last
        ("Karimov Azis", ["UZ-KARIMOV"]),
        ("Aziz Karimov", ["UZ-KARIMOV"]),  # given name first, Latin for Cyrillic
        ("Choi", ["KOR-CHOE", "KOR-CHOE2"]),  # a surname alone, folded across Цой and 최
        ("Cheolmin", ["KOR-CHOE2"]),  # a given name alone
    ],
)
def test_close_spellings_are_found(as_alice, korean_cases, query: str, expected: list[str]) -> None:
    assert sorted(found(as_alice, query)) == expected


@pytest.mark.parametrize(
    ("query", "own", "not_expected"),
    [
        ("Ri Song Hyok", "KOR-HYOK", "KOR-DPRK"),  # another given name
        ("Kim Song Gyun", "KOR-KIM", "KOR-DPRK"),  # another surname
        ("Rakhimov Aziz", "UZ-RAKHIMOV", "UZ-KARIMOV"),  # two letters apart in a seven-letter word
        ("Ri Song Min", None, "KOR-HANG"),
        ("Pak Song Gyun", None, "KOR-KIM"),
    ],
)
def test_near_misses_are_not_found(as_alice, korean_cases, query: str, own: str | None, not_expected: str) -> None:
    refs = found(as_alice, query)
    assert refs == ([own] if own else []), refs
    assert not_expected not in refs


def test_the_exact_spelling_ranks_first(as_alice, korean_cases) -> None:
    assert found(as_alice, "Ri Song Hyok")[0] == "KOR-HYOK"


def test_document_numbers_are_found_exactly_however_typed(as_alice, korean_cases) -> None:
    assert found(as_alice, "ab 12-34 56") == ["UZ-KARIMOV"]
    assert found(as_alice, "AB123456") == ["UZ-KARIMOV"]
    assert found(as_alice, "AB12345") == []
    page = as_alice.get(reverse("search"), {"q": "AB123456"}).content.decode()
    assert "document number" in page


def test_references_are_found_by_a_part_with_a_number(as_alice, case, org, alice) -> None:
    make_case(org, alice, "TST-2026-014", "Someone Else")
    assert found(as_alice, "tst-2026-001") == ["TST-2026-001"]
    assert sorted(found(as_alice, "2026-0")) == ["TST-2026-001", "TST-2026-014"]
    assert found(as_alice, "TST") == []  # no number: read as a name, and no client is called that


def test_results_show_names_to_those_who_may_see_identity(as_alice, korean_cases) -> None:
    page = as_alice.get(reverse("search"), {"q": "Ri Song Gyun"}).content.decode()
    assert "리성균" in page and "Ри Сон Гюн" in page


def test_an_empty_query_lists_nothing(as_alice, korean_cases) -> None:
    response = as_alice.get(reverse("search"))
    assert response.status_code == 200 and found(as_alice, "") == [] and found(as_alice, "  ") == []


# --- Access: results are filtered before they are returned ------------------------------------------


def test_bob_and_carol_never_find_alices_client(case, bob, carol) -> None:
    for user in (bob, carol):
        c = client_for(user)
        for query in ("Testov Fiktiv", "Тестов Фиктив", "Testov", "TST-2026-001"):
            page = c.get(reverse("search"), {"q": query}).content.decode()
            assert found(c, query) == [], (user, query)
            assert case.get_absolute_url() not in page
            assert "Fiktiv" not in page.replace(query, "") and "Фиктив" not in page.replace(query, "")


def test_bob_finds_his_own_client_but_not_alices_namesake(case, org, bob) -> None:
    make_case(org, bob, "BOB-1", "Testov Fiktiv")
    assert found(client_for(bob), "Testov Fiktiv") == ["BOB-1"]


def test_the_admin_finds_every_case_of_the_organisation(case, org, bob, adam) -> None:
    make_case(org, bob, "BOB-1", "Testov Fiktiv")
    assert sorted(found(client_for(adam), "Testov Fiktiv")) == ["BOB-1", "TST-2026-001"]


def test_analysts_cannot_search_what_the_team_finds(case, org, alice, ana) -> None:
    """Statistics only (issue 14): a name, a reference or a document number; the team finds each."""
    make_case(org, alice, "DOC-1", "Someone Else", documents=("ZX 998877",))
    team, analyst = client_for(alice), client_for(ana)
    for query, hit in (("Testov Fiktiv", "TST-2026-001"), ("TST-2026-001", "TST-2026-001"), ("ZX998877", "DOC-1")):
        assert hit in found(team, query)
        refused = analyst.get(reverse("search"), {"q": query})
        assert refused.status_code == 404, query
        assert hit not in refused.content.decode() and "Testov" not in refused.content.decode()


def test_anonymous_users_are_sent_to_log_in(client) -> None:
    response = client.get(reverse("search"), {"q": "Ri"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_header_has_a_search_box(as_alice) -> None:
    page = as_alice.get(reverse("dashboard")).content.decode()
    assert f'action="{reverse("search")}"' in page and 'name="q"' in page


# --- Audit: names on the results page are a read of identity ------------------------------------------


def test_each_client_named_in_the_results_is_a_recorded_reveal(alice, korean_cases) -> None:
    from refuge.audit.events import EventType
    from refuge.audit.models import AuditEvent

    c = client_for(alice)
    before = AuditEvent.objects.count()
    refs = found(c, "Ри Сон Гюн")
    entries = list(AuditEvent.objects.order_by("id")[before:])
    assert len(refs) == 3 and len(entries) == 3
    codes = {str(korean_cases[k].code) for k in ("RR", "HANGUL", "DPRK")}
    assert {e.target_code for e in entries} == codes
    for entry in entries:
        assert entry.type == EventType.IDENTITY_REVEALED and entry.actor_id == alice.pk
        assert entry.data == {"via": "search"} and entry.fields == ["names"]
        assert "Сон" not in str(entry.data) and "Song" not in str(entry.data)


def test_a_search_showing_no_name_records_nothing(case, alice) -> None:
    from refuge.audit.models import AuditEvent

    c = client_for(alice)
    before = AuditEvent.objects.count()
    assert found(c, "Nobody Matches Zzyzx") == []
    assert AuditEvent.objects.count() == before
    assert found(c, "Testov Fiktiv") == ["TST-2026-001"]  # and one that names a client does
    assert AuditEvent.objects.count() == before + 1


def test_given_names_first_and_given_syllables_apart_are_found(as_alice, org, alice, korean_cases) -> None:
    make_case(org, alice, "KOR-YUNA", "Kim Yuna")
    assert sorted(found(as_alice, "Seong-gyun Lee")) == RI_SONG_GYUN
    assert found(as_alice, "Kim Yoo Na") == ["KOR-YUNA"]
    assert found(as_alice, "Ким Ю На") == ["KOR-YUNA"]
