"""Server time of the dashboard, the case list and the case page, next to the raw SQL floor.

    python -m bench.pages --data-dir DIR [--database-url postgres://...] [--requests 200]

Server time is the time spent in Django's WSGI handler (`WSGIHandler.__call__`, reading the
whole response and closing it), called in-process: the full middleware stack, the session and
user lookups, the view, the template and, with CONN_MAX_AGE=0 (REFUGE_DB_CONN_MAX_AGE=0), opening and
closing the database connection, exactly as `refuge serve` (gunicorn) runs it, minus the socket.

The floor is the minimal SQL that fetches what the same page shows for the same request,
executed with the database cursor on an open connection and timed around execute + fetchall.

Each page is requested as a lawyer of the largest organisation (on the team of 50-200 cases, a
different lawyer and case or filter each time) and as that organisation's admin (who sees all its
cases). Requests of all pages are interleaved in a random order after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import SQLITE_FILE, add_database_arguments, machine_info, percentile, setup_django

PAGES = ("dashboard", "case_list", "case_detail")
PERSONAS = ("lawyer", "admin")
TARGET_MS = {"dashboard": 100.0, "case_list": 100.0, "case_detail": 50.0}
FLOOR_FACTOR = 3.0
LIST_SORTS = ("-updated", "updated", "reference", "-reference", "status", "-status")
NATIONALITIES = ("UZ", "TJ", "KP", "KG", "AF", "SY", "ER")
CSRF_SECRET = "b" * 32  # the posts' CSRF cookie and header (a bench's own, unmasked secret)
URGENT_DAYS = 7  # the dashboard's urgent panel: open deadlines due within a week


@dataclass
class Request:
    page: str
    persona: str
    user_id: int
    path: str
    query: dict[str, str]
    case_id: int | None = None  # the case page's case, for its floor
    form: dict[str, str] | None = None  # posted (with a CSRF token) instead of fetched
    headers: dict[str, str] = field(default_factory=dict)  # e.g. HX-Request


@dataclass
class Measured:
    server_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # the request thread's CPU time (robust to a busy machine)
    floor_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)


# --- who asks ----------------------------------------------------------------------------------


@dataclass
class World:
    """The largest organisation, its people and their cases, read once from the database."""

    org_id: int
    org_cases: list[tuple[int, str]]  # (id, code) of every case of the organisation
    lawyers: dict[int, list[tuple[int, str]]]  # lawyer id -> cases on their team
    admins: list[int]
    staff_codes: list[str]
    user_codes: dict[int, str]
    hosts: list[str]

    @classmethod
    def load(cls, rng: random.Random, max_lawyers: int) -> World:
        from django.db.models import Count  # noqa: PLC0415  # Django is set up by main()

        from refuge.accounts.models import Membership  # noqa: PLC0415
        from refuge.cases.models import Case, CaseMember  # noqa: PLC0415

        largest = Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
        if largest is None:
            raise SystemExit("bench.pages: the database has no cases; run python -m bench.generate first")
        org_id = largest["organisation_id"]
        members = list(Membership.objects.filter(organisation_id=org_id).values("user_id", "role", "user__code"))
        load = dict(
            CaseMember.objects.filter(user__membership_row__organisation_id=org_id, user__membership_row__role="lawyer")
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        candidates = sorted(u for u, n in load.items() if 50 <= n <= 200)
        if not candidates:
            raise SystemExit("bench.pages: no lawyer of the largest organisation is on 50-200 cases")
        chosen = sorted(rng.sample(candidates, min(max_lawyers, len(candidates))))
        lawyers: dict[int, list[tuple[int, str]]] = {u: [] for u in chosen}
        for user_id, case_id, code in CaseMember.objects.filter(user_id__in=chosen).values_list(
            "user_id", "case_id", "case__code"
        ):
            lawyers[user_id].append((case_id, str(code)))
        admins = sorted(m["user_id"] for m in members if m["role"] == "admin")
        if not admins:
            raise SystemExit("bench.pages: the largest organisation has no admin")
        org_cases = [(i, str(c)) for i, c in Case.objects.filter(organisation_id=org_id).values_list("id", "code")]
        hosts = sorted(set(Case.objects.filter(organisation_id=org_id).values_list("host_state", flat=True)[:1000]))
        return cls(
            org_id=org_id,
            org_cases=org_cases,
            lawyers=lawyers,
            admins=admins,
            staff_codes=[str(m["user__code"]) for m in members if m["role"] in ("lawyer", "caseworker")],
            user_codes={m["user_id"]: str(m["user__code"]) for m in members},
            hosts=hosts,
        )


# --- what is asked -----------------------------------------------------------------------------


def plan(world: World, rng: random.Random, page: str, persona: str, n: int) -> list[Request]:
    """n requests of one page as one persona, each with another user, case, page or filter."""
    from django.urls import reverse  # noqa: PLC0415  # Django is set up by main()

    out = []
    lawyer_ids = sorted(world.lawyers)
    for _ in range(n):
        user_id = rng.choice(lawyer_ids) if persona == "lawyer" else rng.choice(world.admins)
        visible = world.lawyers[user_id] if persona == "lawyer" else world.org_cases
        if page == "dashboard":
            out.append(Request(page, persona, user_id, reverse("dashboard"), {}))
        elif page == "case_detail":
            case_id, code = rng.choice(visible)
            out.append(Request(page, persona, user_id, reverse("case_detail", args=[code]), {}, case_id))
        else:
            out.append(Request(page, persona, user_id, reverse("case_list"), _list_query(world, rng, len(visible))))
    return out


def _list_query(world: World, rng: random.Random, visible: int) -> dict[str, str]:
    query: dict[str, str] = {}
    filtered = False
    if rng.random() < 0.35:
        query["status"] = rng.choice(("urgent", "open", "open", "dormant", "closed"))
        filtered = True
    if rng.random() < 0.15:
        query["nationality"] = rng.choice(NATIONALITIES)
        filtered = True
    if rng.random() < 0.05:
        query["host_state"] = rng.choice(world.hosts)
    if rng.random() < 0.10:
        query["member"] = rng.choice(world.staff_codes)
        filtered = True
    if rng.random() < 0.4:
        query["sort"] = rng.choice(LIST_SORTS[1:])
    pages = max(1, math.ceil(visible / 50))
    if not filtered and pages > 1 and rng.random() < 0.4:
        query["page"] = str(rng.randint(2, min(pages, 10)))
    return query


# --- the server side ---------------------------------------------------------------------------


class Server:
    """Django's WSGI handler with a logged-in session per user, called in-process."""

    def __init__(self) -> None:
        from django.conf import settings  # noqa: PLC0415  # Django is set up by main()
        from django.core.handlers.wsgi import WSGIHandler  # noqa: PLC0415
        from django.test import RequestFactory  # noqa: PLC0415

        self.handler = WSGIHandler()
        self.factory = RequestFactory(SERVER_NAME="localhost")
        self.cookie_name = settings.SESSION_COOKIE_NAME
        self.csrf_cookie_name = settings.CSRF_COOKIE_NAME
        self.sessions: dict[int, str] = {}

    def login(self, user_ids: list[int]) -> None:
        """A session per user, logged in as after the password and, where installed, a second factor."""
        from django.apps import apps  # noqa: PLC0415  # Django is set up by main()
        from django.test import Client  # noqa: PLC0415

        from refuge.accounts.models import User  # noqa: PLC0415

        for user in User.objects.filter(pk__in=user_ids):
            client = Client()
            client.force_login(user)
            if apps.is_installed("django_otp.plugins.otp_totp"):
                # Lawyers and admins must use a second factor: verify the session with a device,
                # as the code page does (django_otp.login), so pages are served, not the code page.
                from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415  # only with django-otp
                from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

                device, _new = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            self.sessions[user.pk] = client.cookies[self.cookie_name].value

    def get(self, request: Request) -> tuple[float, float, int, bytes]:
        """The page (GET), or the form posted with a CSRF token (`request.form`); (ms, CPU ms, status, body)."""
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()}
        cookie = f"{self.cookie_name}={self.sessions[request.user_id]}"
        if request.form is None:
            environ = self.factory.get(request.path, request.query, **headers).environ
        else:
            environ = self.factory.post(request.path, request.form, HTTP_X_CSRFTOKEN=CSRF_SECRET, **headers).environ
            cookie = f"{cookie}; {self.csrf_cookie_name}={CSRF_SECRET}"
        environ["HTTP_COOKIE"] = cookie
        status: list[str] = []

        def start_response(value: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(value)

        cpu = time.thread_time()
        started = time.perf_counter()
        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # request_finished: the connection closes here if CONN_MAX_AGE is 0
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu) * 1000
        return elapsed, cpu, int(status[0].split()[0]), body


# --- the floor ---------------------------------------------------------------------------------

CASE_COLUMNS = "c.id, c.code, c.reference, c.status, c.host_state, c.timezone, c.updated_at"
SORT_SQL = {
    "-updated": "c.updated_at DESC, c.id DESC",
    "updated": "c.updated_at, c.id",
    "reference": "c.reference",
    "-reference": "c.reference DESC",
    "status": "c.status DESC, c.updated_at DESC, c.id DESC",
    "-status": "c.status, c.updated_at DESC, c.id DESC",
}


class Floor:
    """The minimal SQL behind each page, on one open connection, timed around execute + fetchall.

    A query runs only if the page reads the table it fetches from (seen in the captured queries),
    so the floor keeps up with pages that do not show everything yet (e.g. the urgent panel).
    Joins are written to drive from the smallest set: a lawyer's cases from the team rows
    (`+c.organisation_id` keeps SQLite's planner from starting at the organisation's 70,000 cases;
    PostgreSQL reads it as the same integer).
    """

    def __init__(self, world: World, tables: dict[str, set[str]]) -> None:
        from django.db import connection  # noqa: PLC0415  # Django is set up by main()
        from django.utils import timezone  # noqa: PLC0415

        self.conn = connection
        self.world = world
        self.tables = tables  # page -> tables its captured queries read
        self.sqlite = connection.vendor == "sqlite"
        self.now = timezone.now()

    def _uuid(self, code: str) -> str:
        return code.replace("-", "") if self.sqlite else code

    def _dt(self, value: Any) -> Any:
        return self.conn.ops.adapt_datetimefield_value(value)

    def _scope(self, request: Request) -> tuple[str, str, list[Any]]:
        """Joins and conditions on `c` (cases_case) for the cases this user sees, and their parameters."""
        if request.persona == "admin":
            return "", "c.organisation_id = %s", [self.world.org_id]
        return (
            " JOIN cases_casemember tm ON tm.case_id = c.id",
            "tm.user_id = %s AND +c.organisation_id = %s",
            [request.user_id, self.world.org_id],
        )

    def queries(self, request: Request) -> list[Any]:
        """(table, sql, params) or (table, callable) items; the callable builds from the previous rows."""
        items: list[Any] = getattr(self, f"_{request.page}")(request)
        shown = self.tables.get(request.page, set())
        return [item for item in items if item[0] in shown]

    def run(self, request: Request) -> float:
        queries = self.queries(request)
        last: list[Any] = []
        with self.conn.cursor() as cursor:
            started = time.perf_counter()
            for item in queries:
                sql, params = item[1](last) if callable(item[1]) else item[1:]
                cursor.execute(sql, params)
                last = cursor.fetchall()
            return (time.perf_counter() - started) * 1000

    def _dashboard(self, request: Request) -> list[Any]:
        joins, where, params = self._scope(request)
        soon = self._dt(self.now + timedelta(days=URGENT_DAYS))
        deadlines = (
            "SELECT d.kind, d.due_at, d.due_date, d.timezone, d.severity, c.code, c.reference "  # noqa: S608  # constants; values are parameters
            f"FROM cases_deadline d JOIN cases_case c ON c.id = d.case_id{joins} WHERE {where} "
            "AND d.status = 'open' AND d.due_at <= %s ORDER BY d.due_at LIMIT 20"
        )
        conflicts = (
            "SELECT k.kind, k.severity, k.raised_at, c.code, c.reference "  # noqa: S608  # constants; values are parameters
            f"FROM cases_conflict k JOIN cases_case c ON c.id = k.case_id{joins} WHERE {where} "
            "AND k.severity_rank <= 1 AND c.status <> 'closed' ORDER BY k.severity_rank, k.raised_at LIMIT 20"
        )
        my_cases = (
            f"SELECT {CASE_COLUMNS}, p.nationality, p.stateless FROM cases_case c{joins} "  # noqa: S608  # constants; values are parameters
            f"LEFT JOIN cases_person p ON p.case_id = c.id WHERE {where} "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 12"
        )
        # As the page: the newest events among the 50 most recently updated cases (an event change
        # touches its case, so the newest events are there).
        latest = (
            "SELECT e.code, e.key, e.type, e.at, e.utc_offset_minutes, e.date_only, e.created_at, c.code, "  # noqa: S608  # constants; values are parameters
            "c.reference, c.timezone, u.username, u.first_name, u.last_name "
            "FROM cases_event e JOIN cases_case c ON c.id = e.case_id "
            "LEFT JOIN accounts_user u ON u.id = e.author_id "
            f"WHERE e.case_id IN (SELECT c.id FROM cases_case c{joins} WHERE {where} "
            "ORDER BY c.updated_at DESC, c.id DESC LIMIT 50) ORDER BY e.created_at DESC, e.id DESC LIMIT 15"
        )
        return [
            ("cases_deadline", deadlines, [*params, soon]),
            ("cases_conflict", conflicts, params),
            ("cases_case", my_cases, params),
            ("cases_event", latest, params),
        ]

    def _case_list(self, request: Request) -> list[Any]:
        joins, where, params = self._scope(request)
        q = request.query
        params = list(params)
        if q.get("status"):
            where += " AND c.status = %s"
            params.append(q["status"])
        if q.get("host_state"):
            where += " AND c.host_state = %s"
            params.append(q["host_state"])
        if q.get("nationality"):
            where += " AND p.nationality = %s"
            params.append(q["nationality"])
        if q.get("member"):
            where += (
                " AND c.id IN (SELECT m.case_id FROM cases_casemember m JOIN accounts_user mu ON mu.id = m.user_id"
                " WHERE mu.code = %s)"
            )
            params.append(self._uuid(q["member"]))
        offset = (int(q.get("page", "1")) - 1) * 50
        rows = (
            f"SELECT {CASE_COLUMNS}, p.nationality, p.stateless FROM cases_case c{joins} "  # noqa: S608  # constants; values are parameters
            f"LEFT JOIN cases_person p ON p.case_id = c.id WHERE {where} "
            f"ORDER BY {SORT_SQL[q.get('sort', '-updated')]} LIMIT 51 OFFSET {offset}"
        )

        def team(cases: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
            ids = [row[0] for row in cases[:50]] or [0]
            marks = ", ".join(["%s"] * len(ids))
            return (
                "SELECT m.case_id, u.code, u.username, u.first_name, u.last_name FROM cases_casemember m "  # noqa: S608  # constants; values are parameters
                f"JOIN accounts_user u ON u.id = m.user_id WHERE m.case_id IN ({marks}) ORDER BY u.username",
                ids,
            )

        people = (
            "SELECT u.code, u.username, u.first_name, u.last_name FROM accounts_membership ms "
            "JOIN accounts_user u ON u.id = ms.user_id WHERE ms.organisation_id = %s ORDER BY u.username"
        )
        return [
            ("cases_case", rows, params),
            ("cases_casemember", team),
            ("accounts_membership", people, [self.world.org_id]),
        ]

    def _case_detail(self, request: Request) -> list[Any]:
        case = [request.case_id]
        code = request.path.rstrip("/").rsplit("/", 1)[1]
        access = (
            "SELECT c.id, c.code, c.reference, c.status, c.host_state, c.timezone, c.timezone_explicit, "
            "c.created_at, c.updated_at, o.name FROM cases_case c JOIN accounts_organisation o "
            "ON o.id = c.organisation_id WHERE c.code = %s AND c.organisation_id = %s"
        )
        params: list[Any] = [self._uuid(code), self.world.org_id]
        if request.persona == "lawyer":
            access += " AND EXISTS (SELECT 1 FROM cases_casemember m WHERE m.case_id = c.id AND m.user_id = %s)"
            params.append(request.user_id)
        return [
            ("cases_case", access, params),
            (
                "cases_person",
                "SELECT nationality, stateless, languages, names, birth_date FROM cases_person WHERE case_id = %s",
                case,
            ),
            (
                "cases_event",
                "SELECT e.id, e.code, e.key, e.type, e.at, e.utc_offset_minutes, e.date_only, e.attributes, "
                "e.source, e.note, e.proceeding_id, u.username, u.first_name, u.last_name FROM cases_event e "
                "LEFT JOIN accounts_user u ON u.id = e.author_id WHERE e.case_id = %s ORDER BY e.at, e.id",
                case,
            ),
            (
                "cases_proceeding",
                "SELECT p.code, p.forum, p.reference_number, p.opened_on, p.is_active, a.name "
                "FROM cases_proceeding p LEFT JOIN cases_authority a ON a.id = p.authority_id "
                "WHERE p.case_id = %s ORDER BY p.opened_on, p.id",
                case,
            ),
            (
                "cases_casemember",
                "SELECT u.code, u.username, u.first_name, u.last_name FROM cases_casemember m "
                "JOIN accounts_user u ON u.id = m.user_id WHERE m.case_id = %s ORDER BY u.username",
                case,
            ),
            (
                "cases_document",
                "SELECT code, doc_type, title, date, language, filename, size FROM cases_document "
                "WHERE case_id = %s ORDER BY date DESC, uploaded_at DESC",
                case,
            ),
            (
                "cases_deadline",
                "SELECT kind, rule, trigger, due_date, due_at, timezone, status, met_by, severity, basis, "
                "safe_due_date, reminders FROM cases_deadline WHERE case_id = %s ORDER BY due_at, kind",
                case,
            ),
            (
                "cases_conflict",
                "SELECT kind, severity, events, basis, flags, notify, raised_at FROM cases_conflict "
                "WHERE case_id = %s ORDER BY severity_rank, raised_at",
                case,
            ),
        ]


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Query:
    sql: str
    params: Any
    ms: float


def _capture(server: Server, request: Request) -> list[Query]:
    """The page's queries with their own timings (a separate pass: the timed requests run bare)."""
    from django.db import connection  # noqa: PLC0415  # Django is set up by main()

    captured: list[Query] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append(Query(sql, params, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(timed):
        server.get(request)
    return captured


def _tables(queries: list[Query]) -> set[str]:
    return {word.strip('"`') for q in queries for word in q.sql.split() if word.strip('"`').startswith("cases_")} | {
        "accounts_membership"
        for q in queries
        if "accounts_membership" in q.sql and "organisation_id" in q.sql and "ORDER BY" in q.sql
    }


def _explain(queries: list[Query], top: int) -> list[str]:
    from django.db import connection  # noqa: PLC0415  # Django is set up by main()

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    lines = []
    for q in sorted(queries, key=lambda q: -q.ms)[:top]:
        lines.append(f"    {q.ms:.2f} ms  {q.sql[:600]}")
        try:
            with connection.cursor() as cursor:
                cursor.execute(prefix + q.sql, q.params)
                lines += [f"        {' '.join(str(c) for c in row)}" for row in cursor.fetchall()]
        except Exception as exc:  # a diagnostic: show why, keep going
            lines.append(f"        (no plan: {exc})")
    return lines


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection  # noqa: PLC0415  # Django is set up by main()

    rng = random.Random(args.seed)
    world = World.load(rng, args.lawyers)
    server = Server()
    server.login(sorted(world.lawyers) + world.admins)
    plans = {(p, who): plan(world, rng, p, who, args.requests) for p in PAGES for who in PERSONAS}
    warmup = [r for p in PAGES for who in PERSONAS for r in plan(world, rng, p, who, args.warmup)]
    for request in warmup:
        _elapsed, _cpu, status, _body = server.get(request)
        if status != 200:
            raise SystemExit(f"bench.pages: {request.path}?{request.query} answered {status} during warm-up")

    results = {key: Measured() for key in plans}
    order = [r for requests in plans.values() for r in requests]
    rng.shuffle(order)
    for request in order:
        elapsed, cpu, status, body = server.get(request)
        if status != 200:
            raise SystemExit(f"bench.pages: {request.path}?{request.query} answered {status}")
        m = results[request.page, request.persona]
        m.server_ms.append(elapsed)
        m.cpu_ms.append(cpu)
        m.bytes.append(len(body))

    explain: dict[str, list[str]] = {}
    tables: dict[str, set[str]] = {}
    for key, requests in plans.items():
        slowest: list[Query] = []
        for request in requests[: args.capture]:
            queries = _capture(server, request)
            results[key].queries.append(len(queries))
            results[key].sql_ms.append(sum(q.ms for q in queries))
            tables.setdefault(key[0], set()).update(_tables(queries))
            slowest = sorted([*slowest, *queries], key=lambda q: -q.ms)[: args.explain]
        if args.explain and slowest:
            explain[f"{key[0]} as {key[1]}"] = _explain(slowest, args.explain)

    floor = Floor(world, tables)
    for request in order:
        results[request.page, request.persona].floor_ms.append(floor.run(request))
    connection.close()

    lawyer_loads = sorted(len(v) for v in world.lawyers.values())
    return {
        "results": results,
        "baseline": _baseline(server, world, rng, args.requests),
        "conn_max_age": connection.settings_dict.get("CONN_MAX_AGE") or 0,
        "explain": explain,
        "lawyers": (len(lawyer_loads), lawyer_loads[0], lawyer_loads[-1]),
        "org_cases": len(world.org_cases),
    }


def _baseline(server: Server, world: World, rng: random.Random, n: int) -> dict[str, Measured]:
    """What every page pays before its own work: a 404 for a missing case, and opening a connection."""
    from django.db import connection  # noqa: PLC0415  # Django is set up by main()
    from django.urls import reverse  # noqa: PLC0415

    missing = Measured()
    for _ in range(n):
        user_id = rng.choice(sorted(world.lawyers))
        path = reverse("case_detail", args=[str(uuid.UUID(int=rng.getrandbits(128), version=4))])
        elapsed, cpu, status, _body = server.get(Request("missing", "lawyer", user_id, path, {}))
        if status != 404:
            raise SystemExit(f"bench.pages: a missing case answered {status}")
        missing.server_ms.append(elapsed)
        missing.cpu_ms.append(cpu)
    connect = Measured()
    for _ in range(n):
        cpu, started = time.thread_time(), time.perf_counter()
        connection.ensure_connection()  # with the settings' init_command (PRAGMAs)
        connection.close()
        connect.server_ms.append((time.perf_counter() - started) * 1000)
        connect.cpu_ms.append((time.thread_time() - cpu) * 1000)
    return {"missing": missing, "connect": connect}


def _median(values: list[float]) -> float:
    return percentile(values, 50) if values else math.nan


def _table(results: dict[tuple[str, str], Measured]) -> tuple[list[str], bool]:
    lines = [
        "| page | as | p50 ms | p95 ms | floor p50 ms | floor p95 ms | p95 / floor p95 | SQL in page ms | queries "
        "| CPU p95 ms | target | result |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    ok = True
    for (page, persona), m in results.items():
        p50, p95 = percentile(m.server_ms, 50), percentile(m.server_ms, 95)
        f50, f95 = percentile(m.floor_ms, 50), percentile(m.floor_ms, 95)
        ratio = p95 / f95 if f95 > 0 else math.inf
        target = TARGET_MS[page]
        misses = []
        if p95 > target:
            misses.append("target")
        if ratio > FLOOR_FACTOR:
            misses.append(f"{FLOOR_FACTOR:g}× floor")
        ok = ok and not misses
        result = "pass" if not misses else f"**miss** ({', '.join(misses)})"
        lines.append(
            f"| {page} | {persona} | {p50:.1f} | {p95:.1f} | {f50:.2f} | {f95:.2f} | {ratio:.1f}× "
            f"| {_median(m.sql_ms):.1f} | {_median([float(q) for q in m.queries]):.0f} "
            f"| {percentile(m.cpu_ms, 95):.1f} | ≤ {target:g} ms, ≤ {FLOOR_FACTOR:g}× floor | {result} |"
        )
    return lines, ok


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and persona (≥ 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page and persona first")
    parser.add_argument("--lawyers", type=int, default=40, help="how many lawyers take turns (default 40)")
    parser.add_argument("--capture", type=int, default=5, help="requests per page whose queries are counted")
    parser.add_argument("--explain", type=int, default=0, help="show the plans of the N slowest queries per page")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    if not args.database_url and not (args.data_dir / SQLITE_FILE).exists():
        parser.error(f"no database at {args.data_dir / SQLITE_FILE}; run python -m bench.generate first")
    setup_django(args.data_dir, args.database_url)

    from django.db import connection  # noqa: PLC0415  # after setup_django
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    from refuge.cases.models import Case, Event  # noqa: PLC0415

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise SystemExit("bench.pages: the database lacks migrations of this code; generate a new one")

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    n_cases, n_events = Case.objects.count(), Event.objects.count()
    connection.close()
    print(f"bench.pages: {n_cases:,} cases, {n_events:,} events on {connection.vendor} {version}", flush=True)
    load_before = _load()
    started = time.monotonic()
    out = run(args)
    load_after = _load()
    lines, ok = _table(out["results"])
    count, low, high = out["lawyers"]
    print()
    print(
        f"{args.requests} requests per row after {args.warmup} warm-up requests; lawyer = {count} lawyers "
        f"of the largest organisation taking turns, on {low}-{high} cases each; admin = its admin, who sees "
        f"all {out['org_cases']:,} of its cases. Server time: Django's WSGIHandler in-process. "
        f"Floor: the page's data by raw SQL on an open connection. SQL in page and queries: the median "
        f"of {args.capture} requests run again with every query timed. CPU: the request thread's CPU time."
    )
    print()
    print("\n".join(lines))
    print()
    missing, connect = out["baseline"]["missing"], out["baseline"]["connect"]
    print(
        "What every request pays before the page's own work: a 404 for a missing case as a lawyer "
        f"(the middleware, session, user, membership, one indexed query, a small template) takes p50 "
        f"{percentile(missing.server_ms, 50):.1f} ms, p95 {percentile(missing.server_ms, 95):.1f} ms "
        f"(CPU p50 {percentile(missing.cpu_ms, 50):.1f} ms); opening and closing a database connection "
        f"takes p50 {percentile(connect.server_ms, 50):.2f} ms, which "
        + (
            "every request pays (CONN_MAX_AGE is 0)."
            if out["conn_max_age"] == 0
            else f"a request pays only every {out['conn_max_age']} s (CONN_MAX_AGE)."
        )
    )
    print()
    for name, value in machine_info(connection.vendor, version):
        print(f"- {name}: {value}")
    print(
        f"- Load average (1, 5, 15 min): {load_before} before, {load_after} after ({time.monotonic() - started:.0f} s)"
    )
    for name, plan_lines in out["explain"].items():
        print(f"\n{name}: slowest queries")
        print("\n".join(plan_lines))
    if args.json:
        raw = {f"{p} as {who}": vars(m) for (p, who), m in out["results"].items()}
        args.json.write_text(json.dumps(raw) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
