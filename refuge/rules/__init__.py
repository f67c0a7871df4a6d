"""The deadline and conflict engine: pure Python, no Django, no database, no clock.

    from refuge.rules import check, load_packs
    report = check(case, today=date(2026, 3, 4), packs=load_packs())

``case`` is a validated ``refuge.case/1`` dict (see :mod:`refuge.casefile.validate`) or the
facts :func:`parse_facts` made from one; the result is a ``refuge.check/1`` dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from refuge.rules.engine import check, facts_for
from refuge.rules.facts import Facts
from refuge.rules.packs import PackError, PackSet, load_pack, load_packs


def parse_facts(case: Mapping[str, Any], packs: PackSet | None = None) -> Facts:
    """Parse a validated case once; ``check`` accepts the result (fast repeated evaluation)."""
    return facts_for(case, packs)


__all__ = ["Facts", "PackError", "PackSet", "check", "load_pack", "load_packs", "parse_facts"]
