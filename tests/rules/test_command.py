"""`refuge check FILE --today DATE [--format json|text] [--packs DIR]` without Django."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from refuge.casefile.validate import check_report
from refuge.rules.command import main, render_text
from refuge.rules.packs import PACKS_DIR

EXAMPLE = {
    "format": "refuge.case/1",
    "reference": "EX-03",
    "host_state": "RU",
    "person": {"nationality": "KP", "stateless": False, "languages": ["ko"]},
    "events": [
        {"id": "e1", "type": "detention_started", "at": "2026-05-25T08:00:00+03:00", "basis": "readmission"},
        {"id": "e2", "type": "detention_ordered", "at": "2026-05-26T16:00:00+03:00", "term_until": "2026-08-24"},
        {
            "id": "e3",
            "type": "document_signed",
            "at": "2026-05-28T11:00:00+03:00",
            "language": "ru",
            "interpreter": False,
        },
        {
            "id": "e5",
            "type": "interim_measure_granted",
            "at": "2026-06-02T10:00:00+02:00",
            "forum": "un_hrc",
            "until": None,
        },
        {
            "id": "e6",
            "type": "removal_scheduled",
            "at": "2026-06-05T12:00:00+03:00",
            "removal_at": "2026-06-10T06:00:00+03:00",
            "destination": "KP",
        },
    ],
}


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(argv: list[str], out: io.StringIO | None = None) -> tuple[int, str, str]:
    stdout, stderr = out or io.StringIO(), io.StringIO()
    code = main(argv, stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def casefile(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    return path


def test_json_report_is_the_check_format(casefile: Path) -> None:
    code, out, err = run(["check", str(casefile), "--today", "2026-06-05", "--format", "json"])
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert check_report(report) == []
    assert (report["format"], report["reference"], report["today"]) == ("refuge.check/1", "EX-03", "2026-06-05")
    assert [c["kind"] for c in report["conflicts"]] == [
        "removal_during_interim_measure",
        "document_signed_without_interpreter",
    ]


def test_the_leading_check_word_is_optional(casefile: Path) -> None:
    assert run([str(casefile), "--today", "2026-06-05"])[1] == run(["check", str(casefile), "--today", "2026-06-05"])[1]


def test_deadlines_are_ordered_by_due_instant(casefile: Path) -> None:
    report = json.loads(run([str(casefile), "--today", "2026-06-05"])[1])
    dues = [d["due_at"] for d in report["deadlines"]]
    assert [d["kind"] for d in report["deadlines"]] == ["detention_court_order", "un_interim_request", "detention_term"]
    assert dues == ["2026-05-27T08:00:00+03:00", "2026-06-05T23:59:59+02:00", "2026-08-24T23:59:59+03:00"]


def test_text_is_a_table_without_colour_when_not_a_terminal(casefile: Path) -> None:
    code, out, _ = run([str(casefile), "--today", "2026-06-05", "--format", "text"])
    assert code == 0
    assert "\033[" not in out
    assert "CRITICAL  removal_during_interim_measure" in out
    assert "detention_term" in out and "2026-08-24T23:59:59+03:00" in out


def test_text_highlights_severities_on_a_terminal(casefile: Path) -> None:
    code, out, _ = run([str(casefile), "--today", "2026-06-05", "--format", "text"], out=Tty())
    assert code == 0
    assert "\033[1;31mCRITICAL" in out


def test_render_text_handles_an_empty_report() -> None:
    text = render_text(
        {"today": "2026-01-01", "forums": [], "deadlines": [], "milestones": [], "conflicts": []}, colour=False
    )
    assert text.count("none") == 4  # removals, deadlines, milestones, conflicts


def test_invalid_case_file_exits_2_with_paths_on_stderr(tmp_path: Path) -> None:
    bad = dict(EXAMPLE, events=[*EXAMPLE["events"], {"id": "e1", "type": "teleported", "at": "soon"}])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, out, err = run([str(path), "--today", "2026-06-05"])
    assert (code, out) == (2, "")
    assert "$.events[5].id: duplicate event id" in err
    assert "$.events[5].type: unknown event type" in err
    assert "$.events[5].at:" in err


def test_missing_file_and_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run([str(tmp_path / "none.json"), "--today", "2026-06-05"])[0] == 2
    code, _, err = run(["--today", "2026-06-05"])
    assert code == 2
    assert "usage: refuge check" in err
    code, _, err = run([str(tmp_path / "none.json"), "--today", "5 June"])
    assert code == 2
    assert "--today" in err


def test_help_exits_0() -> None:
    code, out, _ = run(["--help"])
    assert code == 0
    assert "--packs DIR" in out


def test_invalid_pack_directory_exits_2(tmp_path: Path, casefile: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.copy(PACKS_DIR / "un.yaml", packs / "un.yaml")
    (packs / "un.yaml").write_text(
        (packs / "un.yaml").read_text(encoding="utf-8").replace("severity: critical", "severity: dire"),
        encoding="utf-8",
    )
    code, out, err = run([str(casefile), "--today", "2026-06-05", "--packs", str(packs)])
    assert (code, out) == (2, "")
    assert "un.interim_request" in err and "severity" in err and str(packs / "un.yaml") in err


def test_extra_packs_are_used(tmp_path: Path) -> None:
    data = {
        "format": "refuge.case/1",
        "host_state": "KZ",
        "events": [
            {"id": "d", "type": "decision_issued", "at": "2026-03-06", "decision": "expulsion"},
            {"id": "r", "type": "decision_received", "at": "2026-03-06", "decision_event": "d"},
        ],
    }
    path = tmp_path / "kz.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    packs = Path(__file__).parent / "packs"
    report = json.loads(run([str(path), "--today", "2026-03-07", "--packs", str(packs)])[1])
    assert [d["rule"] for d in report["deadlines"]] == ["kz.expulsion.appeal"]


def test_today_defaults_to_the_current_date(casefile: Path) -> None:
    code, out, _ = run([str(casefile)])
    assert code == 0
    assert len(json.loads(out)["today"]) == 10
