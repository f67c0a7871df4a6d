"""Every text field of every model is encrypted, or on a justified list; canaries written everywhere reach no disk.

Two halves:
- the models are introspected: each CharField, TextField and JSONField of a model under refuge/
  is either vault-encrypted (an EncryptedField is a binary column) or listed in PLAINTEXT below
  with the reason it identifies nobody. A new plaintext field fails here until someone encrypts
  it or argues for it.
- a real server (`refuge serve`) and the CLI receive a distinct canary in every free-text field a
  person writes (the case file's names, sources and notes; the event, proceeding, document and
  sending pages; a document's file name and content); none is found afterwards in any file under
  the data directory (database, WAL, stored files), in the temporary directory, or in the logs.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import secrets
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from refuge.vault.fields import EncryptedField
from tests.cli.helpers import REPO, refuge_argv, refuge_env
from tests.cli.test_serve import fetch, free_port

STAFF = "staff accounts and their settings: not clients (names of lawyers and NGO staff)"
ENGINE = "the engine's output: rule ids, kinds, dates and the law's own citations, never client text"
CODES = "codes, digests or closed vocabularies"
# label -> why it may stay plaintext. Fields with `choices` are closed vocabularies and need no entry.
PLAINTEXT = {
    "accounts.user.password": "an Argon2 hash",
    "accounts.user.username": STAFF,
    "accounts.user.first_name": STAFF,
    "accounts.user.last_name": STAFF,
    "accounts.user.email": STAFF,
    "accounts.organisation.name": "the NGO's own name",
    "accounts.user.name_cyrillic": STAFF,
    "accounts.organisation.name_cyrillic": "the NGO's own name, in Cyrillic for Russian letters",
    "cases.authority.name_cyrillic": "the authority directory, in Cyrillic: public institutions, not people",
    "api.apitoken.name": "a staff member's label for her own token: what it is for (e.g. the hotline app)",
    "api.apitoken.digest": "the SHA-256 of a token, never the token",
    "api.apitoken.hint": "the token's first characters, to tell tokens apart",
    "api.apitoken.scopes": CODES,
    "api.apitoken.addresses": "the network addresses a staff member used the token from, for the new-address audit",
    "api.apitoken.revoked_reason": "why a token ended, as a code (owner, disabled, sealed, lockdown)",
    "stats.statcount.table": CODES,
    "stats.statcount.row": CODES,
    "stats.statcount.nationality": "an ISO country code of a count, never with a case",
    "stats.statcount.host_state": CODES,
    "stats.stattotal.table": CODES,
    "stats.stattotal.row": CODES,
    "stats.stattotal.nationality": "an ISO country code of an aggregate count",
    "stats.stattotal.host_state": CODES,
    "stats.statrelease.table": CODES,
    "stats.statrelease.row": CODES,
    "stats.statrelease.period": CODES,
    "stats.statrelease.group": "a statistics group (a nationality or host-state code)",
    "stats.statcube.cubes": "an organisation's built aggregate tables: counts by code, no case, no person",
    "stats.statcube.leased_by": "the host and process id of the worker building the tables",
    "stats.statcube.rules": "a digest of the disclosure threshold and releases the tables were built under",
    "accounts.passkey.name": "a user's own label for their security key or passkey, shown on their account page",
    "accounts.passkey.transports": "WebAuthn transport names the browser reported (usb, nfc, internal)",
    "stats.statrelease.reason": "an admin's reason for publishing an aggregate cell: no case, no person",
    "accounts.loginthrottle.key": "a keyed hash of a throttle's scope and values (refuge/accounts/throttle.py)",
    "accounts.loginthrottle.username_key": "a keyed hash of a username",
    "accounts.usersession.session_key": "a key of Django's session table (the session itself holds no client data)",
    "cases.case.reference": "pseudonymous by design (its help text: never a name); alerts and feeds name cases by it",
    "cases.case.host_state": CODES,
    "cases.case.timezone": CODES,
    "cases.person.nationality": "an ISO country code the engine needs while sealed (the worker recomputes)",
    "cases.person.languages": "ISO 639 codes",
    "cases.authority.name": "the directory of courts and agencies: public institutions, not people",
    "cases.authority.country": CODES,
    "cases.authority.channels": "an institution's public fax, post and e-mail addresses",
    "cases.authority.languages": CODES,
    "cases.event.key": "the case file's event id (e1, e2)",
    "cases.event.attributes": (
        "enums, dates, countries and event ids the worker's engine reads while sealed; the free-text "
        "attributes (vocab.TEXT_ATTRIBUTES: place, authority) are in the encrypted text_attributes"
    ),
    "cases.document.doc_type": CODES,
    "cases.document.language": CODES,
    "cases.document.content_type": "sniffed from the content: one of a few types",
    "cases.casecheck.report": ENGINE,
    "cases.casecheck.packs_version": ENGINE,
    "cases.casecheck.claimed_by": "the re-check worker holding its claim: host and process id, no client text",
    **{f"cases.deadline.{n}": ENGINE for n in ("key", "kind", "rule", "trigger", "timezone", "status", "met_by",
                                                "basis", "alternatives", "reminders", "flags", "calendar",
                                                "unconfirmed_years")},
    **{f"cases.conflict.{n}": ENGINE for n in ("key", "kind", "rule", "events", "basis", "flags", "notify")},
    **{f"cases.derivedchange.{n}": ENGINE for n in ("key", "kind", "before", "after", "cause_event", "cause")},
    "vault.rootkey.params": "scrypt parameters and share counts",
    "vault.blindindexentry.scope": CODES,
    "vault.blindindexentry.object_code": CODES,
    "vault.blindindexentry.digest": "an HMAC under a key derived from the root key",
    "audit.audithead.hash": "the audit chain's last hash",
    **{f"audit.auditevent.{n}": "the audit chain: codes, field names and hashes, never values (STYLE.md)"
       for n in ("target_kind", "target_code", "fields", "data", "ip_hash", "prev_hash", "hash")},
    "filings.generatedfiling.kind": CODES,
    "filings.generatedfiling.lang": CODES,
    "filings.generatedfiling.format": CODES,
    "filings.generatedfiling.forum": CODES,
    "filings.generatedfiling.content_type": CODES,
    "filings.sending.forum": CODES,
    "filings.sending.proof_content_type": "sniffed from the content: one of a few types",
    "alerts.alert.subject": "alerts name a case by its reference only (refuge/alerts/queue.py)",
    "alerts.alert.body": "alerts name a case by its reference only (refuge/alerts/queue.py)",
    "alerts.alert.facts": "codes, event keys, instants, case references, legal texts (refuge/alerts/texts.py)",
    "alerts.alert.item_key": CODES,
    "alerts.alert.dedupe_key": CODES,
    "alerts.alert.acknowledged_via": CODES,
    "alerts.delivery.channel": CODES,
    "alerts.delivery.address": STAFF,
    "alerts.delivery.leased_by": "a worker's process name",
    "alerts.delivery.last_error": "a mail server's or webhook's error (about staff addresses)",
    "alerts.alertsettings.channels": STAFF,
    "alerts.alertsettings.webhook_url": STAFF,
    "alerts.feedtoken.digest": "a hash of the feed's token",
    "alerts.feedtoken.hint": "the token's last characters",
}


def _text_fields() -> dict[str, models.Field]:
    found = {}
    for model in apps.get_models():
        if not model.__module__.startswith("refuge."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedField) or field.choices:
                continue
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                found[f"{model._meta.app_label}.{model._meta.model_name}.{field.name}"] = field
    return found


def test_every_text_field_is_encrypted_or_justified():
    found = _text_fields()
    unjustified = sorted(set(found) - set(PLAINTEXT))
    assert unjustified == [], f"plaintext text fields nobody has justified: encrypt them or list them: {unjustified}"
    stale = sorted(set(PLAINTEXT) - set(found))
    assert stale == [], f"PLAINTEXT lists fields that are gone or encrypted now: {stale}"


def test_the_free_text_of_a_case_is_encrypted():
    encrypted = {
        f"{m._meta.app_label}.{m._meta.model_name}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if isinstance(f, EncryptedField)
    }
    assert {
        "cases.document.title", "cases.document.filename", "cases.document.sha256",
        "cases.proceeding.reference_number", "cases.proceeding.note", "cases.event.source", "cases.event.note",
        "cases.event.text_attributes", "cases.authority.notes",
        "filings.sending.reference", "filings.sending.proof_filename", "filings.sending.proof_sha256",
        "filings.generatedfiling.filename", "filings.generatedfiling.sha256",
    } <= encrypted


# --- The end-to-end half ------------------------------------------------------------------------------------------


class Client:
    """A browser's cookies and the CSRF dance over plain HTTP to the test server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def open(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path,  # noqa: S310
                                                                                 **(headers or {})})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "refuge-csrf")

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        self.open(path)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.open(path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, path: str, fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[int, str]:
        self.open(path)
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in {**fields, "csrfmiddlewaretoken": self.csrf()}.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.open(path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def _hits(needles: dict[str, bytes], folders: list[Path]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            content = path.read_bytes()
            for label, needle in needles.items():
                if needle in content:
                    hits.setdefault(label, []).append(str(path))
    return hits


@pytest.mark.slow
def test_canaries_in_every_free_text_field_reach_no_file_no_temp_file_and_no_log(tmp_path):
    data, temp, logs = tmp_path / "data", tmp_path / "tmp", tmp_path / "logs"
    temp.mkdir()
    logs.mkdir()
    env = {**refuge_env(data), "TMPDIR": str(temp), "REFUGE_REQUIRE_2FA": "false"}
    canary = {label: f"CNRY{secrets.token_hex(6)}{label.replace('.', '')}" for label in (
        "person.name", "cli.event.source", "cli.event.note", "cli.event.place", "cli.event.authority",
        "page.event.source", "page.event.note", "page.event.authority", "authority.notes",
        "proceeding.reference_number", "proceeding.note", "document.title", "document.filename",
        "document.content", "sending.reference", "sending.proof_filename", "sending.proof_content",
    )}

    def run(*args: str, stdin: str | None = None) -> None:
        done = subprocess.run(  # noqa: S603  # our own command
            refuge_argv(*args), input=stdin, env=env, cwd=REPO, capture_output=True, text=True, timeout=180,
            check=False,
        )
        (logs / f"{args[0]}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        assert done.returncode == 0, done.stdout + done.stderr

    run("migrate", "--no-input")
    run("vault", "init", "--dev")
    org = "Canary Org (fictional)"
    run("createuser", "canarylaw", "--organisation", org, "--create-organisation", "--role", "lawyer",
        "--password-stdin", stdin="correct horse battery staple 42\n")
    casefile = {
        "format": "refuge.case/1", "reference": "CNR-1", "host_state": "RU",
        "person": {"names": [{"value": canary["person.name"], "script": "Latn"}]},
        "events": [{"id": "e1", "type": "detention_started", "at": "2026-03-02T09:00:00+03:00",
                    "basis": "administrative", "place": canary["cli.event.place"],
                    "source": canary["cli.event.source"], "note": canary["cli.event.note"]},
                   {"id": "e2", "type": "decision_issued", "at": "2026-03-03", "decision": "expulsion",
                    "authority": canary["cli.event.authority"]}],
    }
    case_path = tmp_path / "canary.case.json"
    case_path.write_text(json.dumps(casefile), encoding="utf-8")
    run("import", str(case_path), "--organisation", org, "--user", "canarylaw")
    case_path.unlink()

    port = free_port()
    with (logs / "server.log").open("w") as server_log:
        server = subprocess.Popen(  # noqa: S603  # our own command
            refuge_argv("serve", "--port", str(port), "--workers", "2", "--threads", "2"),
            env=env, cwd=REPO, stdout=server_log, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            fetch(f"{base}/accounts/login/", time.monotonic() + 60)
            client = Client(base)
            status, _ = client.post("/accounts/login/", {"username": "canarylaw",
                                                          "password": "correct horse battery staple 42"})
            assert status == 302
            _, cases = client.open("/cases/")
            code = re.search(r'href="/cases/([0-9a-f-]{36})/"', cases).group(1)
            case_url = f"/cases/{code}/"
            status, page = client.post(f"{case_url}events/new/", {
                "new-type": "released", "new-date": "2026-03-05", "new-time": "10:00",
                "new-source": canary["page.event.source"], "new-note": canary["page.event.note"],
            })
            assert status == 302, page[:3000]
            status, page = client.post(f"{case_url}events/new/", {
                "new-type": "decision_issued", "new-date": "2026-03-04", "new-time": "",
                "new-decision": "deportation", "new-authority": canary["page.event.authority"],
            })
            assert status == 302, page[:3000]
            status, page = client.post(f"{case_url}proceedings/new/", {
                "forum": "domestic_court", "reference_number": canary["proceeding.reference_number"],
                "note": canary["proceeding.note"], "is_active": "on",
            })
            assert status == 302, page[:3000]
            content = b"%PDF-1.4\n" + (canary["document.content"].encode() + b"\n") * 5000 + b"%%EOF\n"
            status, page = client.post_file(
                f"{case_url}documents/new/", {"doc_type": "other", "title": canary["document.title"]},
                "file", f"{canary['document.filename']}.pdf", content,
            )
            assert status == 302, page[:3000]
            status, page = client.post(
                "/authorities/new/", {
                    "name": "District court (fictional)", "kind": "court", "languages": "ru",
                    "notes": canary["authority.notes"],
                    "channels-TOTAL_FORMS": "0", "channels-INITIAL_FORMS": "0",
                    "channels-MIN_NUM_FORMS": "0", "channels-MAX_NUM_FORMS": "20",
                }
            )
            assert status == 302, page[:3000]
            _, page = client.open(f"{case_url}sendings/new/")
            authority = re.search(r'<option value="([0-9a-f-]{36})"', page).group(1)
            proof = b"%PDF-1.4\n" + (canary["sending.proof_content"].encode() + b"\n") * 100 + b"%%EOF\n"
            status, page = client.post_file(
                f"{case_url}sendings/new/", {"channel": "fax", "sent_date": "2026-03-05", "sent_time": "11:00",
                                              "reference": canary["sending.reference"], "authority": authority,
                                              "forum": ""},
                "proof", f"{canary['sending.proof_filename']}.pdf", proof,
            )
            assert status == 302, page[:3000]
            _, page = client.open(case_url)
            shown = {label for label, value in canary.items() if value in page}
            # What the case page shows came back through the vault: the writes happened.
            assert {"page.event.source", "page.event.authority", "cli.event.place", "proceeding.reference_number",
                    "document.title"} <= shown, sorted(shown)
            _, page = client.open("/authorities/")
            authority_code = re.search(r'href="/authorities/([0-9a-f-]{36})/edit/', page).group(1)
            _, page = client.open(f"/authorities/{authority_code}/edit/")
            assert canary["authority.notes"] in page, "the notes came back through the vault"
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    needles = {label: value.encode() for label, value in canary.items()}
    assert _hits(needles, [data, temp, logs]) == {}
