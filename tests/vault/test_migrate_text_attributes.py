"""`refuge migrate` encrypts old events' text attributes and authorities' notes, linking the entries events name."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

from tests.cli.helpers import REPO, refuge_env, run_refuge
from tests.vault.test_migrate_free_text import PASSPHRASE, _disk_holds

READ_BACK = """
import os, django, json
os.environ["DJANGO_SETTINGS_MODULE"] = "refuge.settings"
django.setup()
from refuge.cases.models import Authority, Event
from refuge.vault import cli
cli.unseal_if_initialised()
court = Authority.objects.get()
e1, e2 = Event.objects.get(key="e1"), Event.objects.get(key="e2")
print(json.dumps({"notes": court.notes, "e1": [e1.attributes, e1.text_attributes, e1.authority_id],
                  "e2": [e2.attributes, e2.text_attributes, e2.authority_id == court.pk]}))
"""


def _old_database(data, canary: str) -> None:
    done = subprocess.run(  # noqa: S603  # our own module
        [sys.executable, "-m", "tests.vault.migrate_old_text_attributes", canary],
        env=refuge_env(data), cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (data / "refuge.sqlite3").read_bytes().count(canary.encode()) > 0  # the plaintext is there before


def test_migrate_encrypts_old_text_attributes_and_notes_and_links_the_named_entry(tmp_path):
    data, canary = tmp_path / "data", f"OLDTEXT{secrets.token_hex(6)}"
    _old_database(data, canary)
    assert run_refuge(data, "vault", "init", "--passphrase", stdin=f"{PASSPHRASE}\n").returncode == 0
    done = run_refuge(data, "migrate", "--no-input", stdin=f"{PASSPHRASE}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(  # noqa: S603  # our own interpreter
        [sys.executable, "-c", READ_BACK], input=f"{PASSPHRASE}\n",
        env=refuge_env(data), cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values == {
        "notes": f"{canary}-notes",
        "e1": [{"basis": "administrative"}, {"place": f"{canary}-place"}, None],
        "e2": [{"decision": "expulsion"}, {"authority": "DISTRICT COURT (fictional)"}, True],
    }
    assert _disk_holds(data, canary.encode()) == []


def test_migrate_without_the_key_refuses_and_changes_nothing(tmp_path):
    data, canary = tmp_path / "data", f"OLDTEXT{secrets.token_hex(6)}"
    _old_database(data, canary)
    assert run_refuge(data, "vault", "init", "--passphrase", stdin=f"{PASSPHRASE}\n").returncode == 0
    done = run_refuge(data, "migrate", "--no-input", stdin="")
    assert done.returncode != 0
    assert "hold plaintext that this migration encrypts" in done.stderr
    done = run_refuge(data, "showmigrations", "cases")
    assert "[ ] 0008_encrypt_event_text_and_authority_notes" in done.stdout
    assert (data / "refuge.sqlite3").read_bytes().count(canary.encode()) > 0
