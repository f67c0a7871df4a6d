"""Run in subprocesses by the re-check tests: `python -m tests.alerts.recheck_procs seed N DAY`, then
`recheck WORKER NOW BATCH` in two processes side by side, and `report NOW`."""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime

import django


def seed(count: int, day: str) -> None:
    from django.db import transaction

    from bench.engine import make_case
    from refuge.accounts.models import Membership, Organisation, Role, User
    from refuge.casefile.validate import load_casefile
    from refuge.cases.bulk_import import import_casefiles
    from refuge.vault import keys, state
    from refuge.vault.models import RootKeySource

    keys.init_vault(keys.new_root_key(source=RootKeySource.DEV))  # a development key file, as `refuge demo`
    state.unseal_with_dev_key()
    org = Organisation.objects.create(name="Recheck-test Legal Aid (fictional)")
    user = User.objects.create_user(username="lawyer", email="lawyer@example.org")
    Membership.objects.create(user=user, organisation=org, role=Role.LAWYER)
    rng = random.Random(11)  # noqa: S311  # seeded fictional cases, not secrets
    docs = []
    for n in range(count):
        data = make_case(rng, n)
        data["reference"] = f"RCK-{n:05d}"
        docs.append(load_casefile(data))
    with transaction.atomic():
        import_casefiles(docs=docs, organisation=org, user=user, now=datetime.fromisoformat(day))


def recheck(worker: str, now: str, batch: int) -> None:
    from refuge.alerts.clock import recheck_cases

    done = recheck_cases(now=datetime.fromisoformat(now), worker=worker, batch=batch, budget=600)
    print(json.dumps({"worker": worker, "done": done}))  # the parent test reads it


def report(now: str) -> None:
    from django.db.models import Count

    from refuge.cases.derived import CaseCheck, DerivedChange

    at = datetime.fromisoformat(now)
    twice = (
        DerivedChange.objects.filter(cause="clock")
        .values("case_id", "item", "key", "change")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    print(
        json.dumps(
            {
                "checks": CaseCheck.objects.count(),
                "rechecked": CaseCheck.objects.filter(computed_at=at).count(),
                "claimed": CaseCheck.objects.exclude(claimed_by="").count(),
                "clock_changes": DerivedChange.objects.filter(cause="clock").count(),
                "changes_twice": twice,
            }
        )
    )


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "recheck":
        recheck(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        report(sys.argv[2])
