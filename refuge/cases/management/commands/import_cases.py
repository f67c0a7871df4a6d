"""`refuge import FILE...`: case files into one organisation, all or nothing.

Every file is read and validated before anything is written. If any file is invalid (bad JSON,
a value that breaks the refuge.case/1 schema, a reference already used in the organisation or
twice in the batch), the whole batch is refused: nothing is imported and the command exits with
status 2, naming each bad file and the JSON path of each bad value. The valid batch is then
imported in one transaction, with the engine's deadlines and conflicts computed for each case,
so a failure part-way (even a crash) leaves the database as it was.

Memory stays flat however many files there are: the validation pass keeps only each file's
reference and a hash of its bytes; the writing pass reads the files again, BATCH at a time (a file
changed since it was validated stops the import, and nothing is imported), and inserts each batch
in bulk (refuge.cases.bulk_import.import_casefiles) inside the one transaction. A case whose file says
`dormant` or `closed` raises no alert: an archive alerts only on what is open.

Validation runs in worker processes (`--jobs N`, default one per core; forked before the vault is
unsealed, so they never hold a key, and handed files by name, a chunk at a time): each answers, per
file, its reference and the hash of its bytes, or its problems; the problems are reported in the
files' order, as one process would. Writing stays in this process (keys, sealing, the transaction).

Progress goes to stderr (`Progress`): a bar on a terminal, plain lines in a log or a pipe, in the
operator's language (the locale variables: LANG=ru_RU.UTF-8 gives Russian).
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext
from tqdm import tqdm

from refuge.accounts.models import Membership, Organisation, Role
from refuge.casefile import validate
from refuge.casefile.validate import CaseFileError, Problem, decode_casefile, read_bytes
from refuge.cases.bulk_import import import_casefiles
from refuge.cases.models import Case
from refuge.cases.problem_words import problem_lines
from refuge.cases.recompute import packs
from refuge.lib import collector
from refuge.lib.commands import RefugeCommand
from refuge.vault.cli import unseal_if_initialised

INVALID = 2  # exit status of a refused batch (as for `refuge check` on an invalid file)
PROGRESS_FROM = 10  # files; fewer import too fast for a progress bar to help
PLAIN_EVERY = 10.0  # seconds between two progress lines when stderr is not a terminal (a log, a pipe)
BATCH = 250  # files written per bulk insert: big enough to amortise the queries, small enough for memory
CHUNK = 50  # files a validating worker is handed at once: few messages, an even share at the end


class Progress:
    """How far a pass over the files is, on stderr: a bar on a terminal; elsewhere (a log file, a
    pipe) a plain line every PLAIN_EVERY seconds and one at the end. Words in the operator's language."""

    def __init__(self, what: str, total: int, stream: TextIO = sys.stderr, language: str | None = None) -> None:
        self.language = language or translation.get_language() or settings.LANGUAGE_CODE
        self.what, self.total, self.stream, self.done = what, total, stream, 0
        self.shown = total >= PROGRESS_FROM
        self.tty = self.shown and stream.isatty()
        self.last = time.monotonic()
        self.bar = None
        if self.tty:
            with translation.override(self.language):
                self.bar = tqdm(total=total, desc=self._label(), unit=gettext("files"), file=stream)

    def _label(self) -> str:
        # Translators: what `refuge import` is doing, shown before its progress bar.
        return gettext("validating") if self.what == "validating" else gettext("importing")

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.shown and time.monotonic() - self.last >= PLAIN_EVERY:
            self.last = time.monotonic()
            self._line()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.shown:
            self._line()

    def _line(self) -> None:
        with translation.override(self.language):
            text = ngettext(
                "%(what)s: %(done)s of %(total)s file (%(percent)s%%)",
                "%(what)s: %(done)s of %(total)s files (%(percent)s%%)",
                self.total,
            ) % {
                "what": self._label(),
                "done": f"{self.done:,}",
                "total": f"{self.total:,}",
                "percent": self.done * 100 // max(self.total, 1),
            }
        self.stream.write(text + "\n")
        self.stream.flush()


# A file's verdict: its reference and the hash of its bytes, or its problems.
Verdict = tuple[str, bytes, None] | tuple[None, None, list[Problem]]


def check_files(paths: list[Path]) -> list[Verdict]:
    """Read and validate files (in a worker process, or in this one): each file's verdict, in order.
    No document is kept: only its reference and a hash of the bytes validated."""
    verdicts: list[Verdict] = []
    for path in paths:
        try:
            raw = read_bytes(path)
            doc = decode_casefile(raw)
        except CaseFileError as exc:
            verdicts.append((None, None, exc.problems))
            continue
        verdicts.append((doc["reference"], hashlib.blake2b(raw, digest_size=16).digest(), None))
    return verdicts


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


class Command(RefugeCommand):
    help = gettext_noop(
        "Import case files (refuge.case/1) into an organisation; an invalid file refuses the whole batch."
    )
    # Django's system checks (the URL tree and its API imported only for them: a second of start-up)
    # find a developer's mistakes; `refuge serve` and `migrate` run them, a batch of files needs none.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--organisation", required=True, help=gettext("the organisation's name"))
        parser.add_argument(
            "--user",
            help=gettext("the importing user: the cases' author and first team member (a member of the organisation)"),
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help=gettext("processes that validate the files (default: one per core; 1: this process only)"),
        )

    def handle(
        self, *args: Any, files: list[str], organisation: str, user: str | None, jobs: int | None, **options: Any
    ) -> None:
        jobs = jobs if jobs is not None else os.cpu_count() or 1
        if jobs < 1:
            raise CommandError(gettext("--jobs must be at least 1"))
        org = Organisation.objects.filter(name=organisation).first()
        if org is None:
            raise CommandError(gettext("no organisation named %(name)s") % {"name": repr(organisation)})
        importer = None
        if user:
            member = Membership.objects.select_related("user").filter(user__username=user, organisation=org).first()
            if member is None:
                raise CommandError(
                    gettext("no user %(username)s in %(organisation)s")
                    % {"username": repr(user), "organisation": repr(org.name)}
                )
            if member.role == Role.ANALYST:
                raise CommandError(
                    gettext("%(username)s is an analyst: analysts cannot create cases") % {"username": repr(user)}
                )
            importer = member.user
        paths = [Path(f) for f in files]
        with ExitStack() as workers:
            # Forked before the vault is unsealed: no worker ever holds a key; they end once validation has.
            pool = self._pool(jobs, len(paths), workers)
            unseal_if_initialised()  # identity is encrypted as it is imported: the operator opens the vault here
            checked = self._validate(paths, org, pool)
        # What is loaded (packs, keys, Django) leaves the collector's sight while the batches are written:
        # walking it was a quarter of the writing's CPU.
        with collector.settled():
            created = self._write(checked, org, importer)
        for line in created:
            self.stdout.write(line)
        self.stderr.write(
            ngettext(
                "Imported %(count)s case into %(organisation)s.",
                "Imported %(count)s cases into %(organisation)s.",
                len(created),
            )
            % {"count": len(created), "organisation": repr(org.name)}
        )

    def _write(self, checked: list[tuple[Path, bytes]], org: Organisation, importer: Any) -> list[str]:
        """The validated files written in one transaction, BATCH at a time: the "code reference" lines
        of the cases made (printed once everything is committed), or a CommandError and nothing stored."""
        bar = Progress("importing", len(checked))
        created: list[str] = []
        try:
            with transaction.atomic():
                for batch in self._batches(checked):
                    try:
                        cases = import_casefiles(docs=[doc for _, doc in batch], organisation=org, user=importer)
                    except CaseFileError as exc:
                        names = ", ".join(str(path) for path, _ in batch[:3])
                        refused = gettext("refused, nothing imported: in the batch of %(files)s…:") % {"files": names}
                        raise CommandError(
                            f"{refused}\n{_indent(problem_lines(exc.problems))}", returncode=INVALID
                        ) from None
                    created.extend(f"{case.code} {case.reference}" for case in cases)
                    del cases
                    gc.collect(1)  # the batch's own few cycles, young: memory stays flat (a full pass costs 4x more)
                    bar.update(len(batch))
        finally:
            bar.close()
        return created

    @staticmethod
    def _batches(checked: list[tuple[Path, bytes]]) -> Iterator[list[tuple[Path, dict[str, Any]]]]:
        """The validated files again, BATCH at a time, each as its document (the same bytes as validated)."""
        for start in range(0, len(checked), BATCH):
            batch = []
            for path, digest in checked[start : start + BATCH]:
                try:
                    raw = read_bytes(path)
                except CaseFileError as exc:
                    refused = gettext("refused, nothing imported: %(path)s:") % {"path": path}
                    raise CommandError(
                        f"{refused}\n{_indent(problem_lines(exc.problems))}", returncode=INVALID
                    ) from None
                if hashlib.blake2b(raw, digest_size=16).digest() != digest:
                    raise CommandError(
                        gettext("refused, nothing imported: %(path)s changed while it was being imported")
                        % {"path": path},
                        returncode=INVALID,
                    )
                batch.append((path, json.loads(raw)))  # validated bytes: the plain parser reads them the same
            yield batch

    @staticmethod
    def _pool(jobs: int, files: int, stack: ExitStack) -> Any:
        """Worker processes for validation, or None (one job, too few files for two chunks, no fork)."""
        if jobs < 2 or files < 2 * CHUNK or "fork" not in multiprocessing.get_all_start_methods():
            return None
        validate.prepare()  # compiled once here, not once per worker
        context = multiprocessing.get_context("fork")  # Django and the packs already loaded: no start-up per worker
        return stack.enter_context(context.Pool(min(jobs, -(-files // CHUNK))))

    def _validate(self, paths: list[Path], org: Organisation, pool: Any = None) -> list[tuple[Path, bytes]]:
        """Each file with the hash of its validated bytes, or a CommandError (status 2) naming every problem.

        Only hashes and references are kept, not the documents, so memory does not grow with the batch.
        With a pool, workers validate chunks of files; their verdicts are read in the files' order."""
        checked: list[tuple[Path, bytes]] = []
        problems: list[str] = []
        seen: dict[str, Path] = {}
        progress = Progress("validating", len(paths))
        chunks = [paths[start : start + CHUNK] for start in range(0, len(paths), CHUNK)]
        answers: Iterable[list[Verdict]] = map(check_files, chunks) if pool is None else pool.imap(check_files, chunks)
        if pool is not None:
            packs()  # loaded while the workers validate (the writing needs them), not after
        verdicts = (zip(chunk, answer, strict=True) for chunk, answer in zip(chunks, answers, strict=True))
        for path, (reference, digest, found) in (pair for pairs in verdicts for pair in pairs):
            progress.update()
            if reference is None or digest is None:
                problems.append(f"{path}:\n{_indent(problem_lines(found or []))}")
                continue
            if reference in seen:
                also = gettext("%(reference)s is also the reference of %(path)s") % {
                    "reference": repr(reference),
                    "path": seen[reference],
                }
                problems.append(f"{path}:\n  $.reference: {also}")
                continue
            seen[reference] = path
            checked.append((path, digest))
        progress.close()
        taken: set[str] = set()
        references = list(seen)
        for start in range(0, len(references), 500):  # SQLite limits the parameters of one query
            taken.update(
                Case.objects.filter(organisation=org, reference__in=references[start : start + 500]).values_list(
                    "reference", flat=True
                )
            )
        exists = gettext("a case %(reference)s already exists in %(organisation)s")
        problems.extend(
            f"{path}:\n  $.reference: " + exists % {"reference": repr(reference), "organisation": repr(org.name)}
            for reference, path in seen.items()
            if reference in taken
        )
        if problems:
            bad = len(paths) - len(checked) + len(taken)
            refused = ngettext(
                "refused, nothing imported: %(bad)s of %(count)s files is invalid.",
                "refused, nothing imported: %(bad)s of %(count)s files are invalid.",
                bad,
            ) % {"bad": bad, "count": len(paths)}
            raise CommandError(refused + "\n" + "\n".join(problems), returncode=INVALID)
        return checked
