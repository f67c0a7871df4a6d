"""Server time of the filings wizard, from the case page to a downloaded Rule 39 request PDF.

    python -m bench.filings [--data-dir DIR] [--walks 30]

Builds a fresh database (SQLite under a temporary REFUGE_DATA_DIR unless given; the vault on its
development key), one organisation with a lawyer whose session is verified by a second factor
(as after a real login), and a case the ECtHR covers (Türkiye: detained, deportation ordered,
removal to Syria scheduled). Then it walks the wizard `--walks` times with Django's test client
in-process — the full middleware stack, sessions, CSP, the vault, audit entries, WeasyPrint — and
times each request until its whole body has been read:

1. the case page (`case_detail`, GET) — screen 1;
2. step 1, what to generate (`filing_new`, GET) — screen 2;
3. step 2, the review (`filing_new`, POST) — screen 3: the checklist and the facts;
4. step 3, generate (`filing_generate`, POST: render, encrypt, store, audit; answers a redirect);
5. the filing's page (`filing_detail`, GET) — screen 4, with the download and the sending form;
6. the download (`filing_download`, GET: audit entries, the decrypted PDF streamed).

The walk's total is the server time from the case page to the PDF in the lawyer's hands. The
first walk is reported apart (it loads WeasyPrint's fonts and the templates); step 4 of the
wizard, recording the sending, is timed too but is not part of the target.

Target: total ≤ 1 s (p95 of the warm walks).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import add_database_arguments, machine_info, percentile, setup_django

TARGET_TOTAL_MS = 1000.0
STEPS = ("case page", "step 1 (GET)", "review (POST)", "generate (POST)", "filing page (GET)", "download (GET)")
CASE = {
    "reference": "BENCH-R39",
    "host_state": "TR",
    "timezone": "Europe/Istanbul",
    "person": {
        "nationality": "SY",
        "stateless": False,
        "languages": ["ar"],
        "names": [{"value": "Bench Fictional", "script": "Latn"}],
        "birth_date": "1985-05-05",
    },
    "events": [
        {
            "id": "e1",
            "type": "detention_started",
            "at": "2026-11-20T09:00:00+03:00",
            "basis": "deportation",
            "place": "Bench Removal Centre (fictional)",
        },
        {
            "id": "e2",
            "type": "decision_issued",
            "at": "2026-11-21T15:00:00+03:00",
            "decision": "deportation",
            "detention": "foreigners_centre",
            "authority": "Bench Governorate (fictional)",
        },
        {"id": "e3", "type": "decision_received", "at": "2026-11-21T16:00:00+03:00", "decision_event": "e2"},
        {
            "id": "e4",
            "type": "removal_scheduled",
            "at": "2026-11-26T10:00:00+03:00",
            "removal_at": "2027-01-10T06:30:00+03:00",
            "destination": "SY",
        },
    ],
}
CHOICES = {
    "kind": "rule39",
    "lang": "en",
    "fmt": "pdf",
    "contact_name": "Bench Lawyer",
    "contact_phone": "+90 000 000 00 01",
}


def _client(user: Any) -> Any:
    """A client whose session is logged in and verified by a second factor, as after the code page."""
    from django.test import Client  # noqa: PLC0415  # Django is set up by main()
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    device, _new = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _timed(call: Any, expect: int) -> tuple[float, Any]:
    started = time.perf_counter()
    response = call()
    body = b"".join(response.streaming_content) if response.streaming else response.content
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != expect:
        raise SystemExit(f"bench.filings: {response.status_code} instead of {expect}: {body[:300]!r}")
    return elapsed, response


def walk(client: Any, case: Any) -> tuple[list[float], float]:
    """One walk of the wizard; the server time of each request, then of recording the sending."""
    from django.urls import reverse  # noqa: PLC0415  # Django is set up by main()

    new = reverse("filing_new", args=[case.code])
    times = []
    for call, expect in (
        (lambda: client.get(case.get_absolute_url()), 200),
        (lambda: client.get(new), 200),
        (lambda: client.post(new, CHOICES), 200),
    ):
        ms, _response = _timed(call, expect)
        times.append(ms)
    ms, generated = _timed(lambda: client.post(reverse("filing_generate", args=[case.code]), CHOICES), 302)
    times.append(ms)
    detail = generated["Location"]
    ms, _response = _timed(lambda: client.get(detail), 200)
    times.append(ms)
    ms, _response = _timed(lambda: client.get(detail + "download/"), 200)
    times.append(ms)
    sent = {"channel": "fax", "sent_date": "2026-11-26", "sent_time": "11:05", "reference": ""}
    send_ms, _response = _timed(lambda: client.post(detail + "send/", sent), 302)
    return times, send_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_arguments(parser, data_dir_required=False)
    parser.add_argument("--walks", type=int, default=30, help="walks of the wizard (the first is reported apart)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="refuge-bench-filings-"))
    setup_django(data_dir, args.database_url)

    from django.core.management import call_command  # noqa: PLC0415  # after django.setup()
    from django.db import connection  # noqa: PLC0415

    from refuge.accounts.models import Membership, Organisation, User  # noqa: PLC0415
    from refuge.cases.actions import create_case  # noqa: PLC0415
    from refuge.vault import keys, state  # noqa: PLC0415
    from refuge.vault.models import RootKeySource  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    keys.init_vault(keys.new_root_key(source=RootKeySource.DEV))  # a fresh database: a dev root key
    state.unseal_with_dev_key()
    stamp = time.time_ns()
    org = Organisation.objects.create(name=f"Bench filings {stamp}")
    user = User.objects.create(username=f"bench-{stamp}", first_name="Bench", last_name="Lawyer")
    Membership.objects.create(user=user, organisation=org, role="lawyer")
    case = create_case(organisation=org, user=user, **CASE)
    client = _client(user)

    per_step: list[list[float]] = [[] for _ in STEPS]
    totals: list[float] = []
    sends: list[float] = []
    first: list[float] = []
    for n in range(args.walks):
        times, send_ms = walk(client, case)
        if n == 0:
            first = times
            continue
        for i, ms in enumerate(times):
            per_step[i].append(ms)
        totals.append(sum(times))
        sends.append(send_ms)

    print("| request | n | p50 ms | p95 ms | first walk ms |")
    print("|---|--:|--:|--:|--:|")
    for i, label in enumerate(STEPS):
        values = per_step[i]
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"| {label} | {len(values)} | {p50:.1f} | {p95:.1f} | {first[i]:.1f} |")
    print(
        f"| **total, case page → PDF** | {len(totals)} | **{percentile(totals, 50):.1f}** | "
        f"**{percentile(totals, 95):.1f}** | {sum(first):.1f} |"
    )
    print(
        f"| record the sending (POST, not in the total) | {len(sends)} | {percentile(sends, 50):.1f} | "
        f"{percentile(sends, 95):.1f} | — |"
    )
    verdict = "met" if percentile(totals, 95) <= TARGET_TOTAL_MS else "missed"
    print(f"\ntotal p95 target (≤ {TARGET_TOTAL_MS:.0f} ms) {verdict}")
    vendor = connection.vendor
    for key, value in machine_info(vendor, connection.Database.sqlite_version if vendor == "sqlite" else ""):
        print(f"- {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
