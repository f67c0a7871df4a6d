"""The intake warns when the client being entered looks like the client of a case the user may open."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.search.conftest import client_for, make_case

pytestmark = pytest.mark.django_db


def _names(*values: str) -> dict[str, str]:
    data = {"names-TOTAL_FORMS": str(len(values)), "names-INITIAL_FORMS": "0", "reference": "NEW-1"}
    for i, value in enumerate(values):
        data[f"names-{i}-value"] = value
        data[f"names-{i}-script"] = ""
    return data


def _warning(user, *values: str) -> str:
    response = client_for(user).post(reverse("search_possible_matches"), _names(*values), HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def ri(org, alice):
    return make_case(org, alice, "SPB-2025-007", "리성균", "Ri Songgyun")


def test_the_intake_page_checks_the_names_as_they_are_typed(alice) -> None:
    page = client_for(alice).get(reverse("case_new")).content.decode()
    assert 'id="possible-matches"' in page
    assert f'data-hx-post="{reverse("search_possible_matches")}"' in page
    assert "from:.names-table" in page


def test_a_known_client_in_another_script_is_flagged(ri, alice) -> None:
    html = _warning(alice, "Ри Сон Гюн")
    assert "possible match:" in html
    assert ri.get_absolute_url() in html and "SPB-2025-007" in html


def test_any_row_of_names_can_match(ri, alice) -> None:
    assert "SPB-2025-007" in _warning(alice, "Someone Else", "Lee Seong-gyun", "")


def test_a_new_client_raises_no_warning(ri, alice) -> None:
    assert "possible match" not in _warning(alice, "Kim Chol Min")
    assert "possible match" not in _warning(alice, "", "  ")


def test_cases_the_user_may_not_open_are_never_named(ri, bob, carol, adam) -> None:
    assert "SPB-2025-007" in _warning(adam, "Ri Song Gyun")  # the organisation's admin sees every case
    for user in (bob, carol):
        html = _warning(user, "Ri Song Gyun")
        assert "SPB-2025-007" not in html and "possible match" not in html and ri.get_absolute_url() not in html


def test_analysts_cannot_use_the_check(ri, ana) -> None:
    response = client_for(ana).post(reverse("search_possible_matches"), _names("Ri Song Gyun"))
    assert response.status_code == 404


def test_the_check_takes_no_get(alice) -> None:
    url = reverse("search_possible_matches")
    assert client_for(alice).get(url, {"names-0-value": "Ri Song Gyun"}).status_code == 405
