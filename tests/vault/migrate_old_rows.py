"""Run as `python -m tests.vault.migrate_old_rows CANARY`: a database as it was before free text was encrypted.

Migrates REFUGE_DATA_DIR's database to the last migrations with plaintext free-text columns and
writes one case's rows (document, proceeding, event, generated filing, sending) through the
historical models, each free-text field holding CANARY.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")

BEFORE = [("cases", "0006_deadline_calendar"), ("filings", "0001_filings_and_notification_log")]


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
    org = apps.get_model("accounts", "Organisation").objects.create(name="Old Rows Org (fictional)")
    case = apps.get_model("cases", "Case").objects.create(organisation=org, reference="OLD-1", host_state="RU")
    now = datetime.now(UTC)
    apps.get_model("cases", "Proceeding").objects.create(
        case=case, forum="domestic_court", reference_number=f"{canary}-ref", note=f"{canary}-note"
    )
    apps.get_model("cases", "Event").objects.create(
        case=case, key="e1", type="released", at=now, source=f"{canary}-source",
        note=Ciphertext(b"\x01not read by this test"),  # note was encrypted already; no vault exists yet
    )
    apps.get_model("cases", "Document").objects.create(
        case=case, doc_type="other", title=f"{canary}-title", filename=f"{canary}.pdf", file=f"cases/x/{uuid.uuid4()}",
        content_type="application/pdf", sha256=f"{canary}-sha", size=1,
    )
    apps.get_model("filings", "GeneratedFiling").objects.create(
        case=case, kind="rule39", lang="en", format="pdf", version=1, file="filings/x/y",
        filename=f"{canary}-filing.pdf", content_type="application/pdf", sha256=f"{canary}-fsha",
    )
    apps.get_model("filings", "Sending").objects.create(
        case=case, channel="fax", sent_at=now, reference=f"{canary}-sref", proof_filename=f"{canary}-proof.pdf",
        proof_sha256=f"{canary}-psha",
    )
    print("old rows written")


if __name__ == "__main__":
    main(sys.argv[1])
