"""Cases whose clients carry names in several scripts, and a way to read what the search page found."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from refuge.search.normalise import script_of

_REF = re.compile(r'<a class="case-ref" href="[^"]+">([^<]+)</a>')


def make_case(org, user, reference: str, *names: str, documents: tuple[str, ...] = ()):
    from refuge.cases.actions import create_case

    case = create_case(
        organisation=org,
        user=user,
        reference=reference,
        host_state="RU",
        timezone="Europe/Moscow",
        person={
            "nationality": "KP",
            "stateless": False,
            "languages": ["ko"],
            "names": [{"value": v, "script": script_of(v)} for v in names],
        },
        events=[],
    )
    if documents:
        person = case.person
        person.document_numbers = list(documents)
        person.save(update_fields=["document_numbers"])
    return case


def found(client: Client, query: str) -> list[str]:
    """The case references the search page lists for the query (asserting it answered 200)."""
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200, response.status_code
    return _REF.findall(response.content.decode())



def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def as_alice(alice) -> Client:
    return client_for(alice)


@pytest.fixture
def korean_cases(org, alice):
    """Alice's cases: one client written four ways across three cases, and clients with near names."""
    return {
        "RR": make_case(org, alice, "KOR-RR", "Lee Seong-gyun"),
        "HANGUL": make_case(org, alice, "KOR-HANG", "리성균"),
        "DPRK": make_case(org, alice, "KOR-DPRK", "Ri Song Gyun", "Ри Сон Гюн"),
        "HYOK": make_case(org, alice, "KOR-HYOK", "Ri Song Hyok"),
        "KIM": make_case(org, alice, "KOR-KIM", "Kim Song Gyun"),
        "CHOE": make_case(org, alice, "KOR-CHOE", "Цой Мён Хо"),
        "CHOE2": make_case(org, alice, "KOR-CHOE2", "최철민"),
        "UZ": make_case(org, alice, "UZ-KARIMOV", "Каримов Азиз", documents=("AB 123456",)),
        "UZ2": make_case(org, alice, "UZ-RAKHIMOV", "Rakhimov Aziz"),
    }
