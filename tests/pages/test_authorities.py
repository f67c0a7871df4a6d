"""The organisation's directory of authorities."""

from __future__ import annotations

from django.urls import reverse

from refuge.cases.models import Authority


def authority_data(**changes: str) -> dict[str, str]:
    data = {
        "name": "Bailiffs of Kolpino (fictional)",
        "kind": "bailiffs",
        "country": "ru",
        "languages": "ru",
        "notes": "",
        "channels-TOTAL_FORMS": "2",
        "channels-INITIAL_FORMS": "0",
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "20",
        "channels-0-kind": "fax",
        "channels-0-value": "+7 812 000 00 01",
        "channels-1-kind": "email",
        "channels-1-value": "bailiffs@example.org",
    }
    data.update(changes)
    return data


def test_it_lists_the_organisations_directory(as_bob, as_carol, as_ana, authority):
    assert "Kolpino District Court (fictional)" in as_bob.get(reverse("authority_list")).content.decode()
    # Not for analysts (statistics only, issue 14): the directory's notes are free text about cases.
    analyst = as_ana.get(reverse("authority_list"))
    assert analyst.status_code == 404 and "Kolpino" not in analyst.content.decode()
    assert "Kolpino District Court" not in as_carol.get(reverse("authority_list")).content.decode()


def test_it_adds_an_authority_with_channels(as_alice, org):
    r = as_alice.post(reverse("authority_new"), authority_data())
    assert r.status_code == 302
    a = Authority.objects.get()
    assert a.organisation == org and a.country == "RU" and a.languages == ["ru"]
    assert a.channels == [
        {"kind": "fax", "value": "+7 812 000 00 01"},
        {"kind": "email", "value": "bailiffs@example.org"},
    ]


def test_it_edits_an_authority(as_bob, authority):
    url = reverse("authority_edit", args=[authority.code])
    assert "+7 812 000 00 00" in as_bob.get(url).content.decode()
    r = as_bob.post(
        url,
        authority_data(
            name="Kolpino District Court (fictional)", kind="court", **{"channels-1-kind": "", "channels-1-value": ""}
        ),
    )
    assert r.status_code == 302
    authority.refresh_from_db()
    assert authority.channels == [{"kind": "fax", "value": "+7 812 000 00 01"}]


def test_authority_errors_keep_the_input(as_alice, authority):
    r = as_alice.post(reverse("authority_new"), authority_data(name=authority.name, **{"channels-1-kind": ""}))
    assert r.status_code == 422
    html = r.content.decode()
    assert "already has an authority with this name" in html
    assert "Choose how to reach it." in html
    assert 'value="bailiffs@example.org"' in html
    assert Authority.objects.count() == 1


def test_other_organisations_and_analysts_cannot_edit(as_carol, as_ana, authority):
    url = reverse("authority_edit", args=[authority.code])
    for c in (as_carol, as_ana):
        assert c.get(url).status_code == 404
        assert c.post(url, authority_data()).status_code == 404
    assert as_ana.post(reverse("authority_new"), authority_data()).status_code == 404
    authority.refresh_from_db()
    assert authority.kind == "court"


def test_adding_and_editing_an_authority_is_audited_with_field_names(as_bob, bob, authority):
    from refuge.audit.events import EventType
    from refuge.audit.models import AuditEvent

    as_bob.post(reverse("authority_new"), authority_data())
    added = AuditEvent.objects.get(type=EventType.AUTHORITY_ADDED)
    assert added.actor_id == bob.pk and added.target_kind == "authority" and "channels" in added.fields
    as_bob.post(reverse("authority_edit", args=[authority.code]), authority_data(name=authority.name, kind="court"))
    changed = AuditEvent.objects.get(type=EventType.AUTHORITY_CHANGED)
    assert changed.target_code == str(authority.code) and "channels" in changed.fields and "name" not in changed.fields
    assert "Kolpino" not in str(changed.data)
