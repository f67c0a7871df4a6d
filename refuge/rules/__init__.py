"""The deadline and conflict engine: pure Python, no Django, no database, no clock.

    from refuge.rules import check, load_packs
    report = check(case, today=date(2026, 3, 4), packs=load_packs())

``case`` is a validated ``refuge.case/1`` dict (see :mod:`refuge.casefile.validate`) or the
facts :func:`parse_facts` made from one; the result is a ``refuge.check/1`` dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from refuge.rules.engine import check, evaluate, facts_for
from refuge.rules.facts import Facts
from refuge.rules.packs import PackError, PackSet, default_packs, load_pack, load_packs
from refuge.rules.report import CheckReport, ProtectedBy, RemovalReport
from refuge.rules.timeline import Timeline


def parse_facts(case: Mapping[str, Any], packs: PackSet | None = None) -> Facts:
    """Parse a validated case once; ``check`` accepts the result (fast repeated evaluation)."""
    return facts_for(case, packs)


def timeline(case: Mapping[str, Any] | Facts, packs: PackSet | None = None) -> Timeline:
    """The case's one reading of removals, measures, requests and forums (see :mod:`refuge.rules.timeline`)."""
    packset = packs if packs is not None else default_packs()
    facts = case if isinstance(case, Facts) else facts_for(case, packset)
    return Timeline.of(facts, packset)


__all__ = [
    "CheckReport",
    "Facts",
    "PackError",
    "PackSet",
    "ProtectedBy",
    "RemovalReport",
    "Timeline",
    "check",
    "evaluate",
    "load_pack",
    "load_packs",
    "parse_facts",
    "timeline",
]
