"""`refuge recompute [--all | --case CODE...]`: re-run the engine on stored cases.

Run it after a rule pack changes (or daily, so statuses follow the calendar); it lists the cases
whose deadlines' dates changed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.cases.models import Case
from refuge.cases.recompute import recompute_case
from refuge.lib.commands import RefugeCommand


class Command(RefugeCommand):
    help = gettext_noop("Recompute deadlines and conflicts of stored cases; list the cases whose dates changed.")

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--all", action="store_true", help=gettext("every case"))
        group.add_argument("--case", nargs="+", metavar="CODE", help=gettext("these cases"))

    def handle(self, *args: Any, **options: Any) -> None:
        cases = Case.objects.all().order_by("id")
        if options["case"]:
            cases = cases.filter(code__in=options["case"])
            if cases.count() != len(set(options["case"])):
                raise CommandError(gettext("unknown case code"), returncode=2)
        total = changed = 0
        for case in cases.iterator(chunk_size=500):
            result = recompute_case(case=case, cause="recompute")
            total += 1
            if result.dates_changed:
                changed += 1
                moved = sorted({c.kind for c in result.changes if c.item == "deadline"})
                self.stdout.write(f"{case.reference}\t{case.code}\t{', '.join(moved)}")
        self.stderr.write(
            gettext("recomputed %(total)s case(s); dates changed in %(changed)s") % {"total": total, "changed": changed}
        )
