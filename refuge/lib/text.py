"""Text from people and files, made safe to show: bidirectional controls removed.

An embedded right-to-left override (U+202E) makes a name read differently from what it is
("Trojan Source"); in a name it has no honest use. The isolates and marks are removed too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates, U+200E/U+200F marks.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def strip_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def clean_names(names: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Names (value and script) with bidirectional controls removed; a name left empty is dropped."""
    cleaned = []
    for name in names:
        if not isinstance(name, dict):
            continue
        value = strip_bidi(str(name.get("value", ""))).strip()
        if value:
            cleaned.append({**name, "value": value})
    return cleaned
