"""Separate processes for the vault's tests: `python -m tests.vault.procs ACTION [ARGS]`.

Run with DJANGO_SETTINGS_MODULE=tests.vault.settings_vault and REFUGE_DATA_DIR set to a
temporary directory (the database is a SQLite file in it).

  seed N          N cases, each with a VaultProbe holding a secret text and a document number
  verify          unseal from the dev key file, decrypt everything, print a JSON report
  session NAME    create user NAME and a logged-in session; print the session key
  serve PORT [N]  serve the application as `refuge serve` does (N worker processes, default 2)
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.vault.settings_vault")


def _seed(count: int) -> None:
    from refuge.accounts.models import Organisation
    from refuge.cases.models import Case
    from refuge.vault import state
    from refuge.vault.models import VaultProbe

    state.try_dev_unseal()
    org, _ = Organisation.objects.get_or_create(name="Process Test Org (fictional)")
    for i in range(count):
        case = Case.objects.create(organisation=org, reference=f"PRC-{i:03d}", host_state="RU")
        VaultProbe.objects.create(case=case, text=f"secret of client {i}", numbers=[f"P{i:06d}"])
    print(f"seeded {count}")


def _verify() -> None:
    from collections import Counter

    from refuge.vault import blindindex, crypto, state
    from refuge.vault.models import BlindIndexEntry, CaseKey, VaultProbe

    unsealed = state.try_dev_unseal()
    report: dict[str, object] = {"unsealed": unsealed}
    report["case_key_root_versions"] = dict(Counter(CaseKey.objects.values_list("root_version", flat=True)))
    report["index_root_versions"] = dict(Counter(BlindIndexEntry.objects.values_list("root_version", flat=True)))
    ok, bad = 0, []
    if unsealed:
        for probe in VaultProbe.objects.select_related("case").order_by("pk"):
            try:
                expected = f"secret of client {int(probe.case.reference.split('-')[1])}"
                if probe.text == expected:
                    ok += 1
                else:
                    bad.append(probe.case.reference)
            except crypto.DecryptionError as exc:
                bad.append(f"{probe.case.reference}: {type(exc).__name__}")
        report["found_p000003"] = [p.case.reference for p in blindindex.search(VaultProbe, "numbers", "P000003")]
    report["ok"], report["bad"] = ok, bad
    print(json.dumps(report))


def _session(username: str) -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from refuge.accounts.models import Membership, Organisation, User

    org, _ = Organisation.objects.get_or_create(name="Process Test Org (fictional)")
    user = User.objects.create_user(username=username, password=None)
    Membership.objects.create(user=user, organisation=org, role="lawyer")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "refuge.accounts.backends.RefugeBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(session.session_key)


def _serve(port: int, workers: int) -> None:
    from django.core.management import call_command

    call_command("serve", port=port, threads=4, workers=workers, no_collectstatic=True)


def main(argv: list[str]) -> None:
    import django

    django.setup()
    action, *args = argv
    if action == "seed":
        _seed(int(args[0]))
    elif action == "verify":
        _verify()
    elif action == "session":
        _session(args[0])
    elif action == "serve":
        _serve(int(args[0]), int(args[1]) if len(args) > 1 else 2)
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main(sys.argv[1:])
