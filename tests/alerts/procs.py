"""Run in a subprocess by the kill tests: `python -m tests.alerts.procs seed N WEBHOOK_URL` and `report`."""

from __future__ import annotations

import json
import sys

import django


def seed(count: int, webhook_url: str) -> None:
    from refuge.accounts.models import Membership, Organisation, Role, User
    from refuge.alerts.models import AlertSettings
    from refuge.alerts.queue import raise_alert
    from refuge.cases.models import Case, CaseMember

    org = Organisation.objects.create(name="Kill-test Legal Aid (fictional)")
    user = User.objects.create_user(username="lawyer", email="lawyer@example.org")
    Membership.objects.create(user=user, organisation=org, role=Role.LAWYER)
    AlertSettings.objects.create(
        user=user, webhook_url=webhook_url, channels={"critical": ["inapp", "email", "webhook"]}
    )
    case = Case.objects.create(organisation=org, reference="KILL-001", host_state="RU")
    CaseMember.objects.create(case=case, user=user)
    for i in range(count):
        raise_alert(
            organisation=org, case=case, kind="conflict_raised", severity="critical", subject=f"KILL-001: conflict {i}"
        )


def report() -> None:
    from refuge.alerts.models import Delivery

    rows = Delivery.objects.values_list("idempotency_key", "channel", "state", "attempts")
    print(json.dumps([[str(k), c, s, a] for k, c, s, a in rows]))  # the parent test reads it


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]), sys.argv[3])
    else:
        report()
