"""Load test: real users, logged in with password and second factor, on `refuge serve`.

    python -m bench.load --data-dir DIR --users 50 --workers 2 --duration 60
    python -m bench.load --data-dir DIR --users 50 --workers 2 --duration 60 --saturate

A database made by `python -m bench.generate` (SQLite in DIR, or `--database-url` for
PostgreSQL) is served by `refuge serve --workers N` started here (or `--url` of one already
running on the same database). Before the run, each of the chosen users — lawyers and
caseworkers of the largest organisation, on 50-200 cases each — is given a TOTP authenticator
with a secret made for this run (replacing that user's previous one). Each simulated user then
logs in through the pages as a person does (the login form, then the code page with the code of
the moment) and loops over a mixed workload with a think time between requests:

    60 % a case page of one of the user's cases      15 % the case list (a page, filter or sort)
    10 % the dashboard                                 5 % a search for a name or a reference
     5 % adding an event (the form, then its POST)     5 % the alerts page

Every answer other than the expected one (200, or the timeline after an added event) is an error,
a redirect to the login page included. After a warm-up (not counted), the run lasts --duration
seconds and prints, per page, p50/p95/p99 of the wall time seen by the client, errors, the
requests per second, the server's CPU time per request (its processes' user + system time over
the run, divided by the requests) and the load average. `--saturate` drops the think time: each
user sends its next request as soon as the last one is answered, which measures the most
requests per second the server gives.

The client is one Python process with a thread per user (`requests` sessions); on a machine
shared with the server its own CPU time is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import add_database_arguments, machine_info, percentile, setup_django
from bench.generate import BENCH_PASSWORD, CA_FAMILY, CA_GIVEN

MIX = (
    ("case_page", 60),
    ("case_list", 15),
    ("dashboard", 10),
    ("search", 5),
    ("event_add", 5),
    ("alerts", 5),
)
# Pages as reported: the event's form and its POST are two requests of one action.
PAGES = ("case_page", "case_list", "dashboard", "search", "event_form", "event_add", "alerts")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEVICE_NAME = "authenticator app"  # refuge.accounts.twofactor.TOTP_NAME: the device a login offers


@dataclass
class Person:
    username: str
    role: str
    cases: list[str]  # codes of the cases on the user's team
    key_hex: str = ""  # the TOTP secret made for this run


@dataclass
class ListWorld:
    """What bench.pages' list filters draw from (its World's hosts and staff codes)."""

    hosts: list[str] = field(default_factory=list)
    staff_codes: list[str] = field(default_factory=list)


LIST_WORLD = ListWorld()


@dataclass
class Sample:
    page: str
    started: float
    seconds: float
    status: int
    ok: bool


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, why: str = "") -> None:
        with self.lock:
            self.samples.append(sample)
            if not sample.ok:
                self.errors[f"{sample.page}: {why or sample.status}"] += 1


# --- the users ----------------------------------------------------------------------------------


def choose_people(rng: random.Random, n: int) -> tuple[list[Person], list[str]]:
    """n lawyers and caseworkers of the largest organisation on 50-200 cases each, with their cases."""
    from django.db.models import Count  # noqa: PLC0415  # Django is set up by main()

    from refuge.accounts.models import Membership  # noqa: PLC0415
    from refuge.cases.models import Case, CaseMember  # noqa: PLC0415

    largest = Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    if largest is None:
        raise SystemExit("bench.load: the database has no cases; run python -m bench.generate first")
    org_id = largest["organisation_id"]
    roles = dict(
        Membership.objects.filter(organisation_id=org_id, role__in=("lawyer", "caseworker")).values_list(
            "user_id", "role"
        )
    )
    load = dict(
        CaseMember.objects.filter(user_id__in=roles)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    candidates = sorted(u for u, k in load.items() if 50 <= k <= 200)
    if len(candidates) < n:
        raise SystemExit(f"bench.load: only {len(candidates)} users on 50-200 cases; ask for fewer --users")
    chosen = sorted(rng.sample(candidates, n))
    cases: dict[int, list[str]] = {u: [] for u in chosen}
    for user_id, code in CaseMember.objects.filter(user_id__in=chosen).values_list("user_id", "case__code"):
        cases[user_id].append(str(code))
    from refuge.accounts.models import User  # noqa: PLC0415

    names = dict(User.objects.filter(pk__in=chosen).values_list("pk", "username"))
    people = [Person(names[u], roles[u], sorted(cases[u])) for u in chosen]
    org_cases = Case.objects.filter(organisation_id=org_id)
    references = list(org_cases.values_list("reference", flat=True)[:2000])
    # The list's filters, as bench.pages draws them: host states and the organisation's staff.
    LIST_WORLD.hosts = sorted(set(org_cases.values_list("host_state", flat=True)[:1000]))
    LIST_WORLD.staff_codes = [str(c) for c in User.objects.filter(pk__in=roles).values_list("code", flat=True)]
    return people, references


def give_authenticators(people: list[Person]) -> None:
    """A confirmed TOTP device with a fresh secret for each user (what enrolment leaves behind)."""
    from django.db import transaction  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice, default_key  # noqa: PLC0415

    from refuge.accounts.models import LoginThrottle, User  # noqa: PLC0415

    with transaction.atomic():
        for person in people:
            user = User.objects.get(username=person.username)
            TOTPDevice.objects.filter(user=user).delete()
            person.key_hex = default_key()
            TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=person.key_hex, confirmed=True)
        LoginThrottle.objects.all().delete()  # earlier runs' failures, if any, slow no login here


def totp_now(key_hex: str) -> str:
    from django_otp.oath import totp  # noqa: PLC0415  # Django is set up by main()

    return f"{totp(bytes.fromhex(key_hex)):06d}"


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    refuge = shutil.which("refuge", path=str(Path(sys.executable).parent)) or "refuge"
    env = dict(os.environ)
    env["REFUGE_DATA_DIR"] = str(args.data_dir.resolve())
    env.pop("REFUGE_DEBUG", None)
    if args.database_url:
        env["REFUGE_DATABASE_URL"] = args.database_url
    command = [refuge, "serve", "--port", str(port), "--workers", str(args.workers), "--threads", str(args.threads)]
    log = (args.data_dir / "bench-load-server.log").open("ab")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)  # noqa: S603
    import requests  # noqa: PLC0415  # only the client needs it

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench.load: refuge serve exited with {server.returncode}; see {log.name}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit("bench.load: refuge serve did not answer within 120 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _children(pid: int) -> list[int]:
    out = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (a gunicorn master and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- one user -----------------------------------------------------------------------------------


class User:
    def __init__(self, person: Person, base: str, rng: random.Random, references: list[str]) -> None:
        import requests  # noqa: PLC0415

        self.person = person
        self.base = base
        self.rng = rng
        self.references = references
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "en"

    def _csrf(self, html: str) -> str:
        found = CSRF_RE.search(html)
        if not found:
            raise RuntimeError("no CSRF token on the page")
        return found.group(1)

    def login(self) -> None:
        s, base = self.session, self.base
        page = s.get(f"{base}/accounts/login/", timeout=60)
        answer = s.post(
            f"{base}/accounts/login/",
            data={
                "username": self.person.username,
                "password": BENCH_PASSWORD,
                "csrfmiddlewaretoken": self._csrf(page.text),
            },
            headers={"Referer": f"{base}/accounts/login/"},
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302 or not answer.headers.get("Location", "").endswith("/accounts/code/"):
            raise SystemExit(f"bench.load: the password step answered {answer.status_code} for {self.person.username}")
        code_page = s.get(f"{base}/accounts/code/", timeout=60)
        answer = s.post(
            f"{base}/accounts/code/",
            data={"code": totp_now(self.person.key_hex), "csrfmiddlewaretoken": self._csrf(code_page.text)},
            headers={"Referer": f"{base}/accounts/code/"},
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise SystemExit(f"bench.load: the code step answered {answer.status_code} for {self.person.username}")
        check = s.get(f"{base}/", allow_redirects=False, timeout=60)
        if check.status_code != 200:
            raise SystemExit(f"bench.load: after logging in, the dashboard answered {check.status_code}")

    def _get(self, run: Run | None, page: str, path: str, **kwargs: Any) -> str:
        started = time.perf_counter()
        why = ""
        try:
            answer = self.session.get(f"{self.base}{path}", allow_redirects=False, timeout=60, **kwargs)
            status, text = answer.status_code, answer.text
        except Exception as exc:  # a failed request is an error of the run, whatever it is
            status, text, why = 0, "", type(exc).__name__
        if run is not None:
            run.add(Sample(page, started, time.perf_counter() - started, status, status == 200), why)
        return text if status == 200 else ""

    def act(self, run: Run | None, action: str) -> None:
        rng, person = self.rng, self.person
        if action == "case_page":
            self._get(run, "case_page", f"/cases/{rng.choice(person.cases)}/")
        elif action == "case_list":
            from bench.pages import _list_query  # noqa: PLC0415  # the same filters as bench.pages

            query = _list_query(LIST_WORLD, rng, len(person.cases))  # type: ignore[arg-type]  # hosts, staff_codes
            self._get(run, "case_list", "/cases/", params=query)
        elif action == "dashboard":
            self._get(run, "dashboard", "/")
        elif action == "alerts":
            self._get(run, "alerts", "/alerts/")
        elif action == "search":
            if rng.random() < 0.5:
                query = rng.choice(self.references)
            else:
                given, family = rng.choice(CA_GIVEN), rng.choice(CA_FAMILY)
                query = f"{family[0]}ov {given[0]}"
            self._get(run, "search", "/search/", params={"q": query})
        else:
            self.add_event(run)

    def add_event(self, run: Run | None) -> None:
        case = self.rng.choice(self.person.cases)
        path = f"/cases/{case}/events/new/"
        form = self._get(run, "event_form", path, headers={"HX-Request": "true"})
        if not form:
            return
        token = self.session.cookies.get("refuge-csrf") or self._csrf(form)
        started = time.perf_counter()
        why = ""
        try:
            answer = self.session.post(
                f"{self.base}{path}",
                data={
                    "new-type": "lawyer_access_denied",
                    "new-date": date.today().isoformat(),  # noqa: DTZ011  # the server's day is the case's here
                    "new-time": "",
                    "new-offset": "",
                    "new-source": "",
                    "new-note": "",
                },
                headers={"HX-Request": "true", "X-CSRFToken": token, "Referer": f"{self.base}{path}"},
                allow_redirects=False,
                timeout=60,
            )
            status = answer.status_code
            ok = status == 200 and 'id="timeline"' in answer.text
            if status == 200 and not ok:
                why = "form answered with errors"
        except Exception as exc:  # as in _get
            status, ok, why = 0, False, type(exc).__name__
        if run is not None:
            run.add(Sample("event_add", started, time.perf_counter() - started, status, ok), why)


def pick(rng: random.Random) -> str:
    roll = rng.uniform(0, 100)
    for action, weight in MIX:
        roll -= weight
        if roll < 0:
            return action
    return MIX[0][0]


def user_loop(user: User, run: Run, warm_until: float, end: float, think: tuple[float, float]) -> None:
    # First, during the warm-up, a search: each server process builds its organisation's name index
    # on its first search (seconds of decryption), which the measured requests should not include.
    user.act(None, "search")
    while True:
        now = time.monotonic()
        if now >= end:
            return
        user.act(run if now >= warm_until else None, pick(user.rng))
        if think[1] > 0:
            time.sleep(user.rng.uniform(*think))


# --- the report ---------------------------------------------------------------------------------


def report(run: Run, args: argparse.Namespace, extra: dict[str, Any]) -> dict[str, Any]:
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for s in run.samples:
        by_page[s.page].append(s)
    rows = []
    for page in (*PAGES, "all"):
        samples = run.samples if page == "all" else by_page.get(page, [])
        if not samples:
            continue
        ms = [s.seconds * 1000 for s in samples]
        rows.append(
            {
                "page": page,
                "n": len(samples),
                "errors": sum(1 for s in samples if not s.ok),
                "p50": percentile(ms, 50),
                "p95": percentile(ms, 95),
                "p99": percentile(ms, 99),
                "rate": len(samples) / args.duration,
            }
        )
    print()
    mode = "saturation (no think time)" if args.saturate else f"think time {args.think[0]}-{args.think[1]} s"
    print(
        f"bench.load: {args.users} users, {args.workers} worker process(es) x {args.threads} threads, "
        f"{args.duration:.0f} s after {args.warmup:.0f} s of warm-up, {mode}"
    )
    print()
    print("| page | requests | errors | p50 ms | p95 ms | p99 ms | req/s |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        name = f"**{r['page']}**" if r["page"] == "all" else r["page"]
        figures = f"{r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['rate']:.1f}"
        print(f"| {name} | {r['n']} | {r['errors']} | {figures} |")
    print()
    for key, value in extra.items():
        print(f"- {key}: {value}")
    if run.errors:
        print("- errors by page and status: " + ", ".join(f"{k} x{v}" for k, v in sorted(run.errors.items())))
    return {"rows": rows, "errors": dict(run.errors), **extra}


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--users", type=int, default=50, help="simulated users, each logged in (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="refuge serve --workers (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="refuge serve --threads (default 8)")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (default 60)")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds of load before measuring (default 30)")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"), help="think time in seconds"
    )
    parser.add_argument("--saturate", action="store_true", help="no think time: the most requests per second")
    parser.add_argument("--url", default=None, help="a running refuge serve on this database (else one is started)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.saturate:
        args.think = (0.0, 0.0)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django(args.data_dir, args.database_url)
    from django.db import connection  # noqa: PLC0415

    rng = random.Random(args.seed)
    people, references = choose_people(rng, args.users)
    give_authenticators(people)
    vendor = connection.vendor
    version = connection.Database.sqlite_version if vendor == "sqlite" else str(connection.pg_version)
    connection.close()

    server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        port = free_port()
        server = start_server(args, port)
        base = f"http://127.0.0.1:{port}"
    try:
        users = [User(p, base, random.Random(rng.random()), references) for p in people]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:  # as people arrive: a few at a time
            list(pool.map(lambda u: u.login(), users))
        print(f"bench.load: {len(users)} users logged in (password and TOTP) in {time.monotonic() - started:.1f} s")
        pids = _children(server.pid) if server else []
        run = Run()
        now = time.monotonic()
        warm_until, end = now + args.warmup, now + args.warmup + args.duration
        threads = [
            threading.Thread(target=user_loop, args=(u, run, warm_until, end, tuple(args.think)), daemon=True)
            for u in users
        ]
        for t in threads:
            t.start()
        time.sleep(max(0.0, warm_until - time.monotonic()))
        load_before = os.getloadavg()
        cpu_before, client_before = cpu_seconds(pids), time.process_time()
        loads = []
        while time.monotonic() < end:
            time.sleep(min(5.0, max(0.0, end - time.monotonic())))
            loads.append(os.getloadavg()[0])
        cpu_server = cpu_seconds(pids) - cpu_before
        cpu_client = time.process_time() - client_before
        for t in threads:
            t.join(timeout=120)
        load_after = os.getloadavg()
    finally:
        if server is not None:
            stop_server(server)
    counted = len(run.samples)
    extra: dict[str, Any] = {
        "database": f"{vendor} {version}",
        "load average (1 min) during the run": (
            f"{min(loads):.1f}-{max(loads):.1f}; before {load_before[0]:.1f}, after {load_after[0]:.1f}"
            if loads
            else f"{load_before[0]:.1f}"
        ),
        "server CPU per request": f"{cpu_server * 1000 / counted:.1f} ms" if server and counted else "not measured",
        "server CPU use": f"{cpu_server / args.duration:.2f} cores" if server else "not measured",
        "client CPU use": f"{cpu_client / args.duration:.2f} cores",
    }
    extra.update(machine_info(vendor, version))
    figures = report(run, args, extra)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
