"""Blind indexes find exact document numbers, and nothing else; entries hold no plaintext."""

from __future__ import annotations

import pytest
from django.db import transaction

from refuge.cases.bulk import insert_new
from refuge.vault import blindindex
from refuge.vault.models import BlindIndexEntry, VaultProbe

pytestmark = pytest.mark.django_db


def _found(value: str) -> set[str]:
    return {str(p.code) for p in blindindex.search(VaultProbe, "numbers", value)}


def test_exact_numbers_are_found_however_they_are_typed(probe: VaultProbe, case) -> None:
    other = VaultProbe.objects.create(case=case, numbers=[{"type": "passport", "number": "C-770012"}, "9912 445566"])
    assert _found("AB 123456") == {str(probe.code)}
    assert _found("ab123456") == {str(probe.code)}
    assert _found("AB-12 34 56") == {str(probe.code)}
    assert _found("C770012") == {str(other.code)}
    assert _found("9912445566") == {str(other.code)}


def test_other_numbers_prefixes_and_empty_queries_find_nothing(probe: VaultProbe) -> None:
    assert _found("AB123457") == set()
    assert _found("AB12345") == set()
    assert _found("AB1234567") == set()
    assert _found("123456") == set()
    assert _found(" - ") == set()


def test_entries_hold_no_plaintext(probe: VaultProbe) -> None:
    entry = BlindIndexEntry.objects.get()
    assert entry.scope == "vault.vaultprobe.numbers"
    assert entry.object_code == str(probe.code)
    assert "123456" not in entry.digest and len(entry.digest) == 64


def test_a_changed_number_is_found_under_its_new_value_only(probe: VaultProbe) -> None:
    probe.numbers = ["ZZ 999"]
    probe.save()
    assert _found("AB123456") == set()
    assert _found("ZZ999") == {str(probe.code)}


def test_deleting_the_object_drops_its_entries(probe: VaultProbe) -> None:
    probe.delete()
    assert not BlindIndexEntry.objects.exists()
    assert _found("AB123456") == set()


def test_fields_without_an_index_cannot_be_searched(probe: VaultProbe) -> None:
    with pytest.raises(LookupError):
        blindindex.search(VaultProbe, "text", "Hidden Lane")


def test_rows_inserted_in_bulk_get_the_entries_a_save_would_give(dev_vault, case) -> None:
    saved = VaultProbe.objects.create(case=case, numbers=[{"type": "passport", "number": "C-770012"}, "9912 445566"])
    expected = sorted(BlindIndexEntry.objects.values_list("scope", "digest", "root_version"))
    BlindIndexEntry.objects.all().delete()
    saved.delete()
    numbers = [{"type": "passport", "number": "C-770012"}, "9912 445566"]
    rows = [VaultProbe(case=case, numbers=numbers), VaultProbe(case=case)]
    with transaction.atomic():
        insert_new(rows)
        blindindex.index_new(rows)
    assert sorted(BlindIndexEntry.objects.values_list("scope", "digest", "root_version")) == expected
    assert _found("C770012") == {str(rows[0].code)}
    assert VaultProbe.objects.get(pk=rows[0].pk).numbers == rows[0].numbers  # encrypted as a save would
