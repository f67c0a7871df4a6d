"""The controlled tables as JSON, CSV and a printable PDF report (what an NGO publishes as is)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django.template.loader import render_to_string

from refuge.filings.pdf import html_to_pdf
from refuge.stats.charts import bar_chart
from refuge.stats.tables import Slice

FORMAT = "refuge.stats/1"


def _cell(c: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"period": c.period, "value": c.value, "display": c.display}
    if c.status:
        item["suppressed"] = c.status
    return item


def to_json(views: list[Slice], *, threshold: int, organisation: str, today: date) -> dict[str, Any]:
    """Ids, rows and periods are stable keys; titles and labels are in the active language (English by default)."""
    exact = any(v.exact for v in views)
    return {
        "format": FORMAT,
        "organisation": organisation,
        "made_on": today.isoformat(),
        "threshold": threshold,
        "exact": exact,
        "method": "primary suppression below the threshold, secondary suppression on every line of one cube "
        "(ONS; Eurostat/ESSnet Handbook on SDC, ch. 4)",
        "tables": [
            {
                "id": v.spec.id,
                "title": str(v.spec.title),
                "group": v.group,
                "note": str(v.spec.period_note),
                "columns": [{"period": p, "label": label} for p, label in v.columns],
                "rows": [{"row": r.row, "label": str(r.label), "cells": [_cell(c) for c in r.cells]} for r in v.rows],
                "headlines": [
                    {"text": h.text, "what": str(h.phrase), "part": str(h.part_label), "whole": str(h.whole_label)}
                    for h in v.headlines
                ],
            }
            for v in views
        ],
    }


def to_csv(views: list[Slice]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "group", "row", "period", "value", "suppressed"])
    for v in views:
        for r in v.rows:
            for c in r.cells:
                writer.writerow([v.spec.id, v.group, r.row, c.period, c.display, c.status])
    return out.getvalue()


def report_html(views: list[Slice], *, threshold: int, organisation: str, years: tuple[int, int], today: date) -> str:
    """The printable report ("Outcomes 2016–2026"): each chart with its table, then the method."""
    html: str = render_to_string(
        "stats/report.html",
        {
            "sections": [(v, bar_chart(v)) for v in views],
            "threshold": threshold,
            "organisation": organisation,
            "first_year": years[0],
            "last_year": years[1],
            "today": today,
            "exact": any(v.exact for v in views),
        },
    )
    return html


def to_pdf(views: list[Slice], **kwargs: Any) -> bytes:
    return html_to_pdf(report_html(views, **kwargs), extra_css=("stats/report.css",))
