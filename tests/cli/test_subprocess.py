"""The installed `refuge` command in a child process, with its own REFUGE_DATA_DIR (SQLite)."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import events_by_id, row_counts, run_refuge

ORG = "Round Trip Clinic (fictional)"
PASSWORD = "a long passphrase nobody guesses 7"


@pytest.fixture
def data_dir(tmp_path):
    """A migrated database with one organisation and one lawyer."""
    path = tmp_path / "data"
    done = run_refuge(path, "migrate", "--no-input")
    assert done.returncode == 0, done.stderr
    assert run_refuge(path, "vault", "init", "--dev").returncode == 0
    done = run_refuge(
        path,
        "createuser", "rita", "--organisation", ORG, "--role", "lawyer", "--create-organisation", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return path


def test_examples_round_trip_through_the_real_command(examples_dir, data_dir, tmp_path):
    files = sorted(examples_dir.glob("*.case.json"))
    done = run_refuge(data_dir, "import", *map(str, files), "--organisation", ORG, "--user", "rita")
    assert done.returncode == 0, done.stderr
    codes = dict(line.split()[::-1] for line in done.stdout.splitlines())
    assert len(codes) == len(files)
    for path in files:
        original = json.loads(path.read_text(encoding="utf-8"))
        done = run_refuge(data_dir, "export", codes[original["reference"]])
        assert done.returncode == 0, done.stderr
        exported = json.loads(done.stdout)
        assert events_by_id(exported) == events_by_id(original), path.name
        assert ("timezone" in exported) == ("timezone" in original), path.name
    # -o writes the same document to a file.
    target = tmp_path / "out.case.json"
    done = run_refuge(data_dir, "export", codes[original["reference"]], "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == exported


def test_a_broken_file_exits_2_naming_the_path_and_changes_nothing(examples_dir, broken_file, data_dir):
    good = sorted(examples_dir.glob("*.case.json"))[0]
    before = row_counts(data_dir)
    done = run_refuge(data_dir, "import", str(good), str(broken_file), "--organisation", ORG)
    assert done.returncode == 2
    assert "$.events[1].at" in done.stderr
    assert broken_file.name in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert row_counts(data_dir) == before


def test_createuser_rejects_a_weak_password(data_dir):
    done = run_refuge(
        data_dir, "createuser", "weak", "--organisation", ORG, "--role", "caseworker", "--password-stdin",
        stdin="password\n",
    )  # fmt: skip
    assert done.returncode == 1
    assert "too common" in done.stderr


def test_a_command_on_a_database_without_tables_says_to_migrate_not_a_traceback(tmp_path, examples_dir):
    empty = tmp_path / "new-data"
    for args in (("audit", "verify"), ("import", str(next(examples_dir.glob("*.case.json"))), "--organisation", ORG)):
        done = run_refuge(empty, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert "run `refuge migrate` first" in done.stderr, args
        assert "Traceback" not in done.stderr, args


def test_a_database_error_on_a_migrated_database_is_not_called_a_missing_migration(data_dir):
    import sqlite3

    with sqlite3.connect(data_dir / "refuge.sqlite3") as db:  # a broken table, migrations all applied
        db.execute("DROP TABLE audit_audithead")
    done = run_refuge(data_dir, "audit", "verify")
    assert done.returncode != 0
    assert "refuge migrate" not in done.stderr
    assert "audit_audithead" in done.stderr
