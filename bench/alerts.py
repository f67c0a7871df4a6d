"""From an event saved in the app to its alert e-mail accepted by a local SMTP server.

    python -m bench.alerts [--data-dir DIR] [--saves 100] [--poll 1.0]

Builds a fresh database (SQLite under a temporary REFUGE_DATA_DIR unless given), starts a local
SMTP server (refuge.alerts.mailsink, in this process) and `refuge worker` as its own process, as
deployed. Each round saves a `removal_scheduled` event through `refuge.cases.actions.record_event`
(the path the pages take): the recomputation raises a critical conflict and new deadlines, and
queues their e-mails in the same transaction. The clock starts before the save and stops when the
SMTP server has accepted the last e-mail that save queued. The event is then deleted and its own
alerts delivered before the next round. Target: p95 ≤ 5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import add_database_arguments, percentile, print_machine, setup_django

TARGET_P95_S = 5.0
ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915  # one linear measurement script
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_arguments(parser, data_dir_required=False)
    parser.add_argument("--saves", type=int, default=100, help="events saved (each timed)")
    parser.add_argument("--poll", type=float, default=1.0, help="the worker's --poll (its default is 1 s)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="refuge-bench-alerts-"))

    from refuge.alerts.mailsink import SinkHandler, start  # noqa: PLC0415  # no Django needed

    sink = SinkHandler()
    controller = start(sink)
    os.environ["REFUGE_SMTP_HOST"] = "127.0.0.1"
    os.environ["REFUGE_SMTP_PORT"] = str(controller.port)  # type: ignore[attr-defined]  # set by start()
    setup_django(data_dir, args.database_url)

    from django.core.management import call_command  # noqa: PLC0415  # after django.setup()
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from refuge.accounts.models import Membership, Organisation, User  # noqa: PLC0415
    from refuge.alerts.models import Delivery, DeliveryState  # noqa: PLC0415
    from refuge.cases import actions  # noqa: PLC0415
    from refuge.vault import keys, state  # noqa: PLC0415
    from refuge.vault.models import RootKey, RootKeySource  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    if not RootKey.objects.exists():
        keys.init_vault(keys.new_root_key(source=RootKeySource.DEV))
    state.unseal_with_dev_key()

    stamp = time.time_ns()
    org = Organisation.objects.create(name=f"Bench alerts {stamp} (fictional)")
    user = User.objects.create(username=f"bench-{stamp}", email=f"bench-{stamp}@example.org")
    Membership.objects.create(user=user, organisation=org, role="lawyer")
    msk = timezone.get_current_timezone()
    now = timezone.now()
    decided = (now - timedelta(days=1)).astimezone(msk).replace(microsecond=0)
    case = actions.create_case(
        organisation=org,
        user=user,
        reference=f"BENCH-ALERTS-{stamp % 10**6:06d}",
        host_state="RU",
        timezone="Europe/Moscow",
        person={"nationality": "KP", "names": [{"value": "Bench Fictional", "script": "Latn"}]},
        events=[
            {
                "id": "e1",
                "type": "detention_started",
                "at": (decided - timedelta(days=1)).isoformat(),
                "basis": "administrative",
            },
            {
                "id": "e2",
                "type": "decision_issued",
                "at": decided.isoformat(),
                "decision": "expulsion",
                "detention": "foreigners_centre",
                "authority": "District court (fictional)",
            },
            {
                "id": "e3",
                "type": "decision_received",
                "at": (decided + timedelta(hours=1)).isoformat(),
                "decision_event": "e2",
            },
        ],
    )

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-m", "refuge", "worker", "--poll", str(args.poll)], env=env, cwd=ROOT
    )

    def delivered(keys_wanted: set[str], timeout: float = 60.0) -> float:
        """Wait until every wanted idempotency key reached the server; when the last one arrived."""
        with sink.arrived:
            ok = sink.arrived.wait_for(lambda: keys_wanted <= {r.key for r in sink.received}, timeout=timeout)
            if not ok:
                raise SystemExit(f"e-mails not delivered within {timeout} s")
            return max(r.at for r in sink.received if r.key in keys_wanted)

    def queued_since(pk: int) -> set[str]:
        rows = Delivery.objects.filter(pk__gt=pk, channel="email")
        return {str(k) for k in rows.values_list("idempotency_key", flat=True)}

    rng = random.Random(args.seed)
    latencies: list[float] = []
    mails_per_save: list[int] = []
    try:
        for n in range(args.saves):
            time.sleep(rng.uniform(0, args.poll))  # saves land anywhere in the worker's polling cycle
            last = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            removal_at = (timezone.now() + timedelta(days=3, hours=n % 12)).astimezone(msk).replace(microsecond=0)
            start_t = time.monotonic()
            event = actions.record_event(
                case=case,
                user=user,
                type="removal_scheduled",
                at=timezone.now().astimezone(msk).replace(microsecond=0).isoformat(),
                attributes={"removal_at": removal_at.isoformat(), "destination": "KP"},
            )
            wanted = queued_since(last)
            assert wanted, "the save queued no e-mail"  # a benchmark of nothing is no benchmark
            latencies.append(delivered(wanted) - start_t)
            mails_per_save.append(len(wanted))
            last = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            actions.delete_event(event=event, user=user)
            cleanup = queued_since(last)
            if cleanup:
                delivered(cleanup)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        controller.stop()

    left = Delivery.objects.exclude(state=DeliveryState.SENT).count()
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print("| measure | n | p50 s | p95 s | max s | target |")
    print("|---|--:|--:|--:|--:|---|")
    print(
        f"| event saved → last e-mail accepted by SMTP | {len(latencies)} | {p50:.3f} | {p95:.3f} | "
        f"{max(latencies):.3f} | p95 ≤ {TARGET_P95_S:.0f} s |"
    )
    print(f"\ne-mails per save: {min(mails_per_save)}–{max(mails_per_save)}; rows not sent at the end: {left}")
    print(f"worker poll: {args.poll} s; target {'met' if p95 <= TARGET_P95_S else 'missed'}")
    print_machine(connection)
    return 0


if __name__ == "__main__":
    sys.exit(main())
