"""An organisation's data key: the authority directory's notes are encrypted under it, rotation re-wraps it,
deleting the organisation shreds it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from refuge.vault import keys, state
from refuge.vault.models import OrganisationKey

pytestmark = pytest.mark.django_db

NOTES = "Ask for clerk Petrova; she handled the Fiktiv family's file (fictional)"


def _notes_column(authority_id: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM cases_authority WHERE id = %s", [authority_id])
        return bytes(cursor.fetchone()[0])


def _directory_entry(org):
    from refuge.cases.actions import save_authority

    return save_authority(
        organisation=org, user=None, name="District court (fictional)", kind="court", country="RU",
        channels=[], languages=["ru"], notes=NOTES,
    )


def test_an_authoritys_notes_are_stored_under_its_organisations_key(dev_vault) -> None:
    from refuge.accounts.models import Organisation
    from refuge.cases.models import Authority

    org = Organisation.objects.create(name="Notes Org (fictional)")
    authority = _directory_entry(org)
    assert NOTES.encode() not in _notes_column(authority.pk)
    assert OrganisationKey.objects.filter(organisation=org).count() == 1
    state.reset_for_tests()  # a new process: the notes come back through the key
    assert Authority.objects.get(pk=authority.pk).notes == NOTES


def test_a_ciphertext_moved_to_another_organisations_authority_does_not_decrypt(dev_vault) -> None:
    from refuge.accounts.models import Organisation
    from refuge.cases.models import Authority
    from refuge.vault.crypto import DecryptionError

    first = _directory_entry(Organisation.objects.create(name="First Org (fictional)"))
    second = _directory_entry(Organisation.objects.create(name="Second Org (fictional)"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_authority SET notes = %s WHERE id = %s", [_notes_column(first.pk), second.pk])
    with pytest.raises(DecryptionError):
        _ = Authority.objects.get(pk=second.pk).notes


def test_deleting_the_organisation_shreds_its_key(dev_vault) -> None:
    from refuge.accounts.models import Organisation

    org = Organisation.objects.create(name="Gone Org (fictional)")
    _directory_entry(org)
    assert OrganisationKey.objects.filter(organisation=org).exists()
    org.delete()
    assert not OrganisationKey.objects.exists()


def test_rotation_rewraps_organisation_keys_and_the_notes_still_read(dev_vault) -> None:
    from refuge.accounts.models import Organisation
    from refuge.cases.models import Authority

    authority = _directory_entry(Organisation.objects.create(name="Rotated Org (fictional)"))
    wrapped_before = bytes(OrganisationKey.objects.get().wrapped)
    call_command("vault", "rotate", "--dev", stdout=io.StringIO())
    row = OrganisationKey.objects.get()
    assert row.root_version == 2 and bytes(row.wrapped) != wrapped_before
    state.reset_for_tests()
    state.unseal(root_key=keys.read_dev_keys()[0], source="dev")
    assert Authority.objects.get(pk=authority.pk).notes == NOTES


def test_the_notes_cannot_be_read_while_sealed(dev_vault) -> None:
    from refuge.accounts.models import Organisation
    from refuge.cases.models import Authority

    authority = _directory_entry(Organisation.objects.create(name="Sealed Org (fictional)"))
    state.seal(reason="test")
    loaded = Authority.objects.get(pk=authority.pk)
    assert loaded.name == "District court (fictional)"  # the directory itself stays usable
    with pytest.raises(state.VaultSealed):
        _ = loaded.notes
