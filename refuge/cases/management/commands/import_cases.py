"""`refuge import FILE...`: case files into one organisation, all or nothing.

Every file is read and validated before anything is written. If any file is invalid (bad JSON,
a value that breaks the refuge.case/1 schema, a reference already used in the organisation or
twice in the batch), the whole batch is refused: nothing is imported and the command exits with
status 2, naming each bad file and the JSON path of each bad value. The valid batch is then
imported in one transaction, with the engine's deadlines and conflicts computed for each case,
so a failure part-way (even a crash) leaves the database as it was.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from refuge.accounts.models import Membership, Organisation, Role
from refuge.casefile.validate import CaseFileError, read_casefile
from refuge.cases.actions import import_casefile
from refuge.cases.models import Case
from refuge.vault.cli import unseal_if_initialised

INVALID = 2  # exit status of a refused batch (as for `refuge check` on an invalid file)
PROGRESS_FROM = 10  # files; fewer import too fast for a progress bar to help


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


class Command(BaseCommand):
    help = "Import case files (refuge.case/1) into an organisation; an invalid file refuses the whole batch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--organisation", required=True, help="the organisation's name")
        parser.add_argument(
            "--user", help="the importing user: the cases' author and first team member (a member of the organisation)"
        )

    def handle(self, *args: Any, files: list[str], organisation: str, user: str | None, **options: Any) -> None:
        org = Organisation.objects.filter(name=organisation).first()
        if org is None:
            raise CommandError(f"no organisation named {organisation!r}")
        importer = None
        if user:
            member = Membership.objects.select_related("user").filter(user__username=user, organisation=org).first()
            if member is None:
                raise CommandError(f"no user {user!r} in {org.name!r}")
            if member.role == Role.ANALYST:
                raise CommandError(f"{user!r} is an analyst: analysts cannot create cases")
            importer = member.user
        unseal_if_initialised()  # identity is encrypted as it is imported: the operator opens the vault here

        paths = [Path(f) for f in files]
        docs = self._validate(paths, org)
        bar = tqdm(total=len(docs), desc="importing", unit="file", file=sys.stderr, disable=self._quiet(len(docs)))
        created: list[Case] = []
        try:
            with transaction.atomic():
                for path, doc in docs:
                    try:
                        case = import_casefile(
                            data=doc, organisation=org, user=importer, source=f"import {path.name}"[:200]
                        )
                    except CaseFileError as exc:
                        raise CommandError(
                            f"refused, nothing imported: {path}:\n{_indent(str(exc))}", returncode=INVALID
                        ) from None
                    created.append(case)
                    bar.update()
        finally:
            bar.close()
        for case in created:
            self.stdout.write(f"{case.code} {case.reference}")
        self.stderr.write(f"Imported {len(created)} case{'s' if len(created) != 1 else ''} into {org.name!r}.")

    def _validate(self, paths: list[Path], org: Organisation) -> list[tuple[Path, dict[str, Any]]]:
        """Every file's document, or a CommandError (status 2) naming every problem in every file."""
        docs: list[tuple[Path, dict[str, Any]]] = []
        problems: list[str] = []
        seen: dict[str, Path] = {}
        for path in tqdm(paths, desc="validating", unit="file", file=sys.stderr, disable=self._quiet(len(paths))):
            try:
                doc = read_casefile(path)
            except CaseFileError as exc:
                problems.append(f"{path}:\n{_indent(str(exc))}")
                continue
            reference = doc["reference"]
            if reference in seen:
                problems.append(f"{path}:\n  $.reference: {reference!r} is also the reference of {seen[reference]}")
                continue
            seen[reference] = path
            docs.append((path, doc))
        taken = set(Case.objects.filter(organisation=org, reference__in=list(seen)).values_list("reference", flat=True))
        problems.extend(
            f"{path}:\n  $.reference: a case {doc['reference']!r} already exists in {org.name!r}"
            for path, doc in docs
            if doc["reference"] in taken
        )
        if problems:
            bad = len(paths) - len(docs) + len(taken)
            raise CommandError(
                f"refused, nothing imported: {bad} of {len(paths)} file{'s' if len(paths) != 1 else ''} "
                f"{'is' if bad == 1 else 'are'} invalid.\n" + "\n".join(problems),
                returncode=INVALID,
            )
        return docs

    @staticmethod
    def _quiet(count: int) -> bool | None:
        # None lets tqdm decide: shown on a terminal, silent when stderr is a file or a pipe.
        return True if count < PROGRESS_FROM else None
