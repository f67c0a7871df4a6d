"""Every URL that takes a POST refuses one without its CSRF token, with a wrong one, or from
another origin; and no GET of any URL, by anyone, writes to the database."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.accounts.conftest import enrol_device, password_step
from tests.test_access_matrix import API_MATRIX, MATRIX, USERS, world  # noqa: F401  # world is a fixture

FOREIGN = "https://evil.example"


def _url_names(patterns: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _url_names(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
        elif isinstance(p, URLPattern) and p.name:
            found.append((prefix + p.name, str(p.pattern)))
    return found


def _url(world: dict[str, Any], name: str, route: str) -> str:  # noqa: F811  # the fixture's value
    if name.startswith("api:"):  # the API's routes: a session writes with the CSRF token too
        return "/api/v1" + API_MATRIX[name.removeprefix("api:")][1](world)
    if name in MATRIX:
        return reverse(name, kwargs=MATRIX[name][0](world))
    assert "<" not in route, f"{name} takes parameters and has no row in the access matrix"
    return reverse(name)


def _writer(user: Any, device: Any, *, enforce: bool = True) -> Client:
    """A logged-in client of a user who may write everywhere, its session verified by django-otp."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(enforce_csrf_checks=enforce)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _token(client: Client) -> str:
    """The client's CSRF secret, as a page with a form hands it out."""
    assert client.get(reverse("account")).status_code == 200
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _post(client: Client, url: str, data: dict[str, str], **headers: str) -> Any:
    from refuge.vault import state

    with transaction.atomic():
        response = client.post(url, data, **headers)
        transaction.set_rollback(True)
    if state.is_sealed():  # the seal button worked: open again for the next URL
        state.unseal_with_dev_key()
    return response


def test_every_post_needs_the_token_and_our_origin(world):  # noqa: F811  # the fixture
    adam = world["users"]["adam"]
    device, _ = enrol_device(adam)
    accepting, failures = [], []
    for name, route in _url_names(get_resolver().url_patterns):
        url = _url(world, name, route)
        # With the right token and no foreign origin: does the URL take a POST at all?
        client = _writer(adam, device)
        token = _token(client)
        allowed = _post(client, url, {"csrfmiddlewaretoken": token})
        if allowed.status_code == 403:
            failures.append(f"{name}: refused even with the right token")
            continue
        if allowed.status_code == 405:
            continue
        accepting.append(name)
        attempts = {
            "no token": ({}, {}),
            "a wrong token": ({"csrfmiddlewaretoken": secrets.token_urlsafe(24)[:32]}, {}),
            "a wrong header token": ({}, {"HTTP_X_CSRFTOKEN": secrets.token_urlsafe(24)[:32]}),
            "a foreign origin": ({"csrfmiddlewaretoken": token}, {"HTTP_ORIGIN": FOREIGN}),
        }
        for what, (data, headers) in attempts.items():
            client = _writer(adam, device)
            _token(client)
            response = _post(client, url, data, **headers)
            if response.status_code != 403 or b"CSRF" not in response.content:
                failures.append(f"{name}: POST with {what} answered {response.status_code}")
    assert not failures, "\n".join(failures)
    # The walk found the forms: case, event, proceeding, document, authority, account and user actions.
    for name in ("login", "logout", "case_new", "event_add", "person_edit", "document_upload", "authority_new",
                 "vault_seal", "account_end_sessions", "user_disable", "reauth", "two_factor"):  # fmt: skip
        assert name in accepting, f"{name} was not found taking a POST"


def test_the_login_form_itself_needs_the_token(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403


# --- no GET writes ------------------------------------------------------------------------------


# Reading identity appends to the audit log by design (DESIGN.md, Audit): there a GET may add
# rows, never change or remove one.
APPEND_ONLY = ("audit_auditevent",)
# Each audit chain's head (its last seq and hash) moves with every append.
GET_BOOKKEEPING_TABLES = ("audit_audithead",)
# Token bookkeeping: fetching a calendar feed (GET /feeds/<token>.ics, no session) notes when its
# secret URL was last used, at most hourly, so that its owner can tell a feed in use from a
# forgotten or leaked one (refuge/alerts/feeds.py). That column alone may change on a GET.
GET_BOOKKEEPING = {"alerts_feedtoken": {"last_used_at"}}


def _rows() -> dict[str, list[str]]:
    """Every table's rows, but the session table's (a GET moves a session's idle clock)."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "django_session":
                continue
            quoted = connection.ops.quote_name(table)
            columns = "*"
            if table in GET_BOOKKEEPING:
                described = connection.introspection.get_table_description(cursor, table)
                kept = [c.name for c in described if c.name not in GET_BOOKKEEPING[table]]
                columns = ", ".join(connection.ops.quote_name(c) for c in kept)
            cursor.execute(f"SELECT {columns} FROM {quoted}")  # noqa: S608  # names from the database itself
            tables[table] = sorted(repr(row) for row in cursor.fetchall())
    return tables


def _written(before: list[str], after: list[str], table: str) -> bool:
    if table in GET_BOOKKEEPING_TABLES:
        return False
    if table.startswith(APPEND_ONLY):
        return not set(before) <= set(after)
    return before != after


def _snapshot() -> dict[str, str]:
    return {
        table: f"{len(rows)}:{hashlib.sha256(''.join(rows).encode()).hexdigest()}" for table, rows in _rows().items()
    }


def _clients(world: dict[str, Any]) -> dict[str, Client]:  # noqa: F811  # the fixture's value
    from django_otp import DEVICE_ID_SESSION_KEY

    clients = {"anonymous": Client()}
    for who in USERS[1:]:
        user = world["users"][who]
        client = Client()
        client.force_login(user)
        if who in ("alice", "carol", "adam"):  # lawyers and admins: verified by their device
            device, _ = enrol_device(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        clients[who] = client
    half = Client()
    assert password_step(half, "carol")["Location"] == reverse("two_factor")  # half-way in
    clients["half-way"] = half
    return clients


@pytest.mark.django_db(transaction=False)
def test_no_get_writes_to_the_database(world):  # noqa: F811  # the fixture
    clients = _clients(world)
    urls = [_url(world, name, route) for name, route in _url_names(get_resolver().url_patterns)]
    before = _rows()
    assert len(before["cases_case"]) == 1  # the snapshot sees the data
    statuses = set()
    for url in urls:
        for client in clients.values():
            statuses.add(client.get(url).status_code)
    after = _rows()
    changed = sorted(table for table in before if _written(before[table], after[table], table))
    assert not changed, f"GET requests wrote to {changed}"
    assert {200, 302, 404, 405} <= statuses


def test_the_snapshot_sees_a_write(world):  # noqa: F811  # the fixture
    before = _snapshot()
    world["case"].events.get(key="e3").delete()
    assert _snapshot()["cases_event"] != before["cases_event"]
