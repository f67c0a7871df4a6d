"""Run as `python -m tests.vault.migrate_old_text_attributes CANARY`: a database from before an event's text
attributes and an authority's notes were encrypted.

Migrates REFUGE_DATA_DIR's database to the last migrations with those columns in plaintext and
writes, through the historical models, a directory entry whose notes hold CANARY and a case whose
detention place and decision authority hold it (the decision names the entry, in other letter case).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")

BEFORE = [("cases", "0007_encrypt_free_text"), ("vault", "0001_keys_and_blind_indexes")]


def main(canary: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from refuge.vault.fields import Ciphertext

    executor = MigrationExecutor(connection)
    old = dict(BEFORE)
    targets = [(app, old.get(app, name)) for app, name in executor.loader.graph.leaf_nodes()]
    executor.migrate(targets)
    apps = MigrationExecutor(connection).loader.project_state(targets).apps
    org = apps.get_model("accounts", "Organisation").objects.create(name="Old Text Org (fictional)")
    apps.get_model("cases", "Authority").objects.create(
        organisation=org, name="District court (fictional)", kind="court", notes=f"{canary}-notes"
    )
    case = apps.get_model("cases", "Case").objects.create(organisation=org, reference="OLD-2", host_state="RU")
    now = datetime.now(UTC)
    unread = Ciphertext(b"\x01not read by this test")  # source and note were encrypted already; no vault yet
    event = apps.get_model("cases", "Event")
    event.objects.create(
        case=case, key="e1", type="detention_started", at=now, source=unread, note=unread,
        attributes={"basis": "administrative", "place": f"{canary}-place"},
    )
    event.objects.create(
        case=case, key="e2", type="decision_issued", at=now, source=unread, note=unread,
        attributes={"decision": "expulsion", "authority": "DISTRICT COURT (fictional)"},
    )
    print("old rows written")


if __name__ == "__main__":
    main(sys.argv[1])
