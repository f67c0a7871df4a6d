"""`refuge createuser`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from refuge.accounts.models import Membership, Organisation, User

STRONG = "a long passphrase nobody guesses 7"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def createuser(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("createuser", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str, *, tty: bool = False) -> None:
        monkeypatch.setattr("sys.stdin", Terminal(text) if tty else io.StringIO(text))

    return feed


def test_it_creates_a_lawyer_with_the_password_from_stdin(org, stdin):
    stdin(STRONG + "\n")
    createuser("nina", organisation=org.name, role="lawyer", password_stdin=True)
    user = User.objects.get(username="nina")
    assert user.check_password(STRONG)
    assert user.membership_row.organisation == org
    assert user.membership_row.role == "lawyer"


def test_it_rejects_a_weak_password(org, stdin):
    stdin("password\n")
    with pytest.raises(CommandError, match="too common"):
        createuser("nina", organisation=org.name, role="lawyer", password_stdin=True)
    assert not User.objects.filter(username="nina").exists()


def test_it_rejects_a_password_like_the_username(org, stdin):
    stdin("ninabalakireva\n")
    with pytest.raises(CommandError, match="too similar"):
        createuser("ninabalakireva", organisation=org.name, role="lawyer", password_stdin=True)


def test_it_refuses_an_unknown_organisation_unless_asked_to_create_it(db, stdin):
    stdin(STRONG + "\n")
    with pytest.raises(CommandError, match="--create-organisation"):
        createuser("nina", organisation="New Clinic (fictional)", role="admin", password_stdin=True)
    assert not Organisation.objects.exists()
    stdin(STRONG + "\n")
    createuser(
        "nina", organisation="New Clinic (fictional)", role="admin", password_stdin=True, create_organisation=True
    )
    assert Membership.objects.get(user__username="nina").organisation.name == "New Clinic (fictional)"


def test_it_refuses_an_existing_username(org, alice, stdin):
    stdin(STRONG + "\n")
    with pytest.raises(CommandError, match="already exists"):
        createuser("Alice", organisation=org.name, role="lawyer", password_stdin=True)


def test_it_refuses_an_unknown_role(org):
    with pytest.raises(CommandError, match="invalid choice"):
        createuser("nina", organisation=org.name, role="judge", password_stdin=True)


def test_it_prompts_twice_on_a_terminal(org, stdin, monkeypatch):
    stdin("", tty=True)
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    createuser("nina", organisation=org.name, role="caseworker")
    assert User.objects.get(username="nina").check_password(STRONG)


def test_it_refuses_two_different_passwords(org, stdin, monkeypatch):
    stdin("", tty=True)
    answers = iter([STRONG, STRONG + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        createuser("nina", organisation=org.name, role="caseworker")
    assert not User.objects.filter(username="nina").exists()


def test_it_will_not_prompt_without_a_terminal(org, stdin):
    stdin(STRONG + "\n")
    with pytest.raises(CommandError, match="--password-stdin"):
        createuser("nina", organisation=org.name, role="caseworker")
