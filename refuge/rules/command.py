"""``refuge check FILE --today YYYY-MM-DD [--format json|text] [--packs DIR]`` — no Django.

``refuge/cli.py`` calls :func:`main` with the arguments after ``refuge`` (with or without the
leading ``check``). Exit status: 0 on success, 2 when the case file or a pack is invalid (the
message goes to stderr). ``--today`` defaults to the current date in UTC, here and only here:
the engine itself never reads a clock.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from typing import Any, TextIO

from refuge.casefile.validate import CaseFileError, read_casefile
from refuge.lib.cli_language import cli_gettext as _
from refuge.rules.engine import check
from refuge.rules.packs import PackError, load_packs

_COLOURS = {
    "critical": "\033[1;31m",
    "high": "\033[33m",
    "medium": "\033[36m",
    "info": "\033[2m",
    "missed": "\033[1;31m",
    "met": "\033[32m",
    "cancelled": "\033[2m",
}
_RESET = "\033[0m"


class _Parser(argparse.ArgumentParser):
    """argparse writing to the streams given to :func:`main` (help to stdout, errors to stderr)."""

    def __init__(self, out: TextIO, err: TextIO, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._out = out
        self._err = err

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (self._out if file is None or file is sys.stdout else self._err).write(message)


def _parser(out: TextIO, err: TextIO) -> argparse.ArgumentParser:
    parser = _Parser(
        out,
        err,
        prog="refuge check",
        description="Compute the deadlines, milestones and conflicts of a refuge.case/1 file.",
    )
    parser.add_argument("file", help=_("the case file (JSON, refuge.case/1)"))
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help=_("the date to evaluate on (default: today in UTC)")
    )
    parser.add_argument("--format", choices=("json", "text"), default="json", help=_("output format (default: json)"))
    parser.add_argument(
        "--packs", action="append", default=[], metavar="DIR", help=_("an extra directory of rule packs (repeatable)")
    )
    return parser


def main(argv: list[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args_in = list(argv)
    if len(args_in) > 1 and args_in[0] == "check":
        args_in = args_in[1:]
    parser = _parser(out, err)
    try:
        args = parser.parse_args(args_in)
    except SystemExit as exc:  # argparse has printed its message
        return int(exc.code) if isinstance(exc.code, int) else 2
    today: date = args.today if args.today is not None else datetime.now(UTC).date()
    try:
        packs = load_packs(args.packs)
    except PackError as exc:
        print(_("refuge check: invalid rule pack: %(error)s") % {"error": exc}, file=err)
        return 2
    try:
        case = read_casefile(args.file)
    except CaseFileError as exc:
        print(_("refuge check: %(file)s is not a valid refuge.case/1 file:") % {"file": args.file}, file=err)
        for problem in exc.problems:
            print(f"  {problem}", file=err)
        return 2
    report = check(case, today=today, packs=packs)
    if args.format == "json":
        out.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    else:
        colour = bool(getattr(out, "isatty", lambda: False)())
        out.write(render_text(report, colour=colour))
    return 0


def _paint(text: str, key: str, colour: bool) -> str:
    code = _COLOURS.get(key)
    return f"{code}{text}{_RESET}" if colour and code else text


def _table(rows: list[list[str]], keys: list[list[str]], colour: bool) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row, row_keys in zip(rows, keys, strict=True):
        cells = [_paint(cell.ljust(widths[i]), row_keys[i], colour) for i, cell in enumerate(row)]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def render_text(report: dict[str, Any], *, colour: bool = False) -> str:
    """A readable table; severities and statuses in colour when ``colour`` is true.

    Its words are in the environment's language (refuge.lib.cli_language); codes, dates and rules as in the report.
    """
    head = _("Case %(reference)s · host %(host)s · %(zone)s · today %(today)s") % {
        "reference": report.get("reference") or "-",
        "host": report.get("host_state", "-"),
        "zone": report.get("timezone", "-"),
        "today": report["today"],
    }
    lines = [head, "", _("Forums")]
    for forum in report["forums"]:
        state = _("available") if forum["available"] else _("unavailable")
        suggest = _(" — suggest %(forums)s") % {"forums": ", ".join(forum["suggest"])} if forum["suggest"] else ""
        lines.append(f"  {forum['forum']}: {state}{suggest} ({forum['basis']})")
    none = "  " + _("none")
    lines += ["", _("Removals"), *_removals(report.get("removals", []))]
    lines += ["", _("Deadlines"), *_deadlines(report["deadlines"], colour)]
    lines += ["", _("Milestones")]
    for m in report["milestones"]:
        lines.append(f"  {m['kind']} {m['event']}: {m['date'] or _('not yet known')} ({m['status']})")
    if not report["milestones"]:
        lines.append(none)
    lines += ["", _("Conflicts")]
    if report["conflicts"]:
        rows = [[_("severity"), _("kind"), _("events"), _("notify"), _("flags")]]
        keys = [[""] * 5]
        for c in report["conflicts"]:
            rows.append(
                [
                    c["severity"].upper(),
                    c["kind"],
                    ", ".join(c["events"]),
                    ", ".join(c["notify"]),
                    ", ".join(c["flags"]),
                ]
            )
            keys.append([c["severity"], "", "", "", ""])
        lines += _table(rows, keys, colour)
    else:
        lines.append(none)
    return "\n".join(lines) + "\n"


def _removals(removals: list[dict[str, Any]]) -> list[str]:
    """Each removal: its status, the measure protecting it, or what to file now."""
    if not removals:
        return ["  " + _("none")]
    lines = []
    for r in removals:
        to = _("%(event)s %(when)s to %(destination)s") % {
            "event": r["event"],
            "when": r["removal_at"],
            "destination": r["destination"] or "?",
        }
        line = f"  {to}: {r['status']}"
        by = r["protected_by"]
        if by is not None:
            line += _(", protected by %(event)s (%(forum)s, granted %(granted)s, until %(until)s)") % {
                "event": by["event"],
                "forum": by["forum"],
                "granted": by["granted_at"],
                "until": by["until"] or _("further notice"),
            }
        elif r["status"] == "scheduled":
            line += _(", NOT PROTECTED")
        if r["file_now"]:
            line += _(" — file now: %(forums)s") % {"forums": ", ".join(r["file_now"])}
        lines.append(line)
    return lines


def _deadlines(deadlines: list[dict[str, Any]], colour: bool) -> list[str]:
    if not deadlines:
        return ["  " + _("none")]
    rows = [[_("due"), _("kind"), _("status"), _("severity"), _("trigger"), _("safe date"), _("rule")]]
    keys = [[""] * 7]
    notes: list[str] = []
    for d in deadlines:
        status = d["status"] + (f" ({d['met_by']})" if d["met_by"] else "")
        rows.append([d["due_at"], d["kind"], status, d["severity"], d["trigger"], d["safe_due_date"] or "", d["rule"]])
        keys.append(["", "", d["status"], d["severity"], "", "", ""])
        parts = []
        unconfirmed = (d.get("calendar") or {}).get("unconfirmed_years")
        if unconfirmed:  # the safe date first: the count ran through a year with no decree yet
            parts.append(
                _("file by %(date)s (no decree yet for %(years)s)")
                % {"date": d["safe_due_date"], "years": ", ".join(map(str, unconfirmed))}
            )
        if d["alternatives"]:
            alternatives = ", ".join(f"{a['code']} {a['due_date']}" for a in d["alternatives"])
            parts.append(_("alternatives %(list)s") % {"list": alternatives})
        if d["flags"]:
            parts.append(_("flags %(list)s") % {"list": ", ".join(d["flags"])})
        if not d["verified"]:
            parts.append(_("unverified rule"))
        if parts:
            notes.append(f"    {d['kind']} {d['trigger']}: " + "; ".join(parts))
    return _table(rows, keys, colour) + notes
