"""`refuge migrate` encrypts the free text that older databases hold in plaintext, or refuses without the key."""

from __future__ import annotations

import secrets
import subprocess
import sys

from tests.cli.helpers import REPO, refuge_env, run_refuge

PASSPHRASE = "a passphrase for the migration test only"
READ_BACK = """
import os, django, json
os.environ["DJANGO_SETTINGS_MODULE"] = "refuge.settings"
django.setup()
from refuge.cases.models import Document, Event, Proceeding
from refuge.filings.models import GeneratedFiling, Sending
from refuge.vault import cli
cli.unseal_if_initialised()
d, p, e = Document.objects.get(), Proceeding.objects.get(), Event.objects.get()
f, s = GeneratedFiling.objects.get(), Sending.objects.get()
print(json.dumps([d.title, d.filename, d.sha256, p.reference_number, p.note, e.source,
                  f.filename, f.sha256, s.reference, s.proof_filename, s.proof_sha256]))
"""


def _old_database(data, canary: str) -> None:
    done = subprocess.run(  # noqa: S603  # our own module
        [sys.executable, "-m", "tests.vault.migrate_old_rows", canary],
        env=refuge_env(data), cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (data / "refuge.sqlite3").read_bytes().count(canary.encode()) > 0  # the plaintext is there before


def _disk_holds(data, needle: bytes) -> list[str]:
    return [p.name for p in data.iterdir() if p.is_file() and needle in p.read_bytes()]


def test_migrate_encrypts_every_old_plaintext_row(tmp_path):
    data, canary = tmp_path / "data", f"OLDCANARY{secrets.token_hex(6)}"
    _old_database(data, canary)
    assert run_refuge(data, "vault", "init", "--passphrase", stdin=f"{PASSPHRASE}\n").returncode == 0
    done = run_refuge(data, "migrate", "--no-input", stdin=f"{PASSPHRASE}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(  # noqa: S603  # our own interpreter
        [sys.executable, "-c", READ_BACK], input=f"{PASSPHRASE}\n",
        env=refuge_env(data), cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("[")
    values = __import__("json").loads(done.stdout.strip().splitlines()[-1])
    suffixes = ["-title", ".pdf", "-sha", "-ref", "-note", "-source", "-filing.pdf", "-fsha", "-sref", "-proof.pdf",
                "-psha"]
    assert values == [canary + s for s in suffixes]
    assert _disk_holds(data, canary.encode()) == []


def test_migrate_without_the_key_refuses_and_changes_nothing(tmp_path):
    data, canary = tmp_path / "data", f"OLDCANARY{secrets.token_hex(6)}"
    _old_database(data, canary)
    assert run_refuge(data, "vault", "init", "--passphrase", stdin=f"{PASSPHRASE}\n").returncode == 0
    done = run_refuge(data, "migrate", "--no-input", stdin="")
    assert done.returncode != 0
    assert "hold plaintext that this migration encrypts" in done.stderr
    assert "Nothing was changed" in done.stderr
    done = run_refuge(data, "showmigrations", "cases")
    assert "[ ] 0007_encrypt_free_text" in done.stdout
