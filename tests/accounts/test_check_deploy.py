"""`refuge check-deploy` with README's production environment passes; with a bad one it fails."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_environment() -> dict[str, str]:
    """The variables of the ```sh block under "## Production configuration" in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Production configuration", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "README's production configuration has no ```sh block"
    pairs = [line.split("=", 1) for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


@pytest.fixture
def production(tmp_path: Path) -> dict[str, str]:
    """README's environment, with its two paths moved under tmp_path (and the key file made)."""
    env = readme_environment()
    assert env["REFUGE_DATA_DIR"] == "/var/lib/refuge" and env["REFUGE_SECRET_KEY_FILE"] == "/etc/refuge/secret-key"
    env["REFUGE_DATA_DIR"] = str(tmp_path / "var-lib-refuge")
    key_file = tmp_path / "secret-key"
    key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
    key_file.chmod(0o600)
    env["REFUGE_SECRET_KEY_FILE"] = str(key_file)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only PATH from outside: nothing else of the test run's environment may help or hurt.
    return subprocess.run(  # our own interpreter and module
        [sys.executable, "-m", "refuge", "check-deploy"],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_documented_production_environment_passes(production):
    done = check_deploy(production)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "fit for production" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr and "ERROR" not in done.stdout + done.stderr
    assert done.stderr.strip() == ""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"REFUGE_DEBUG": "true"}, "refuge.E007"),
        ({"REFUGE_SECURE_COOKIES": "false"}, "refuge.E008"),
        ({"REFUGE_REQUIRE_2FA": "false"}, "refuge.E005"),
        ({"REFUGE_DEMO_NO_2FA": "true"}, "refuge.E006"),
        ({"REFUGE_SESSION_IDLE_SECONDS": "3600"}, "refuge.E003"),
        ({"REFUGE_SESSION_ABSOLUTE_SECONDS": "86400"}, "refuge.E003"),
        ({"REFUGE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"REFUGE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"REFUGE_BASE_URL": "http://refuge.example.org"}, "refuge.E010"),
        ({"REFUGE_BASE_URL": "https://127.0.0.1:8000"}, "refuge.E010"),
        ({"REFUGE_WEBHOOK_ALLOW_PRIVATE": "true"}, "refuge.W011"),
        ({"REFUGE_SMTP_HOST": "mail.example.org"}, "refuge.W012"),
        ({"REFUGE_TRUSTED_PROXY": ""}, "refuge.E020"),
    ],
)
def test_a_bad_environment_fails(production, change, expected):
    done = check_deploy({**production, **change})
    assert done.returncode != 0
    assert expected in done.stderr + done.stdout


def test_the_vaults_development_key_file_fails_it(production):
    data = Path(production["REFUGE_DATA_DIR"])
    data.mkdir(parents=True)
    (data / "vault-dev.key").write_text("not a real key\n", encoding="utf-8")
    done = check_deploy(production)
    assert done.returncode != 0
    assert "refuge.W101" in done.stderr


def test_debug_on_with_the_dev_key_fails_with_both(tmp_path):
    data = tmp_path / "deploy-data"
    data.mkdir()
    (data / "vault-dev.key").write_text("not a real key\n", encoding="utf-8")
    done = check_deploy({"REFUGE_DATA_DIR": str(data), "REFUGE_DEBUG": "true"})
    assert done.returncode != 0
    for check_id in ("refuge.E007", "refuge.W101", "security.W018"):
        assert check_id in done.stderr


def test_the_checks_see_a_weak_policy_and_a_wrong_hasher(settings):
    from refuge.accounts.checks import check_login_and_headers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert {m.id for m in check_login_and_headers()} == {"refuge.E008"}  # tests run without HTTPS cookies
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    directives = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "script-src": ["'self'", "'unsafe-inline'"]}
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    ids = {m.id for m in check_login_and_headers()}
    assert {"refuge.E001", "refuge.E002", "refuge.E009"} <= ids


def test_it_reports_whether_passkeys_are_required_and_still_passes(production):
    """Information, not a warning: a database not yet migrated has no organisation to require them."""
    done = check_deploy(production)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "check-deploy: passkeys for admins" in done.stdout


def test_the_passkey_report_counts_the_organisations(alice, carol):
    from refuge.accounts.checks import passkey_policy_counts

    organisation = alice.membership().organisation
    assert passkey_policy_counts() == (0, 2)
    organisation.passkeys_required = True
    organisation.save()
    assert passkey_policy_counts() == (1, 2)
