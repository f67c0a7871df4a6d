"""The client's record, proceedings and team of a case."""

from __future__ import annotations

from django.urls import reverse

from refuge.cases.models import Proceeding


def person_data(**changes: str) -> dict[str, str]:
    data = {
        "names-TOTAL_FORMS": "3",
        "names-INITIAL_FORMS": "2",
        "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "12",
        "names-0-value": "Testov Fiktiv",
        "names-0-script": "Latn",
        "names-1-value": "",
        "names-1-script": "",
        "names-2-value": "테스트",
        "names-2-script": "",
        "nationality": "KP",
        "languages": "ko",
        "birth_date": "1980-01-02",
        "document_numbers": "P123\n\nP456",
        "contact_notes": "Through the centre's lawyer line",
        "location_notes": "",
    }
    data.update(changes)
    return data


def test_it_edits_the_person(as_alice, case):
    url = reverse("person_edit", args=[case.code])
    page = as_alice.get(url).content.decode()
    assert 'value="Тестов Фиктив"' in page
    r = as_alice.post(url, person_data())
    assert r.status_code == 302
    case.person.refresh_from_db()
    p = case.person
    assert p.names == [{"value": "Testov Fiktiv", "script": "Latn"}, {"value": "테스트", "script": "Hang"}]
    assert p.birth_date.isoformat() == "1980-01-02"
    assert p.document_numbers == ["P123", "P456"]
    assert p.contact_notes == "Through the centre's lawyer line"


def test_person_errors_keep_the_input(as_alice, case):
    r = as_alice.post(reverse("person_edit", args=[case.code]), person_data(stateless="on", languages="korean!"))
    assert r.status_code == 422
    html = r.content.decode()
    assert "A stateless person has no nationality" in html
    assert "Use ISO 639 codes" in html
    assert 'value="테스트"' in html
    case.person.refresh_from_db()
    assert case.person.nationality == "KP" and case.person.languages == ["ko"]


def test_only_writers_edit_the_person(as_ana, as_bob, case):
    url = reverse("person_edit", args=[case.code])
    for c in (as_ana, as_bob):
        assert c.get(url).status_code == 404
        assert c.post(url, person_data(nationality="CN")).status_code == 404
    case.person.refresh_from_db()
    assert case.person.nationality == "KP"


def test_it_adds_edits_and_deletes_proceedings(as_alice, case, authority):
    add = as_alice.post(
        reverse("proceeding_add", args=[case.code]),
        {
            "forum": "un_cat",
            "reference_number": "G/SO 229/31",
            "authority": str(authority.code),
            "opened_on": "2026-03-05",
            "is_active": "on",
        },
    )
    assert add.status_code == 302
    p = case.proceedings.get()
    assert (p.forum, p.reference_number, p.authority, p.is_active) == ("un_cat", "G/SO 229/31", authority, True)
    edit_url = reverse("proceeding_edit", args=[case.code, p.code])
    assert "G/SO 229/31" in as_alice.get(edit_url).content.decode()
    as_alice.post(edit_url, {"forum": "echr", "reference_number": "1234/26", "authority": ""})
    p.refresh_from_db()
    assert (p.forum, p.authority, p.is_active) == ("echr", None, False)
    delete_url = reverse("proceeding_delete", args=[case.code, p.code])
    assert as_alice.get(delete_url).status_code == 200
    assert Proceeding.objects.filter(pk=p.pk).exists()
    assert as_alice.post(delete_url).status_code == 302
    assert not Proceeding.objects.filter(pk=p.pk).exists()


def test_proceeding_errors_are_shown(as_alice, case):
    r = as_alice.post(reverse("proceeding_add", args=[case.code]), {"forum": "moon_court", "reference_number": "X-1"})
    assert r.status_code == 422
    assert "Select a valid choice" in r.content.decode() and 'value="X-1"' in r.content.decode()


def test_a_proceeding_cannot_use_another_organisations_authority(as_alice, case, other_org):
    from refuge.cases.models import Authority

    foreign = Authority.objects.create(organisation=other_org, name="Foreign court", kind="court")
    r = as_alice.post(reverse("proceeding_add", args=[case.code]), {"forum": "echr", "authority": str(foreign.code)})
    assert r.status_code == 422
    assert not case.proceedings.exists()


def test_it_manages_the_team(as_alice, case, alice, bob, ana):
    url = reverse("case_team", args=[case.code])
    html = as_alice.get(url).content.decode()
    assert f'value="{bob.code}"' in html
    assert f'value="{ana.code}"' not in html  # analysts never join a team
    r = as_alice.post(url, {"members": [str(alice.code), str(bob.code)]})
    assert r.status_code == 302
    assert set(case.team.all()) == {alice, bob}


def test_the_team_cannot_be_emptied_or_take_an_analyst(as_alice, case, alice, ana):
    url = reverse("case_team", args=[case.code])
    empty = as_alice.post(url, {})
    assert empty.status_code == 422 and "at least one person" in empty.content.decode()
    analyst = as_alice.post(url, {"members": [str(alice.code), str(ana.code)]})
    assert analyst.status_code == 422
    assert list(case.team.all()) == [alice]


def test_analysts_neither_see_nor_change_the_team(as_ana, as_alice, case, ana, alice):
    url = reverse("case_team", args=[case.code])
    assert as_alice.get(url).status_code == 200  # the page is there, for the team
    assert as_ana.get(url).status_code == 404
    assert as_ana.post(url, {"members": [str(alice.code), str(ana.code)]}).status_code == 404
    assert list(case.members.values_list("user__username", flat=True)) == ["alice"]


def test_removing_yourself_goes_back_to_the_dashboard(as_alice, case, bob):
    r = as_alice.post(reverse("case_team", args=[case.code]), {"members": [str(bob.code)]})
    assert r.status_code == 302 and r["Location"] == reverse("dashboard")
