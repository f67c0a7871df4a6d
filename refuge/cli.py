"""The `refuge` command: Refuge's own verbs, and Django management underneath."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from refuge.lib.cli_language import cli_gettext, language_from_environment


def gettext_noop(message: str) -> str:
    """Marks a string for the catalogues (makemessages); it is translated where it is printed."""
    return message


# CLI verbs whose management command has another name (Django owns `check`; `import` is a keyword).
ALIASES = {
    "import": "import_cases",
    "export": "export_case",
    "check": "check_case",
    "check-deploy": "check_deploy",
}

USAGE = gettext_noop("""usage: refuge COMMAND [options]

  serve [--workers N]   serve the application (gunicorn, one process per core, 127.0.0.1:8000 by default)
  migrate               create or update the database
  createuser            create a user in an organisation (audited)
  role USERNAME ROLE    change a user's role (audited; their sessions end)
  import FILE...        import case files (refuge.case/1)
  export CODE [-o FILE] export a case as a case file
  check FILE --today D  check a case file against the rule packs (no database needed)
  check --case CODE     check a stored case
  calendars             the packs' calendars, their holidays data and the last year with decree data
  demo [--serve]        load fictional demo data (and serve it)
  check-deploy          exit 0 only for a configuration fit for production
  unlock USERNAME       forget the failed logins counted for a username (its login throttles)
  apitoken create|revoke USERNAME [--scopes read,write,identity]   a personal access token for the API
  recompute --all       re-run the engine on stored cases (after a rule pack changes)
  vault init|rotate|status   the root key: create (--dev, --shares N --threshold K, --passphrase), rotate
  unseal [--url URL]... open the vault of every process on this host (or of each host's unseal page)
  seal                  drop the key in every process of every host and end every session
  operator grant|revoke|list [USERNAME]   who may seal the server from its pages
  lockdown ORGANISATION [--lift]   stop one organisation (sessions, feeds, logins), or let it in again
  audit keygen|checkpoint|verify   sign checkpoints of the audit chain; verify it
  worker [--once]       deliver alerts (e-mail, webhooks), escalate, remind, send digests, scheduled backups
  backup -o FILE [--recipient age1…]   the database and stored files, age-encrypted and signed
  restore FILE --identity KEY (--shredded-log LOG | --no-shredding-log)   into an empty deployment
  restore --check FILE [--identity KEY]   verify a backup's signature (and its members' hashes)
  mailsink              a local SMTP server keeping messages as .eml files (demo, trials)
  filing KIND --case CODE -o FILE   generate a Rule 39 / UN request, a letter or a client notice
  stats export --period 2016-2026 --to COORD.pub -o FILE   signed, encrypted aggregates for a network
  stats merge FILE... --key COORD.key --signers FILE      verify, combine, then apply disclosure control

Every Django management command works too (refuge help lists them).""")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(cli_gettext(USAGE))
        return 0
    verb = args[0]
    if verb == "check" and "--case" not in args and not any(a.startswith("--case=") for a in args[1:]):
        from refuge.rules.command import main as check_main  # noqa: PLC0415  # deferred: keeps `check` Django-free and fast

        return check_main(args[1:])
    if verb == "calendars":
        from refuge.rules.calendar_command import main as calendars_main  # noqa: PLC0415  # deferred: Django-free too

        return calendars_main(args[1:])
    # Everything Refuge writes (the database, its WAL, stored files, keys, exports) is the owner's alone.
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    from django.conf import settings  # noqa: PLC0415  # after the env is set
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415  # after the env is set
    from django.core.management import execute_from_command_line  # noqa: PLC0415  # after the env is set

    # `migrate` on a new machine, and every other command, find the data directory there (owner-only).
    # (A bad setting is left for Django to report, as it does for every command.)
    with contextlib.suppress(ImproperlyConfigured):
        settings.DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, exist_ok=True)
    _activate_language()
    from django.db import DatabaseError  # noqa: PLC0415  # after the env is set

    try:
        execute_from_command_line(["refuge", ALIASES.get(verb, verb), *args[1:]])
    except DatabaseError:
        if verb in NO_MIGRATION_HINT or not _unmigrated():
            raise
        print(cli_gettext(NOT_MIGRATED), file=sys.stderr)
        return 1
    return 0


# A command run on a database that misses tables (a new data directory, a Refuge newer than its
# database) fails on its first query; it says what to do rather than showing the query's traceback.
NOT_MIGRATED = gettext_noop(
    "refuge: the database misses Refuge's tables (a new data directory, or a Refuge newer than its database): "
    "run `refuge migrate` first, or `refuge restore` a backup into it"
)
NO_MIGRATION_HINT = {"migrate", "makemigrations", "restore", "showmigrations", "sqlmigrate"}


def _unmigrated() -> bool:
    """Whether the database lacks migrations this Refuge has (its tables are missing or old)."""
    from django.db import DatabaseError, connection  # noqa: PLC0415  # after the env is set
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415  # after the env is set

    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:  # no answer at all (a server down): the original error says so
        return False


def _activate_language() -> None:
    """Messages for people in the environment's language (refuge.lib.cli_language); output for programs is the same.

    Django must be set up to load its catalogues; a bad setting is left for Django to report.
    """
    import django  # noqa: PLC0415  # after the env is set
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415  # after the env is set
    from django.utils import translation  # noqa: PLC0415  # after the env is set

    with contextlib.suppress(ImproperlyConfigured):
        django.setup()
        translation.activate(language_from_environment())


if __name__ == "__main__":
    sys.exit(main())
