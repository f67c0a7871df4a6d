"""``refuge calendars [--today YYYY-MM-DD] [--format text|json] [--packs DIR]`` — no Django.

Lists each working-day calendar the rule packs use, where its days come from, the version of
the ``holidays`` data, and the last year with decree data (Russia: the last year in the
package's table of substitutions; calendars without decrees have none). When today is in the
last quarter of the last decreed year (or later), it says so: the next year's decree is due,
and deadlines that reach into that year are flagged ``CALENDAR_UNCONFIRMED`` until ``holidays``
is upgraded to a release that carries it. Exit status 0, or 2 when a pack is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from typing import Any, TextIO

import holidays

from refuge.lib.cli_language import cli_gettext as _
from refuge.rules.calendars import HOLIDAYS_VERSION, WorkCalendar, last_decreed_year
from refuge.rules.packs import PackError, PackSet, load_packs

LAST_QUARTER = 10  # the month from which the next year's decree is awaited


def _region(cal: WorkCalendar) -> str:
    """The pack's short name (``RU``, ``FR-Alsace``), else the country and the subdivision's name."""
    spec = cal.spec
    if spec.region:
        return spec.region
    if spec.country is None:
        return "weekends only"
    if spec.subdiv is None:
        return spec.country
    aliases = getattr(holidays.country_holidays(spec.country, subdiv=spec.subdiv), "subdivisions_aliases", {})
    name = next((alias for alias, code in aliases.items() if code == spec.subdiv), spec.subdiv)
    return f"{spec.country}-{name}"


def describe(packs: PackSet, today: date) -> dict[str, Any]:
    """The calendars of the packs, with their data and decree years, and the warnings for today (in English)."""
    rows, warnings = _calendars(packs, today)
    return {
        "holidays": HOLIDAYS_VERSION,
        "today": today.isoformat(),
        "calendars": rows,
        "warnings": [message % values for message, values in warnings],
    }


def _calendars(packs: PackSet, today: date) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """The rows, and each warning as its English message and values."""
    rows = []
    warnings: list[tuple[str, dict[str, Any]]] = []
    for pack in packs.packs:
        for cal in pack.calendars.values():
            last = last_decreed_year(cal.spec.country) if cal.decreed else None
            rows.append(
                {
                    "calendar": cal.spec.name,
                    "pack": pack.name,
                    "region": _region(cal),
                    "source": cal.spec.source,
                    "data": f"holidays {HOLIDAYS_VERSION}",
                    "decrees": cal.decreed,
                    "last_decreed_year": last,
                }
            )
            if cal.decreed and (last is None or today >= date(last, LAST_QUARTER, 1)):
                warnings.append(_warning(cal, last, today))
    return rows, warnings


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogues; the JSON keeps it in English, the text output translates it."""
    return message


NO_DECREE = gettext_noop("%(calendar)s: the installed holidays %(version)s holds no decree at all")
DECREE_DUE = gettext_noop(
    "%(calendar)s: the decrees known end with %(last)s and today is in its last quarter: when the decree for "
    "%(next)s is published, upgrade holidays to a release that carries it; until then deadlines reaching into "
    "%(next)s are flagged CALENDAR_UNCONFIRMED"
)
DECREE_LATE = gettext_noop(
    "%(calendar)s: the decrees known end with %(last)s, before today: upgrade holidays to a release with the "
    "decree for %(years)s; until then deadlines counted in those years are flagged CALENDAR_UNCONFIRMED"
)


def _warning(cal: WorkCalendar, last: int | None, today: date) -> tuple[str, dict[str, Any]]:
    """The warning's message (in English) and its values."""
    name = f"{cal.spec.name} ({_region(cal)})"
    if last is None:
        return NO_DECREE, {"calendar": name, "version": HOLIDAYS_VERSION}
    after = last + 1
    if today.year <= last:
        return DECREE_DUE, {"calendar": name, "last": last, "next": after}
    years = ", ".join(str(y) for y in range(after, today.year + 1))
    return DECREE_LATE, {"calendar": name, "last": last, "years": years}


def _last(row: dict[str, Any]) -> str:
    if row["last_decreed_year"] is not None:
        return str(row["last_decreed_year"])
    return _("none") if row["decrees"] else _("none (no decrees)")


def render_text(data: dict[str, Any], warnings: list[tuple[str, dict[str, Any]]]) -> str:
    """The table and the warnings (each an English message and its values), in the operator's language."""
    header = [_("calendar"), _("pack"), _("region"), _("days from"), _("last decreed year")]
    rows = [
        [
            r["calendar"],
            r["pack"],
            r["region"],
            r["source"],
            _last(r),
        ]
        for r in data["calendars"]
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    title = _("Calendars of the rule packs · data: holidays %(version)s · today %(today)s") % {
        "version": data["holidays"],
        "today": data["today"],
    }
    lines = [title, ""]
    lines += ["  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in [header, *rows]]
    if warnings:
        lines.append("")
        lines += [_("Warning: %(warning)s") % {"warning": _(message) % values} for message, values in warnings]
    return "\n".join(lines) + "\n"


def main(argv: list[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = argparse.ArgumentParser(
        prog="refuge calendars", description="List the rule packs' calendars and the last year with decree data."
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help=_("the date to warn for (default: today in UTC)")
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help=_("output format (default: text)"))
    parser.add_argument(
        "--packs", action="append", default=[], metavar="DIR", help=_("an extra directory of rule packs (repeatable)")
    )
    args = parser.parse_args(argv[1:] if argv[:1] == ["calendars"] else argv)
    today: date = args.today if args.today is not None else datetime.now(UTC).date()
    try:
        packs = load_packs(args.packs)
    except PackError as exc:
        print(_("refuge calendars: invalid rule pack: %(error)s") % {"error": exc}, file=err)
        return 2
    data = describe(packs, today)
    if args.format == "json":
        out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_text(data, _calendars(packs, today)[1]))
    return 0
