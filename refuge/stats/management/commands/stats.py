"""`refuge stats export|merge|keygen`: a network's aggregates, signed and encrypted; merged, then controlled."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from refuge.accounts.models import Organisation
from refuge.audit.actions import record
from refuge.audit.checkpoint import CheckpointError, signing_key
from refuge.audit.events import EventType
from refuge.lib.commands import RefugeCommand
from refuge.stats import exports, network
from refuge.stats.actions import aggregates, record_export
from refuge.stats.disclosure import DEFAULT_THRESHOLD, MINIMUM_THRESHOLD
from refuge.stats.tables import EVERYONE, TABLES, build_cube, cut, offered_groups, protect_cube

_PERIOD = re.compile(r"^(\d{4})(?:[-–](\d{4}))?$")


def _period(text: str) -> tuple[int, int]:
    match = _PERIOD.match(text)
    if match is None:
        raise CommandError(gettext("--period is a year or a range of years: 2016-2026"))
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise CommandError(gettext("--period: the range ends before it begins"))
    return first, last


class Command(RefugeCommand):
    help = gettext_noop(
        "Network statistics: export signed, encrypted aggregates; merge them; make the coordinator's key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export", help=gettext("write this organisation's exact aggregates for the coordinator")
        )
        export.add_argument("--period", required=True, help=gettext("years, e.g. 2016-2026"))
        export.add_argument(
            "--to", required=True, type=Path, help=gettext("the coordinator's public key file (base64)")
        )
        export.add_argument("--organisation", help=gettext("the organisation's name (when the server holds several)"))
        export.add_argument("-o", "--output", required=True, type=Path)
        merge = sub.add_parser("merge", help=gettext("verify, decrypt and combine exports; print controlled tables"))
        merge.add_argument("files", nargs="+", type=Path)
        merge.add_argument("--key", required=True, type=Path, help=gettext("the coordinator's private key (PEM)"))
        merge.add_argument(
            "--signers", required=True, type=Path, help=gettext("trusted keys: 'BASE64KEY label' per line")
        )
        merge.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)
        merge.add_argument("--format", choices=("json", "csv"), default="json")
        merge.add_argument("-o", "--output", type=Path)
        keygen = sub.add_parser("keygen", help=gettext("make the coordinator's X25519 key pair"))
        keygen.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except (network.NetworkError, CheckpointError) as exc:
            raise CommandError(str(exc)) from None

    def _keygen(self, options: dict[str, Any]) -> None:
        public = network.coordinator_keygen(options["path"])
        del public
        self.stdout.write(
            gettext("wrote %(path)s (keep it secret) and %(path)s.pub (send it to members)") % {"path": options["path"]}
        )

    def _organisation(self, name: str | None) -> Organisation:
        found = Organisation.objects.filter(name=name) if name else Organisation.objects.all()
        if found.count() != 1:
            raise CommandError(gettext("name the organisation with --organisation (exactly as it is spelt)"))
        organisation: Organisation = found.get()
        return organisation

    def _export(self, options: dict[str, Any]) -> None:
        first, last = _period(options["period"])
        organisation = self._organisation(options.get("organisation"))
        recipient = network.load_coordinator_public(options["to"].read_text(encoding="utf-8"))
        counts = [
            (t.id, row, year, quarter, dict(dims)["nationality"], dict(dims)["host_state"], n)
            for t in TABLES
            for row, year, quarter, dims, n in aggregates(organisation.pk, t.id)
            if first <= year <= last
        ]
        text = network.seal_export(
            counts=counts, first_year=first, last_year=last, signing=signing_key(), recipient=recipient
        )
        options["output"].write_text(text, encoding="utf-8")
        record_export(user=None, organisation=organisation, fmt="network", exact=True)
        self.stdout.write(
            gettext("wrote %(path)s: %(count)s aggregate counts, %(first)s–%(last)s, encrypted")
            % {"path": options["output"], "count": len(counts), "first": first, "last": last}
        )

    def _merge(self, options: dict[str, Any]) -> None:
        threshold = options["threshold"]
        if threshold < MINIMUM_THRESHOLD:
            raise CommandError(gettext("--threshold is at least %(minimum)s") % {"minimum": MINIMUM_THRESHOLD})
        key = network.load_coordinator_private(options["key"])
        signers = network.load_signers(options["signers"])
        opened = []
        for path in options["files"]:
            try:
                opened.append(network.open_export(path.read_text(encoding="utf-8"), key=key, signers=signers))
            except network.NetworkError as exc:
                raise CommandError(gettext("%(path)s: refused: %(reason)s") % {"path": path, "reason": exc}) from None
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from None  # the system's own words
        labels = [o.organisation for o in opened]
        if len(set(labels)) != len(labels):
            raise CommandError(gettext("two exports of the same organisation: merge one per organisation"))
        first = min(o.first_year for o in opened)
        last = max(o.last_year for o in opened)
        years = list(range(first, last + 1))
        per_table = network.merged_aggregates(opened)
        groups = {f"{d}:{v or '--'}" for rows in per_table.values() for a in rows for d, v in a[3]}
        cubes = [protect_cube(build_cube(t, per_table[t.id], years, groups), threshold=threshold) for t in TABLES]
        views = [
            cut(c, period="years", group=g, exact=False) for g in (EVERYONE, *offered_groups(cubes)) for c in cubes
        ]
        if options["format"] == "csv":
            text = exports.to_csv(views)
        else:
            body = exports.to_json(
                views, threshold=threshold, organisation=", ".join(sorted(labels)), today=timezone.localdate()
            )
            text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
        record(type=EventType.STATS_NETWORK_MERGED, actor=None, data={"exports": len(opened)})
        if options.get("output"):
            options["output"].write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
