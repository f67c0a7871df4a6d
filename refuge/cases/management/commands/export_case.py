"""`refuge export CODE`: a stored case as a case file (refuge.case/1)."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext, gettext_noop

from refuge.cases.actions import export_case
from refuge.cases.models import Case
from refuge.lib.commands import RefugeCommand
from refuge.vault.cli import unseal_if_initialised


def find_case(code_or_reference: str, organisation: str | None) -> Case:
    """A case by its code (UUID) or, failing that, by its reference (unique, or within --organisation)."""
    try:
        code = uuid.UUID(code_or_reference)
    except ValueError:
        code = None
    cases = Case.objects.select_related("organisation")
    if organisation:
        cases = cases.filter(organisation__name=organisation)
    if code is not None:
        found = cases.filter(code=code).first()
        if found is None:
            raise CommandError(gettext("no case with code %(code)s") % {"code": code})
        return found
    matches = list(cases.filter(reference=code_or_reference)[:2])
    if not matches:
        raise CommandError(gettext("no case with code or reference %(code)s") % {"code": repr(code_or_reference)})
    if len(matches) > 1:
        raise CommandError(
            gettext("several organisations have a case %(code)s: add --organisation")
            % {"code": repr(code_or_reference)}
        )
    return matches[0]


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (a case file names the client), replacing it whole."""
    path = path.expanduser()
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path(), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(RefugeCommand):
    help = gettext_noop("Write a case as a case file (refuge.case/1), to standard output or to a file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", metavar="CODE", help=gettext("the case's code (or its reference)"))
        parser.add_argument(
            "-o", "--output", metavar="FILE", help=gettext("write to FILE (mode 600) instead of standard output")
        )
        parser.add_argument("--organisation", help=gettext("the organisation, when a reference is used in several"))

    def handle(self, *args: Any, code: str, output: str | None, organisation: str | None, **options: Any) -> None:
        case = find_case(code, organisation)
        unseal_if_initialised()  # the case file holds the decrypted identity: the operator opens the vault here
        text = json.dumps(export_case(case=case, actor=None, via="export_command"), ensure_ascii=False, indent=2) + "\n"
        if output and output != "-":
            try:
                write_private(Path(output), text)
            except OSError as exc:
                raise CommandError(
                    gettext("cannot write %(path)s: %(reason)s") % {"path": output, "reason": exc.strerror or exc}
                ) from None
            self.stderr.write(
                gettext("Wrote %(reference)s to %(path)s.") % {"reference": case.reference, "path": output}
            )
        else:
            self.stdout.write(text, ending="")
