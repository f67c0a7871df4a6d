"""`refuge check --case CODE`: run the law engine on a stored case."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.cases.models import Case
from refuge.cases.recompute import case_today, run_check
from refuge.lib.commands import RefugeCommand
from refuge.rules.command import render_text


class Command(RefugeCommand):
    help = gettext_noop("Check a stored case against the rule packs (deadlines, milestones, conflicts).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", required=True, metavar="CODE", help=gettext("the case's code"))
        parser.add_argument(
            "--today", type=date.fromisoformat, help=gettext("YYYY-MM-DD (default: today in the case's zone)")
        )
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            # An operator's command: no user, so it reads the case directly by its code.
            case = Case.objects.get(code=options["case"])
        except (Case.DoesNotExist, ValueError):
            raise CommandError(
                gettext("no case with code %(code)s") % {"code": options["case"]}, returncode=2
            ) from None
        today = options["today"] or case_today(case)
        report = run_check(case, today=today)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(report, colour=sys.stdout.isatty()))
