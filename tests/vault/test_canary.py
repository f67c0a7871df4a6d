"""The canary test: 1,000 people with unique names in Latin, Cyrillic and Hangul go in, the app is used
(pages, search, an export), and not one name can be found on disk afterwards — in the SQLite file, its
WAL, the data directory, the server's logs or the temporary directory — in UTF-8 or UTF-16.

It runs the real `refuge` commands and server in child processes over a real SQLite file, because the
suite's own database lives in memory.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.cli.helpers import REPO, refuge_argv, refuge_env
from tests.cli.test_serve import fetch, free_port

PEOPLE = 1000
LATIN = "bcdfghjklmnpqrstvwxz"
CYRILLIC = "бвгдзклмнпрстфхцчшщж"
PASSWORD = "canary tests passphrase 4471"


def _digits(n: int, alphabet: str, width: int = 3) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, len(alphabet))
        out += alphabet[r]
    return out


def canaries(i: int) -> tuple[str, str, str]:
    """Three names no text could hold by chance: one per script, unique per person."""
    hangul = "".join(chr(0xAC00 + (i * 7 + k * 331) % 11172) for k in range(3))
    return f"Kanarqa{_digits(i, LATIN)}", f"Канарщ{_digits(i, CYRILLIC)}", f"카나리{hangul}"


def _encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


# Every canary starts with one of these, so a file that holds none of them holds no canary (nor any
# part of one that keeps its first letters): three searches a file instead of one per name.
PREFIXES = ("Kanarqa", "Канарщ", "카나리")


def _scan(paths: list[Path], needles: list[str], prefixes: tuple[str, ...] = ()) -> list[str]:
    """Where each needle is found. With `prefixes` (one of which starts every needle), a file is searched
    for its needles only if it holds a prefix, or any part of one that keeps its first letters."""
    first = [b for p in prefixes for b in _encodings(p)]
    hits = []
    for path in paths:
        data = path.read_bytes()
        if first and not any(b in data for b in first):
            continue
        found = [n for n in needles if any(b in data for b in _encodings(n))]
        if first and not found:
            found = ["a canary's first letters"]
        hits.extend(f"{path.name}: {n!r}" for n in found)
    return hits


def _files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


class Browser:
    """A logged-in HTTP client with cookies and Django's CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        token = next(c.value for c in self.jar if "csrf" in c.name)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310  # loopback
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@pytest.mark.slow
def test_no_canary_name_reaches_the_disk(tmp_path: Path) -> None:
    data, inbox, tmp = tmp_path / "data", tmp_path / "inbox", tmp_path / "tmp"
    inbox.mkdir()
    tmp.mkdir()
    names = []
    files = []
    for i in range(PEOPLE):
        latin, cyrillic, hangul = canaries(i)
        names += [latin, cyrillic, hangul]
        case = {
            "format": "refuge.case/1",
            "reference": f"CAN-{i:04d}",
            "host_state": "RU",
            "person": {
                "nationality": "KP",
                "stateless": False,
                "languages": ["ko"],
                "names": [
                    {"value": f"{latin} Sun", "script": "Latn"},
                    {"value": f"{cyrillic} Сун", "script": "Cyrl"},
                    {"value": hangul, "script": "Hang"},
                ],
                "birth_date": "1970-01-01",
            },
            "events": [
                {"id": "e1", "type": "decision_issued", "at": "2026-11-20T10:00:00+03:00", "decision": "expulsion"},
                {"id": "e2", "type": "decision_received", "at": "2026-11-20", "decision_event": "e1"},
            ],
        }
        path = inbox / f"{i:04d}.case.json"
        path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))

    env_extra = {"TMPDIR": str(tmp)}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**refuge_env(data), **env_extra}
        return subprocess.run(  # noqa: S603  # our own command
            refuge_argv(*args), input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=900, check=False
        )

    logs: list[str] = []
    for args, stdin in (
        (("migrate", "--no-input"), None),
        (("vault", "init", "--dev"), None),
        (
            (
                "createuser",
                "canary",
                "--organisation",
                "Canary Org",
                "--create-organisation",
                "--role",
                "caseworker",
                "--password-stdin",
            ),
            PASSWORD + "\n",
        ),
        (("import", *files, "--organisation", "Canary Org", "--user", "canary"), None),
    ):
        done = run(*args, stdin=stdin)
        assert done.returncode == 0, (args[0], done.stderr[-2000:])
        logs += [done.stdout, done.stderr]

    port = free_port()
    log_file = tmp_path / "server.log"
    with log_file.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603  # our own command
            refuge_argv("serve", "--port", str(port), "--workers", "2", "--threads", "2"),
            env={**refuge_env(data), **env_extra},
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            fetch(base + "/accounts/login/", time.monotonic() + 60)
            browser = Browser(base)
            browser.get("/accounts/login/")
            status, page = browser.post("/accounts/login/", {"username": "canary", "password": PASSWORD})
            assert status == 200 and "Log out" in page, page[:500]
            status, listing = browser.get("/cases/")
            assert status == 200
            codes = re.findall(r'href="/cases/([0-9a-f-]{36})/"', listing)
            assert codes, "the case list shows the imported cases"
            for code in codes[:20]:
                status, case_page = browser.get(f"/cases/{code}/")
                assert status == 200
                assert "Kanarqa" in case_page, "the page does show the client's name to his team"
            for i in (0, 1, 499, 998):
                latin, cyrillic, hangul = canaries(i)
                for query in (latin, cyrillic, hangul):
                    status, results = browser.get("/search/?" + urllib.parse.urlencode({"q": query}))
                    assert status == 200
                    assert f"CAN-{i:04d}" in results, query
            status, exported = browser.get(f"/cases/{codes[0]}/export/")
            assert status == 200 and "Kanarqa" in exported
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    (tmp_path / "commands.log").write_text("\n".join(logs), encoding="utf-8")
    scanned = [*_files_under(data, tmp), log_file, tmp_path / "commands.log"]
    assert any(p.name == "refuge.sqlite3" for p in scanned)
    hits = _scan(scanned, names, PREFIXES)
    assert hits == [], f"{len(hits)} canaries found on disk, e.g. {hits[:5]}"
    # The scan can fail: a name written in plain text is found.
    probe = tmp / "probe.txt"
    probe.write_text(f"note: {canaries(7)[1]}", encoding="utf-16")
    assert _scan([probe], names, PREFIXES)
    os.remove(probe)
