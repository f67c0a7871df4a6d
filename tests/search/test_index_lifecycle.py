"""The in-memory index: built after unsealing, kept current, dropped on seal, never written anywhere."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from refuge.cases.actions import update_person
from refuge.cases.bulk_import import import_casefiles
from refuge.cases.models import Case, Person
from refuge.search import index
from refuge.vault import state
from refuge.vault.models import VaultControl
from tests.search.conftest import found, make_case

pytestmark = pytest.mark.django_db


def _rename(case: Case, *names: str) -> None:
    person = case.person
    update_person(
        case=case,
        user=None,
        nationality=person.nationality,
        stateless=person.stateless,
        languages=person.languages,
        names=[{"value": n, "script": "Latn"} for n in names],
        birth_date=person.birth_date,
        contact_notes="",
        location_notes="",
        document_numbers=[],
    )


def _files(*roots: Path) -> set[str]:
    out: set[str] = set()
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            out.update(str(Path(folder) / n) for n in names)
    return out


def _rows() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_the_index_is_built_on_the_first_search_and_held_per_organisation(as_alice, case, org) -> None:
    assert index.held_organisations() == []
    assert found(as_alice, "Testov") == ["TST-2026-001"]
    assert index.held_organisations() == [org.pk]
    assert index.size(org.pk) == 1


def test_building_and_searching_write_no_file_and_no_row(as_alice, case, tmp_path) -> None:
    """Only the audit's record that names were shown is written: the index itself goes nowhere."""
    from refuge.audit.events import EventType
    from refuge.audit.models import AuditEvent

    roots = (Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT), tmp_path)
    files, rows, seq = _files(*roots), _rows(), AuditEvent.objects.order_by("-id").values_list("id").first()
    assert found(as_alice, "Testov Fiktiv") == ["TST-2026-001"]
    assert found(as_alice, "Тестов") == ["TST-2026-001"]
    assert index.held_organisations()
    assert _files(*roots) == files
    new_audit = AuditEvent.objects.filter(id__gt=seq[0] if seq else 0)
    assert set(new_audit.values_list("type", flat=True)) == {EventType.IDENTITY_REVEALED}
    assert _rows() == {**rows, "audit.AuditEvent": rows["audit.AuditEvent"] + new_audit.count()}


def test_sealing_drops_the_index_and_the_page_answers_503(as_alice, case) -> None:
    assert found(as_alice, "Testov") == ["TST-2026-001"]
    state.seal(reason="test")
    assert index.held_organisations() == []
    assert as_alice.get(reverse("search"), {"q": "Testov"}).status_code == 503


def test_a_seal_in_another_process_drops_the_index_here(as_alice, case) -> None:
    from django.db.models import F

    assert found(as_alice, "Testov") == ["TST-2026-001"]
    VaultControl.objects.update(seal_epoch=F("seal_epoch") + 1)  # what `refuge seal` does elsewhere
    state.check_control()  # what the watcher thread does every second
    assert state.is_sealed()
    assert index.held_organisations() == []


def test_after_unsealing_again_the_index_is_rebuilt(alice, case) -> None:
    from tests.search.conftest import client_for

    assert found(client_for(alice), "Testov") == ["TST-2026-001"]
    state.seal(reason="test")
    state.unseal_with_dev_key()
    assert index.held_organisations() == []
    assert found(client_for(alice), "Testov") == ["TST-2026-001"]  # sessions ended: log in again


def test_a_renamed_client_is_found_under_the_new_name_only(as_alice, case) -> None:
    assert found(as_alice, "Testov") == ["TST-2026-001"]
    _rename(case, "Ri Song Gyun")
    assert found(as_alice, "Testov") == []
    assert found(as_alice, "Ри Сон Гюн") == ["TST-2026-001"]


def test_a_change_saved_by_this_process_updates_the_index_when_it_commits(
    as_alice, case, django_capture_on_commit_callbacks
) -> None:
    assert found(as_alice, "Testov") == ["TST-2026-001"]
    # Long unchanged, so only this process's own signal can bring the new name in.
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - timedelta(days=30))
    person = Person.objects.get(case=case)
    person.names = [{"value": "Kim Chol Min", "script": "Latn"}]
    with django_capture_on_commit_callbacks(execute=True):
        person.save()
    assert found(as_alice, "Kim Chol Min") == ["TST-2026-001"]
    assert found(as_alice, "Testov") == []


def test_without_the_commit_the_index_keeps_the_old_name(as_alice, case) -> None:
    """The counterpart of the test above: no commit, no signal, no change (the test can fail)."""
    assert found(as_alice, "Testov") == ["TST-2026-001"]
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - timedelta(days=30))
    person = Person.objects.get(case=case)
    person.names = [{"value": "Kim Chol Min", "script": "Latn"}]
    person.save()  # inside the test's transaction: on_commit never runs
    assert found(as_alice, "Kim Chol Min") == []


def test_a_change_made_by_another_process_arrives_through_updated_at(
    as_alice, case, django_capture_on_commit_callbacks
) -> None:
    assert found(as_alice, "Testov") == ["TST-2026-001"]
    with django_capture_on_commit_callbacks(execute=False):  # the other process's signal never runs here
        _rename(case, "Pak Jong Ho")
    assert found(as_alice, "Pak Jong Ho") == ["TST-2026-001"]


def test_a_deleted_case_leaves_the_index(as_alice, case, org, alice) -> None:
    other = make_case(org, alice, "DEL-1", "Ri Song Gyun")
    assert found(as_alice, "Ri Song Gyun") == ["DEL-1"]
    assert index.size(org.pk) == 2
    Case.objects.filter(pk=other.pk).delete()  # as another process would: no commit seen here
    assert found(as_alice, "Ri Song Gyun") == []
    assert index.size(org.pk) == 1


def test_the_index_holds_keys_not_names(as_alice, case, org) -> None:
    found(as_alice, "Testov")
    org_index = index._held.orgs[org.pk]
    held = " ".join([*org_index.by_string, *org_index.by_word])
    assert "Testov" not in held and "Тестов" not in held and "Fiktiv" not in held


def test_a_case_deleted_here_leaves_the_index_when_the_deletion_commits(
    as_alice, case, org, adam, django_capture_on_commit_callbacks
) -> None:
    from refuge.cases.actions import delete_case

    assert found(as_alice, "Testov") == ["TST-2026-001"]
    assert index.size(org.pk) == 1
    with django_capture_on_commit_callbacks(execute=True):
        delete_case(case=case, actor=adam, confirm_reference="TST-2026-001")
    assert index.size(org.pk) == 0  # before any search: the client's keys are gone from memory


def test_a_client_imported_in_bulk_is_found_once_the_import_commits(
    as_alice, case, org, alice, django_capture_on_commit_callbacks
) -> None:
    """`refuge import` inserts persons without post_save: hooks.CASES_IMPORTED tells the index."""
    assert found(as_alice, "Testov") == ["TST-2026-001"]  # the index is held from here on
    doc = {
        "format": "refuge.case/1",
        "reference": "IMP-NAME-1",
        "host_state": "RU",
        "person": {"names": [{"value": "Pak Yong Su", "script": "Latn"}]},
        "events": [],
    }
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        import_casefiles(docs=[doc], organisation=org, user=alice)
        # Long unchanged, so only the hook can bring the new name in (not the updated_at catch-up).
        Case.objects.filter(reference="IMP-NAME-1").update(updated_at=timezone.now() - timedelta(days=30))
    assert found(as_alice, "Pak Yong Su") == ["IMP-NAME-1"]
