"""Every URL × every kind of user, for GET and (where it changes something) POST.

alice is on the case's team, bob is in the same organisation but not on the team, carol is in
another organisation, ana is an analyst and adam an admin of alice's organisation. Missing and
forbidden both answer 404; anonymous users are sent to the login page.

Analysts work on the statistics only (issue 14): ana's column is 404 on every page and API call
that lists or shows a case, an event, a person, a filing, an alert, the directory or the search,
and 200 on the statistics; her home page sends her to them.

The gate test fails when a named URL has no row here: a new page must say who may use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

USERS = ("anonymous", "alice", "bob", "carol", "ana", "adam")
LOGIN = "login"  # a redirect to the login page
STATS = "stats"  # a redirect to the statistics page (an analyst's home)
OK = "ok"  # 200, 302 (done) or 422 (form refused the empty input): anything but a refusal

# Expected answers, by user in USERS order.
READ = (LOGIN, 200, 404, 404, 404, 200)  # a case page: its team and admins (never analysts: statistics only)
WRITE_GET = (LOGIN, 200, 404, 404, 404, 200)  # a form that changes a case
WRITE_POST = (LOGIN, OK, 404, 404, 404, OK)
IDENTITY = (LOGIN, 200, 404, 404, 404, 200)  # documents: identity, so never analysts
MEMBER = (LOGIN, 200, 200, 200, 200, 200)  # pages of one's own organisation
CASE_READER = (LOGIN, 200, 200, 200, 404, 200)  # lists of one's organisation's cases and people: not analysts
CASE_READER_POST = (LOGIN, OK, OK, OK, 404, OK)
WRITER = (LOGIN, 200, 200, 200, 404, 200)  # organisation pages that change things (not analysts)
WRITER_POST = (LOGIN, OK, OK, OK, 404, OK)
GET_ONLY = (405, 405, 405, 405, 405, 405)
PUBLIC = (200, 200, 200, 200, 200, 200)
ADMIN_ONLY = (LOGIN, 404, 404, 404, 404, 200)
ADMIN_POST = (LOGIN, 404, 404, 404, 404, OK)


def _case(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["case"].code}


def _event(w: dict[str, Any]) -> dict[str, Any]:
    # e3 is referred to by nothing, so deleting it works.
    return {"code": w["case"].code, "event_code": w["case"].events.get(key="e3").code}


def _proceeding(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["case"].code, "proceeding_code": w["proceeding"].code}


def _document(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["case"].code, "document_code": w["document"].code}


def _authority(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["authority"].code}


def _filing(w: dict[str, Any]) -> dict[str, Any]:
    """A generated filing of alice's case (made once per test, before any request)."""
    if "filing" not in w:
        from refuge.filings.actions import store_filing

        w["filing"] = store_filing(
            case=w["case"],
            user=w["users"]["alice"],
            kind="rule39",
            lang="en",
            fmt="pdf",
            content=b"%PDF-1.4 fictional",
            filename="rule39.pdf",
            content_type="application/pdf",
            forum="echr",
        )
    return {"code": w["case"].code, "filing_code": w["filing"].code}


def _sending(w: dict[str, Any]) -> dict[str, Any]:
    """A sending with its proof, to the world's authority."""
    if "sending" not in w:
        from django.utils import timezone

        from refuge.filings.actions import record_sending

        w["sending"] = record_sending(
            case=w["case"],
            user=w["users"]["alice"],
            authority=w["authority"],
            channel="fax",
            sent_at=timezone.now(),
            proof=b"%PDF-1.4 fax report (fictional)",
            proof_filename="fax.pdf",
        )
    return {"code": w["case"].code, "sending_code": w["sending"].code}


def _none(w: dict[str, Any]) -> dict[str, Any]:
    return {}


def _passkey(w: dict[str, Any]) -> dict[str, Any]:
    """One of alice's passkeys (a row only: removing it needs no authenticator). Unconfirmed, so that
    her force_login session is not sent to the passkey step first: the door is what is tested here."""
    if "passkey" not in w:
        from refuge.accounts.models import Passkey

        w["passkey"] = Passkey.objects.create(
            user=w["users"]["alice"],
            name="blue key",
            credential_id=b"matrix-credential",
            public_key=b"cose",
            user_handle=b"handle",
            confirmed=False,
        )
    return {"code": w["passkey"].code}


def _alert(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["alert"].code}


def _ack_token(w: dict[str, Any]) -> dict[str, Any]:
    from refuge.alerts.links import ack_token

    return {"token": ack_token(w["alert"], w["users"]["alice"])}


def _feed(w: dict[str, Any]) -> dict[str, Any]:
    """One of alice's calendar feeds (made here, so every test meets a live one)."""
    from refuge.alerts.actions import create_feed

    feed, _ = create_feed(user=w["users"]["alice"], case=w["case"])
    return {"code": feed.code}


def _feed_token(w: dict[str, Any]) -> dict[str, Any]:
    from refuge.alerts.actions import create_feed

    _, token = create_feed(user=w["users"]["alice"], case=w["case"])
    return {"token": token}


def _release(w: dict[str, Any]) -> dict[str, Any]:
    """A released statistics cell of alice's organisation (made by adam, its admin)."""
    from refuge.stats.actions import release_cell

    adam = w["users"]["adam"]
    release = release_cell(
        user=adam,
        organisation=adam.membership().organisation,
        table="asylum",
        row="refugee_status.granted",
        period="all",
        group="*",
        reason="fictional review",
    )
    return {"code": release.code}


def _bob(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["users"]["bob"].code}


def _api_token(w: dict[str, Any]) -> dict[str, Any]:
    """One of alice's API tokens (only she may revoke it)."""
    from refuge.api.tokens import create_token

    token, _ = create_token(user=w["users"]["alice"], name="matrix", scopes=["read"], days=1)
    return {"code": token.code}


# name: (kwargs, expected GET, expected POST)
MATRIX: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], tuple[Any, ...], tuple[Any, ...]]] = {
    "login": (_none, PUBLIC, PUBLIC),
    "logout": (_none, (405,) * 6, (302,) * 6),
    "vault_unseal": (_none, PUBLIC, PUBLIC),  # unsealed already: the page says so, to anyone
    # Sealing stops every organisation: operators only (adam is an admin, and carol's organisation exists).
    "vault_seal": (_none, (405,) * 6, (LOGIN, 404, 404, 404, 404, 404)),
    "dashboard": (_none, (LOGIN, 200, 200, 200, STATS, 200), GET_ONLY),
    "case_list": (_none, CASE_READER, GET_ONLY),
    "case_new": (_none, WRITER, WRITER_POST),
    "case_detail": (_case, READ, GET_ONLY),
    "event_add": (_case, WRITE_GET, WRITE_POST),
    "event_fields": (_case, WRITE_GET, GET_ONLY),
    "event_edit": (_event, WRITE_GET, WRITE_POST),
    "event_delete": (_event, WRITE_GET, WRITE_POST),
    "person_edit": (_case, WRITE_GET, WRITE_POST),
    "proceeding_add": (_case, WRITE_GET, WRITE_POST),
    "proceeding_edit": (_proceeding, WRITE_GET, WRITE_POST),
    "proceeding_delete": (_proceeding, WRITE_GET, WRITE_POST),
    "case_team": (_case, READ, WRITE_POST),
    "case_export": (_case, (LOGIN, 200, 404, 404, 404, 200), GET_ONLY),  # identity: never analysts
    "case_delete": (_case, (LOGIN, 404, 404, 404, 404, OK), (LOGIN, 404, 404, 404, 404, OK)),  # admins only
    "document_upload": (_case, WRITE_GET, WRITE_POST),
    "document_download": (_document, IDENTITY, GET_ONLY),
    # The directory holds no client, but its notes are free text about cases: not for analysts.
    "authority_list": (_none, CASE_READER, GET_ONLY),
    "authority_new": (_none, WRITER, WRITER_POST),
    # carol's organisation has no such authority; ana neither reads nor edits it.
    "authority_edit": (_authority, (LOGIN, 200, 200, 404, 404, 200), (LOGIN, OK, OK, 404, 404, OK)),
    # Filings carry the client's name: the team and admins only, never analysts.
    "filing_new": (_case, WRITE_GET, WRITE_POST),
    "filing_generate": (_case, GET_ONLY, WRITE_POST),
    "filing_detail": (_filing, WRITE_GET, GET_ONLY),
    "filing_download": (_filing, IDENTITY, GET_ONLY),
    "filing_send": (_filing, WRITE_GET, WRITE_POST),
    "sending_add": (_case, WRITE_GET, WRITE_POST),
    "sending_proof": (_sending, IDENTITY, GET_ONLY),
    # The audit log: the organisation's admins only.
    "audit_log": (_none, (LOGIN, 404, 404, 404, 404, 200), GET_ONLY),
    # Search lists only what each user may open; analysts have none. The intake's check: writers.
    "search": (_none, CASE_READER, GET_ONLY),
    "search_possible_matches": (_none, (405,) * 6, WRITER_POST),
    # Login steps: with no password typed first, the code page sends everyone back to log in.
    "two_factor": (_none, (LOGIN,) * 6, (LOGIN,) * 6),
    "two_factor_enrol": (_none, (LOGIN, 200, 200, 200, 200, 200), (LOGIN, OK, OK, OK, OK, OK)),
    "reauth": (_none, (LOGIN, 200, 200, 200, 200, 200), (LOGIN, OK, OK, OK, OK, OK)),
    # One's own account. "Log out everywhere" ends the asker's session too: to the login page.
    "account": (_none, MEMBER, (405,) * 6),
    "account_end_sessions": (_none, (405,) * 6, (LOGIN,) * 6),
    "account_language": (_none, (405,) * 6, (LOGIN, OK, OK, OK, OK, OK)),
    "password_change": (_none, MEMBER, (LOGIN, OK, OK, OK, OK, OK)),
    "recovery_codes_new": (_none, (405,) * 6, (LOGIN, OK, OK, OK, OK, OK)),
    # One's own passkeys: anyone adds one (after re-authentication); only its owner removes it.
    "passkey_add": (_none, (LOGIN, 200, 200, 200, 200, 200), (LOGIN, OK, OK, OK, OK, OK)),
    "passkey_remove": (_passkey, (405,) * 6, (LOGIN, OK, 404, 404, 404, 404)),
    # The organisation's passkey policy: its admins only.
    "organisation_passkeys": (_none, (405,) * 6, ADMIN_POST),
    # The organisation's users: its admins only (bob is the user acted on).
    "user_list": (_none, ADMIN_ONLY, (405,) * 6),
    "user_detail": (_bob, ADMIN_ONLY, (405,) * 6),
    "user_end_sessions": (_bob, (405,) * 6, ADMIN_POST),
    "user_disable": (_bob, (405,) * 6, ADMIN_POST),
    "user_enable": (_bob, (405,) * 6, ADMIN_POST),
    "user_unlock": (_bob, (405,) * 6, ADMIN_POST),
    "user_reset_2fa": (_bob, (405,) * 6, ADMIN_POST),
    "organisation_lock_down": (_none, (405,) * 6, ADMIN_POST),  # her own organisation, no other
    # Alerts: one's own list; an alert of alice's case is read like the case, and acknowledged by
    # those it was sent to or who change the case (never an analyst). The e-mail link is its own key.
    "alert_list": (_none, CASE_READER, GET_ONLY),
    "alerts_read": (_none, (405,) * 6, CASE_READER_POST),
    "alert_detail": (_alert, READ, GET_ONLY),
    "alert_ack": (_alert, (405,) * 6, (LOGIN, OK, 404, 404, 404, OK)),
    "alert_ack_link": (_ack_token, PUBLIC, PUBLIC),
    # One's own alert settings (every member); the on-call rota and escalation time: admins only.
    "alert_settings": (_none, MEMBER, (LOGIN, OK, OK, OK, OK, OK)),
    "webhook_key_replace": (_none, (405,) * 6, (LOGIN, OK, OK, OK, OK, OK)),
    "oncall_rota": (_none, ADMIN_ONLY, GET_ONLY),
    "oncall_shift": (_none, (405,) * 6, ADMIN_POST),
    "escalation_policy": (_none, (405,) * 6, ADMIN_POST),
    # Calendar feeds: never for analysts; a case's feed is made by those who see the case; a feed is
    # revoked by its owner only. The feed's URL is its own key: alice's feed answers anyone, session or not.
    "feed_create": (_none, (405,) * 6, WRITER_POST),
    "case_feed_create": (_case, (405,) * 6, (LOGIN, OK, 404, 404, 404, OK)),
    "feed_revoke": (_feed, (405,) * 6, (LOGIN, OK, 404, 404, 404, 404)),
    "calendar_feed": (_feed_token, PUBLIC, GET_ONLY),
    # Statistics: every member sees their own organisation's controlled tables (carol her own, ana
    # too: they are what her role is for; no person and no cell below the threshold is on them);
    # releases and the threshold: admins.
    "stats_page": (_none, MEMBER, GET_ONLY),
    "stats_json": (_none, MEMBER, GET_ONLY),
    "stats_csv": (_none, MEMBER, GET_ONLY),
    "stats_pdf": (_none, MEMBER, GET_ONLY),
    "stats_releases": (_none, ADMIN_ONLY, ADMIN_POST),
    "stats_release_withdraw": (_release, (405,) * 6, ADMIN_POST),
    # The API's documentation is public (as its OpenAPI document); tokens are one's own.
    "api_docs": (_none, PUBLIC, GET_ONLY),
    "api_token_create": (_none, MEMBER, (LOGIN, OK, OK, OK, OK, OK)),
    "api_token_revoke": (_api_token, (405,) * 6, (LOGIN, OK, 404, 404, 404, 404)),
}



@pytest.fixture
def world(case, alice, bob, carol, ana, adam):  # noqa: PLR0917  # one per user
    from refuge.alerts.queue import raise_alert
    from refuge.cases.actions import store_document
    from refuge.cases.models import Authority, Proceeding

    authority = Authority.objects.create(organisation=case.organisation, name="Court (fictional)", kind="court")
    proceeding = Proceeding.objects.create(case=case, forum="domestic_court", authority=authority)
    document = store_document(
        case=case,
        user=alice,
        content=b"%PDF-1.4 fictional",
        filename="d.pdf",
        doc_type="decision",
        title="Decision",
        date=None,
        language="",
        events=[],
    )
    alert = raise_alert(
        organisation=case.organisation,
        case=case,
        kind="conflict_raised",
        severity="critical",
        subject=f"{case.reference}: Conflict (fictional)",
        recipients=[alice],
    )
    return {
        "case": case,
        "alert": alert,
        "proceeding": proceeding,
        "document": document,
        "authority": authority,
        "users": {"alice": alice, "bob": bob, "carol": carol, "ana": ana, "adam": adam},
    }


def _client(world: dict[str, Any], who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(world["users"][who])
    return client


def _check(response: Any, expected: Any, where: str) -> None:
    status = response.status_code
    if expected == LOGIN:
        assert status == 302, f"{where}: {status}, expected a redirect to login"
        assert response["Location"].startswith(reverse("login")), f"{where}: redirected to {response['Location']}"
    elif expected == STATS:
        assert status == 302, f"{where}: {status}, expected a redirect to the statistics"
        assert response["Location"] == reverse("stats_page"), f"{where}: redirected to {response['Location']}"
    elif expected == OK:
        assert status in (200, 302, 422), f"{where}: {status}, expected it to be allowed"
        if status == 302:
            assert not response["Location"].startswith(reverse("login")), f"{where}: sent to login"
    else:
        assert status == expected, f"{where}: {status}, expected {expected}"


def _answer(world: dict[str, Any], who: str, method: str, url: str) -> Any:
    """One request, rolled back afterwards so that every user meets the same case."""
    client = _client(world, who)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, {})
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("name", list(MATRIX))
def test_access(world, name: str) -> None:
    """Each user's GET and POST of the URL answer as the matrix says (all mismatches reported)."""
    kwargs, get_expected, post_expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs(world))
    failures = []
    for method, expected in (("GET", get_expected), ("POST", post_expected)):
        for who, want in zip(USERS, expected, strict=True):
            try:
                _check(_answer(world, who, method, url), want, f"{method} {name} as {who}")
            except AssertionError as exc:
                failures.append(str(exc))
    assert not failures, "\n".join(failures)


def test_refused_posts_change_nothing(world) -> None:
    """bob, carol and ana POST real data to every write URL of alice's case: nothing changes."""
    case = world["case"]
    e3 = case.events.get(key="e3")
    before = (case.events.count(), case.proceedings.count(), case.documents.count(), case.members.count())
    for who in ("bob", "carol", "ana"):
        client = _client(world, who)
        for name in ("event_delete", "proceeding_delete"):
            assert client.post(reverse(name, kwargs=MATRIX[name][0](world))).status_code == 404
        data = {"new-type": "released", "new-date": "2026-03-09"}
        assert client.post(reverse("event_add", args=[case.code]), data).status_code == 404
        team = {"members": [str(world["users"][who].code)]}
        assert client.post(reverse("case_team", args=[case.code]), team).status_code == 404
    case.refresh_from_db()
    after = (case.events.count(), case.proceedings.count(), case.documents.count(), case.members.count())
    assert after == before
    assert case.events.filter(pk=e3.pk).exists()


def _names(patterns: list[Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= _names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


def test_every_named_url_is_in_the_matrix() -> None:
    names = _names(get_resolver().url_patterns)
    assert "case_detail" in names  # the walk found the pages
    assert "api:case_list" in names  # and the API's routes
    api_names = {n for n in names if n.startswith("api:")}
    missing = sorted((names - api_names - set(MATRIX)) | {n for n in api_names if n[4:] not in API_MATRIX})
    assert not missing, f"URLs with no row in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"rows for URLs that no longer exist: {stale}"


# Secret tokens stand in for a login on these URLs (a signed e-mail link, a calendar feed).
TOKEN_URLS = {"alert_ack_link": "<str:token>", "calendar_feed": "<str:token>"}


def test_every_case_url_carries_a_uuid_code() -> None:
    for p in get_resolver().url_patterns:
        for name, pattern in _patterns(p):
            route = str(pattern)
            if name in TOKEN_URLS:
                assert route.count("<") == 1 and TOKEN_URLS[name] in route, f"{name}: {route}"
            elif "<" in route:
                # uuidstr: django-ninja's converter for a UUID path parameter.
                uuid_only = re.fullmatch(r"([^<]*<(uuid|uuidstr):[a-z_]+>)*[^<]*", route)
                assert uuid_only, f"{name}: {route} has a non-UUID parameter"


def _patterns(p: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(p, URLResolver):
        return [item for sub in p.url_patterns for item in _patterns(sub, prefix + str(p.pattern))]
    return [(p.name or "?", prefix + str(p.pattern))]


REFUGE = Path(__file__).resolve().parents[1] / "refuge"
FORBIDDEN = re.compile(r"\bCase\.objects\.get\s*\(|get_object_or_404\(\s*Case\b")


def test_no_module_reads_a_case_behind_the_access_door() -> None:
    """Views and the API get cases only through refuge/cases/access.py (STYLE.md §3)."""
    scanned = []
    offenders = []
    for path in sorted(REFUGE.rglob("*.py")):
        rel = path.relative_to(REFUGE).as_posix()
        # Migrations and operator commands (no user, no request) are outside the door's remit.
        if "/migrations/" in rel or "/management/commands/" in rel:
            continue
        scanned.append(rel)
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{rel}:{lineno}: {line.strip()}")
    assert "cases/views/pages.py" in scanned
    assert not offenders, "Case.objects.get outside access.py:\n" + "\n".join(offenders)


def test_the_forbidden_pattern_catches_what_it_should() -> None:
    assert FORBIDDEN.search("case = Case.objects.get(code=code)")
    assert FORBIDDEN.search("get_object_or_404(Case, code=code)")
    assert not FORBIDDEN.search("access.get_case_for_user(request.user, code)")


# --- The JSON API: every operation × every user, each with a token of every scope --------------------

CREATED = "created"  # 200, 201 or 204: done
REFUSED_OK = "allowed"  # done, or 422 (the body was refused on its merits, past the door)
API_READ = (401, 200, 404, 404, 404, 200)  # a case: its team and admins (analysts: statistics only)
API_WRITE = (401, CREATED, 404, 404, 404, CREATED)
API_IDENTITY = (401, 200, 404, 404, 404, 200)  # filings and exports: never analysts
API_MEMBER = (401, 200, 200, 200, 200, 200)
API_CASE_READER = (401, 200, 200, 200, 404, 200)  # lists of cases and alerts: not analysts
API_WRITER = (401, CREATED, CREATED, CREATED, 404, CREATED)  # a new case in one's own organisation
API_PUBLIC = (200,) * 6

CASEFILE = {
    "format": "refuge.case/1",
    "reference": "API-MATRIX-1",
    "host_state": "RU",
    "person": {"nationality": "UZ", "stateless": False, "languages": ["uz"]},
    "events": [{"id": "e1", "type": "detention_started", "at": "2026-03-02", "basis": "administrative"}],
}


def _api_case(w: dict[str, Any]) -> str:
    return f"/cases/{w['case'].code}"


def _api_event(w: dict[str, Any]) -> str:
    return f"/cases/{w['case'].code}/events/{w['case'].events.get(key='e3').code}"


def _api_filing(w: dict[str, Any]) -> str:
    return f"/cases/{w['case'].code}/filings/{_filing(w)['filing_code']}"


ApiRow = tuple[str, Callable[[dict[str, Any]], str], Any, tuple[Any, ...]]

# operationId: (method, path under /api/v1, JSON body, expected answer by user in USERS order)
API_MATRIX: dict[str, ApiRow] = {
    "openapi-json": ("get", lambda w: "/openapi.json", None, API_PUBLIC),
    "api-root": ("get", lambda w: "/", None, (404,) * 6),  # ninja's root: only names the prefix
    "case_list": ("get", lambda w: "/cases", None, API_CASE_READER),
    "case_create": ("post", lambda w: "/cases", {"reference": "API-MATRIX-2", "host_state": "RU"}, API_WRITER),
    "case_import": ("post", lambda w: "/cases/import", CASEFILE, API_WRITER),
    "case_detail": ("get", _api_case, None, API_READ),
    "case_export": ("get", lambda w: _api_case(w) + "/export", None, API_IDENTITY),
    "person_detail": ("get", lambda w: _api_case(w) + "/person", None, API_READ),
    "event_list": ("get", lambda w: _api_case(w) + "/events", None, API_READ),
    "event_add": ("post", lambda w: _api_case(w) + "/events", {"type": "released", "at": "2026-03-09"}, API_WRITE),
    "event_detail": ("get", _api_event, None, API_READ),
    "event_edit": (
        "put",
        _api_event,
        {"at": "2026-03-03T17:00:00+03:00", "attributes": {"decision_event": "e2"}},
        API_WRITE,
    ),
    "event_delete": ("delete", _api_event, None, API_WRITE),
    "deadline_list": ("get", lambda w: _api_case(w) + "/deadlines", None, API_READ),
    "conflict_list": ("get", lambda w: _api_case(w) + "/conflicts", None, API_READ),
    "forum_list": ("get", lambda w: _api_case(w) + "/forums", None, API_READ),
    "check": ("post", lambda w: "/check?today=2026-03-05", CASEFILE, API_MEMBER),
    "filing_list": ("get", lambda w: _api_case(w) + "/filings", None, API_IDENTITY),
    # A letter with no addressee: refused on its merits (422) once past the door.
    "filing_generate": (
        "post",
        lambda w: _api_case(w) + "/filings",
        {"kind": "notify-authority", "lang": "en", "contact_name": "Duty lawyer", "contact_phone": "+7 000"},
        (401, REFUSED_OK, 404, 404, 404, REFUSED_OK),
    ),
    "filing_detail": ("get", _api_filing, None, API_IDENTITY),
    "filing_download": ("get", lambda w: _api_filing(w) + "/download", None, API_IDENTITY),
    "alert_list": ("get", lambda w: "/alerts", None, API_CASE_READER),
    "alert_detail": ("get", lambda w: f"/alerts/{w['alert'].code}", None, API_READ),
    "alert_acknowledge": ("post", lambda w: f"/alerts/{w['alert'].code}/acknowledge", {}, API_WRITE),
    "stats_tables": ("get", lambda w: "/stats?period=years", None, API_MEMBER),
}


def _api_check(status: int, expected: Any, where: str) -> None:
    if expected == CREATED:
        assert status in (200, 201, 204), f"{where}: {status}, expected it done"
    elif expected == REFUSED_OK:
        assert status in (200, 201, 204, 422), f"{where}: {status}, expected it allowed"
    else:
        assert status == expected, f"{where}: {status}, expected {expected}"


@pytest.mark.parametrize("operation", list(API_MATRIX))
def test_api_access(world, operation: str) -> None:
    """Each user's token (every scope) gets the answer the matrix says; the anonymous caller 401."""
    import json

    from refuge.api.tokens import create_token

    method, path, body, expected = API_MATRIX[operation]
    url = "/api/v1" + path(world)
    failures = []
    for who, want in zip(USERS, expected, strict=True):
        headers = {}
        if who != "anonymous":
            _, secret = create_token(user=world["users"][who], name="m", scopes=["read", "write", "identity"], days=1)
            headers["Authorization"] = f"Bearer {secret}"
        call = getattr(Client(), method)
        with transaction.atomic():
            if body is None:
                response = call(url, headers=headers)
            else:
                response = call(url, json.dumps(body), content_type="application/json", headers=headers)
            transaction.set_rollback(True)
        try:
            _api_check(response.status_code, want, f"{method.upper()} {operation} as {who}")
        except AssertionError as exc:
            failures.append(f"{exc}: {response.content[:200]!r}")
    assert not failures, "\n".join(failures)


def test_every_api_operation_is_in_the_matrix() -> None:
    """The gate for the API: an operation of the OpenAPI document without a row fails here."""
    from refuge.api.main import api

    schema = api.get_openapi_schema(path_params={})
    operations = {
        op["operationId"]: (method, path) for path, ops in schema["paths"].items() for method, op in ops.items()
    }
    assert "case_list" in operations
    missing = sorted(set(operations) - set(API_MATRIX))
    assert not missing, f"API operations with no row in the access matrix: {missing}"
    stale = sorted(set(API_MATRIX) - set(operations) - {"openapi-json", "api-root"})
    assert not stale, f"rows for API operations that no longer exist: {stale}"
    wrong = sorted(op for op, (method, _) in operations.items() if API_MATRIX[op][0] != method)
    assert not wrong, f"rows with the wrong method: {wrong}"
