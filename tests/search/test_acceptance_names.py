"""The vault issue's acceptance spellings, word for word."""

from __future__ import annotations

import pytest

from tests.search.conftest import found, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(org, alice):
    make_case(org, alice, "ACC-CHOE", "최성일")
    make_case(org, alice, "ACC-LI", "Ли Мён Хо")
    make_case(org, alice, "ACC-OTHER", "Kim Chol Su")


@pytest.mark.parametrize("query", ["Choe Song Il", "Choi Sung-il", "Chwe Song-il", "Чхве Сон Иль"])
def test_a_person_entered_in_hangul_is_found_by_every_spelling(as_alice, entered, query: str) -> None:
    assert found(as_alice, query) == ["ACC-CHOE"]


@pytest.mark.parametrize("query", ["Ri Myong Ho", "Lee Myung-ho", "리명호"])
def test_a_person_entered_in_cyrillic_is_found_by_every_spelling(as_alice, entered, query: str) -> None:
    assert found(as_alice, query) == ["ACC-LI"]
