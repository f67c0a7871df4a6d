"""Deleting a case writes the shredding log that a restore applies again (refuge/vault/shredlog.py)."""

from __future__ import annotations

import stat

import pytest

from refuge.cases.actions import delete_case
from refuge.vault import shredlog
from refuge.vault.models import CaseKey


def test_deleting_a_case_appends_its_code_and_key_ids_to_the_log(case, adam) -> None:
    keys = list(CaseKey.objects.filter(case=case).values_list("pk", flat=True))
    assert keys
    delete_case(case=case, actor=adam, confirm_reference=case.reference)
    entries = shredlog.read(shredlog.log_path())
    assert [(e.case, e.keys) for e in entries] == [(str(case.code), tuple(keys))]
    assert stat.S_IMODE(shredlog.log_path().stat().st_mode) == 0o600
    assert case.reference not in shredlog.log_path().read_text(), "codes only"


def test_a_refused_deletion_writes_nothing(case, adam) -> None:
    with pytest.raises(ValueError, match="reference"):
        delete_case(case=case, actor=adam, confirm_reference="not it")
    assert not shredlog.log_path().exists()


def test_a_damaged_log_names_its_line(tmp_path) -> None:
    path = tmp_path / "shredding.log"
    path.write_text('{"case": "6e827def-c9bd-4a10-ae35-bb462673ef07", "at": "2026-01-01T00:00:00+00:00"}\n\nnot json\n')
    with pytest.raises(shredlog.ShreddingLogError, match="line 3"):
        shredlog.read(path)
    with pytest.raises(shredlog.ShreddingLogError, match="no shredding log"):
        shredlog.read(tmp_path / "missing.log")
