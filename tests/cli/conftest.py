from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    """A case file with one bad value, at $.events[1].at."""
    doc = {
        "format": "refuge.case/1",
        "reference": "BROKEN-1",
        "host_state": "RU",
        "timezone": "Europe/Moscow",
        "person": {"nationality": "UZ", "stateless": False, "languages": ["uz"]},
        "events": [
            {"id": "e1", "type": "decision_issued", "at": "2026-03-03T15:00:00+03:00", "decision": "expulsion"},
            {"id": "e2", "type": "decision_received", "at": "yesterday", "decision_event": "e1"},
        ],
    }
    path = tmp_path / "broken.case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
