"""Every code a lawyer can meet has words in the packs: a label and a one-sentence explanation."""

from __future__ import annotations

from pathlib import Path

import pytest

from refuge.rules import PackError, load_pack, load_packs
from refuge.rules.engine import LATE_NOTICE
from refuge.rules.packs import PackSet


def _codes(packs: PackSet) -> set[str]:
    """The codes the shipped packs and the engine can put in a report."""
    codes = {LATE_NOTICE, "HRC_AFTER_ECHR_REVIEW", "authority_not_notified", "un_cat", "un_hrc"}
    for pack in packs.packs:
        for rule in pack.rules:
            codes |= {rule.id, rule.kind, *rule.flags}
            if rule.transition_code:
                codes.add(rule.transition_code)
            for alt in rule.alternatives:
                codes |= {alt.code, *alt.flags}
        for ms in pack.milestones:
            codes |= {ms.id, ms.kind}
        for c in pack.conflicts:
            codes |= {c.id, c.kind, *c.flags}
        for cal in pack.calendars.values():
            if cal.spec.approximation_flag:
                codes.add(cal.spec.approximation_flag)
        if pack.availability is not None:
            codes |= {pack.availability.id, pack.availability.forum}
            codes |= {p.flag_after_end for p in pack.availability.parties.values() if p.flag_after_end}
    return codes


def test_every_code_the_packs_can_emit_has_a_label_and_an_explanation() -> None:
    packs = load_packs()
    missing = sorted(code for code in _codes(packs) if packs.label(code) is None)
    assert missing == []
    for code in _codes(packs):
        words = packs.label(code)
        assert words is not None and words.label.strip() and words.explanation.strip(), code
        assert words.label != code, f"{code}: the label repeats the code"


def test_an_unknown_code_has_no_label() -> None:
    assert load_packs().label("NO_SUCH_CODE") is None


def test_a_label_without_an_explanation_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(
        "format: refuge.pack/1\npack: bad\nversion: 1\ntitle: Bad\nscope: {all: true}\n"
        "labels:\n  SOME_FLAG: {label: Some flag}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="explanation"):
        load_pack(pack)
