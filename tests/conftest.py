"""Shared fixtures: the three users of every permission path (STYLE.md §11), plus an analyst and an admin.

alice  — lawyer, on the case's team
bob    — caseworker in the same organisation, not on the team
carol  — lawyer in another organisation
ana    — analyst in alice's organisation (facts, no identity)
adam   — admin of alice's organisation
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation


def _examples_dir() -> Path:
    """The shared examples: $REFUGE_EXAMPLES_DIR, else ../shared/examples beside the checkout."""
    if os.environ.get("REFUGE_EXAMPLES_DIR"):
        return Path(os.environ["REFUGE_EXAMPLES_DIR"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "examples"
        if candidate.is_dir():
            return candidate
    workplace = Path("/work/shared/examples")  # where this project's machines keep them
    if workplace.is_dir():
        return workplace
    return Path(__file__).resolve().parents[2] / "shared" / "examples"


EXAMPLES_DIR = _examples_dir()
PASSWORD = "correct horse battery staple 42"
IN_CI = bool(os.environ.get("CI"))


def _postgres_reachable() -> str | None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    host, port = db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as exc:
        return f"PostgreSQL at {host}:{port} is not reachable ({exc.strerror or exc})"


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = settings.DATABASES["default"]
    vendor = "postgresql" if db["ENGINE"].endswith("postgresql") else "sqlite"
    where = (
        f"{db.get('HOST') or 'socket'}:{db.get('PORT') or ''}/{db.get('NAME')}" if vendor == "postgresql" else "file"
    )
    chromium = "present" if Path("/usr/bin/chromium").exists() else "missing"
    return [f"refuge: database {vendor} ({where}); chromium {chromium}; CI={'yes' if IN_CI else 'no'}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problem = _postgres_reachable()
    if problem is None:
        return
    if IN_CI:
        raise pytest.UsageError(f"{problem}; CI must run the PostgreSQL tests")
    skip = pytest.mark.skip(reason=problem)
    for item in items:
        if "django_db" in item.keywords or {"db", "transactional_db", "client", "live_server"} & set(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    # No name index built in a thread after each test's unseal (tests/search/test_background_build.py does it).
    settings.REFUGE_SEARCH_BUILD_AT_UNSEAL = False


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """Argon2 costs 0.4–1.4 s a hash here, and most tests make several users: MD5 stands in.

    Tests about password hashing set PASSWORD_HASHERS themselves (tests/accounts). Users that a
    server in another process checks are made by that process's own commands, with the real hashers.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_language_left_over() -> Iterator[None]:
    """A request by a user who reads Russian or Korean activates it in the thread; the next test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _login_hardening_off(settings, monkeypatch) -> None:
    """Tests that are not about login log in with `client.force_login` (or `client.login`).

    force_login makes a session that django-otp has not verified, and `client.login` passes no
    request to throttle: so lawyers and admins would be sent to the code page, and
    client.login would fail. Off here (and, through the environment, in the subprocesses a test
    starts); tests/accounts and tests/browser turn both back on. Added by accounts (login, sessions).
    """
    settings.REFUGE_REQUIRE_2FA = False
    monkeypatch.setenv("REFUGE_REQUIRE_2FA", "false")


@pytest.fixture(autouse=True)
def _dev_vault(request, settings, tmp_path: Path) -> None:
    """Each test starts as a fresh process; one that uses the database gets a dev-key vault of its own.

    tests/vault overrides this fixture: its tests make the vault they test.
    """
    from refuge.vault import keys, state

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir(exist_ok=True)
    state.reset_for_tests()
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif names & {"db", "client", "admin_client"} or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    keys.init_vault(keys.new_root_key(source="dev"))


@pytest.fixture
def org(db):
    from refuge.accounts.models import Organisation

    return Organisation.objects.create(name="Northern Legal Aid (fictional)")


@pytest.fixture
def other_org(db):
    from refuge.accounts.models import Organisation

    return Organisation.objects.create(name="Southern Rights Clinic (fictional)")


def _user(username: str, organisation, role: str):
    from refuge.accounts.models import Membership, User

    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username.title())
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def alice(org):
    return _user("alice", org, "lawyer")


@pytest.fixture
def bob(org):
    return _user("bob", org, "caseworker")


@pytest.fixture
def carol(other_org):
    return _user("carol", other_org, "lawyer")


@pytest.fixture
def ana(org):
    return _user("ana", org, "analyst")


@pytest.fixture
def adam(org):
    return _user("adam", org, "admin")


@pytest.fixture
def case(org, alice):
    """A fictional urgent case on alice's team: detained, expulsion ordered, decision received."""
    from refuge.cases.actions import create_case

    return create_case(
        organisation=org,
        user=alice,
        reference="TST-2026-001",
        host_state="RU",
        timezone="Europe/Moscow",
        person={
            "nationality": "KP",
            "stateless": False,
            "languages": ["ko"],
            "names": [{"value": "Testov Fiktiv", "script": "Latn"}, {"value": "Тестов Фиктив", "script": "Cyrl"}],
            "birth_date": date(1980, 1, 1).isoformat(),
        },
        events=[
            {"id": "e1", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00", "basis": "administrative"},
            {
                "id": "e2",
                "type": "decision_issued",
                "at": "2026-03-03T15:00:00+03:00",
                "decision": "expulsion",
                "detention": "foreigners_centre",
                "authority": "District court (fictional)",
            },
            {"id": "e3", "type": "decision_received", "at": "2026-03-03T16:00:00+03:00", "decision_event": "e2"},
        ],
    )


@pytest.fixture
def examples_dir() -> Path:
    if not EXAMPLES_DIR.is_dir():
        pytest.skip(f"the shared examples are not at {EXAMPLES_DIR}")
    return EXAMPLES_DIR


def login(client, user) -> None:
    client.force_login(user)
