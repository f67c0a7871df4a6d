"""The `refuge` command speaks the operator's language, from the environment; its output for programs stays the same."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from refuge.lib.cli_language import language_from_environment
from tests.cli.helpers import REPO, refuge_argv, refuge_env


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "ru_RU.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "ko_KR", "LC_ALL": "ru_RU.UTF-8"}, "ru"),
        ({"LC_ALL": "", "LANG": "ko_KR.eucKR"}, "ko"),
        ({"LANG": "ru_RU.UTF-8", "REFUGE_LANGUAGE": "ko"}, "ko"),
        ({"LANG": "ru_RU.UTF-8", "REFUGE_LANGUAGE": "en"}, "en"),
        ({"REFUGE_LANGUAGE": "ru-RU"}, "ru"),
        ({"LANG": "sr_RS@latin"}, "en"),
    ],
)
def test_the_language_comes_from_the_environment_as_for_other_tools(environ: dict[str, str], language: str) -> None:
    assert language_from_environment(environ) == language


def _run(tmp_path: Path, lang: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = refuge_env(tmp_path / "data")
    env["LANG"] = lang
    return subprocess.run(  # noqa: S603  # our own command, fixed arguments
        refuge_argv(*args), input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False
    )


def test_a_django_command_errs_in_russian_korean_or_english(tmp_path: Path) -> None:
    """`createuser` refuses an empty name before it touches the database."""
    args = ("createuser", " ", "--organisation", "Org", "--role", "lawyer", "--password-stdin")
    russian = _run(tmp_path, "ru_RU.UTF-8", *args, stdin="x\n")
    korean = _run(tmp_path, "ko_KR.UTF-8", *args, stdin="x\n")
    english = _run(tmp_path, "C", *args, stdin="x\n")
    assert russian.returncode == korean.returncode == english.returncode == 1
    assert "CommandError: имя пользователя пустое" in russian.stderr
    assert "CommandError: 사용자 이름이 비어 있습니다" in korean.stderr
    assert "CommandError: the username is empty" in english.stderr


def test_the_usage_and_the_check_command_read_the_catalogues_without_django(tmp_path: Path) -> None:
    usage = _run(tmp_path, "ko_KR.UTF-8", "--help")
    assert usage.stdout.startswith("사용법: refuge 명령 [선택 사항]") and "  check --case CODE" in usage.stdout
    assert _run(tmp_path, "C", "--help").stdout.startswith("usage: refuge COMMAND [options]")
    bad = tmp_path / "bad.case.json"
    bad.write_text(json.dumps({"format": "refuge.case/1", "host_state": "RU", "events": "none"}), encoding="utf-8")
    russian = _run(tmp_path, "ru_RU.UTF-8", "check", str(bad), "--today", "2026-03-10")
    english = _run(tmp_path, "C", "check", str(bad), "--today", "2026-03-10")
    assert russian.returncode == english.returncode == 2
    assert f"refuge check: {bad} — неверный файл refuge.case/1:" in russian.stderr
    assert f"refuge check: {bad} is not a valid refuge.case/1 file:" in english.stderr
    # the problems themselves are the validator's contract: the same lines in every language
    assert russian.stderr.splitlines()[1:] == english.stderr.splitlines()[1:]


@pytest.mark.django_db
def test_import_names_each_problem_in_the_operators_language(tmp_path: Path, org: object) -> None:
    broken = tmp_path / "broken.case.json"
    doc = {"format": "refuge.case/1", "reference": "X-1", "host_state": "RU", "events": [{"id": "e1"}]}
    broken.write_text(json.dumps(doc), encoding="utf-8")
    said = {}
    for lang in ("en", "ru", "ko"):
        with translation.override(lang), pytest.raises(CommandError) as refused:
            call_command("import_cases", str(broken), organisation=org.name, stdout=io.StringIO())  # type: ignore[attr-defined]
        said[lang] = str(refused.value)
    assert said["en"].startswith("refused, nothing imported: 1 of 1 files is invalid.")
    assert "  $.events[0].at: is required" in said["en"]
    assert said["ru"].startswith("отказано, ничего не загружено: 1 из 1 файлов с ошибками.")
    assert "  $.events[0].at: обязательно" in said["ru"]
    assert "  $.events[0].type: 반드시 있어야 합니다" in said["ko"]


@pytest.mark.django_db
def test_machine_output_is_the_same_in_every_language(tmp_path: Path, case: object) -> None:
    exports = {}
    for lang in ("en", "ru"):
        out = io.StringIO()
        with translation.override(lang):
            call_command("export_case", case.code, stdout=out, stderr=io.StringIO())  # type: ignore[attr-defined]
        exports[lang] = out.getvalue()
    assert exports["en"] == exports["ru"] and json.loads(exports["en"])["format"] == "refuge.case/1"


def test_the_check_table_reads_in_the_environments_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from refuge.rules.command import render_text

    report = {"today": "2026-01-01", "forums": [], "deadlines": [], "milestones": [], "conflicts": []}
    monkeypatch.setenv("REFUGE_LANGUAGE", "ru")
    russian = render_text(report)
    monkeypatch.setenv("REFUGE_LANGUAGE", "en")
    english = render_text(report)
    assert russian.splitlines()[2] == "Инстанции" and "Forums" not in russian
    assert english.splitlines()[2] == "Forums" and english.count("none") == 4


@pytest.mark.django_db
def test_vault_and_restore_errors_read_in_the_language() -> None:
    from refuge.vault import keys

    with translation.override("ko"), pytest.raises(keys.SourceError, match="--shares N에는 --threshold K가 필요합니다"):
        keys.new_root_key(source="shares", shares=3, threshold=None, passphrase=None)
    with translation.override("ru"), pytest.raises(CommandError, match="исключают друг друга"):
        call_command(
            "restore",
            "none.tar",
            "--identity",
            "key",
            "--shredded-log",
            "log",
            "--no-shredding-log",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    with translation.override("ru"), pytest.raises(CommandError, match="укажите --identity KEYFILE"):
        call_command("restore", "none.tar", "--no-shredding-log", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_the_role_command_names_the_role_in_the_language(bob) -> None:
    out = io.StringIO()
    with translation.override("ru"):
        call_command("role", "bob", "lawyer", stdout=out)
        call_command("role", "bob", "lawyer", stdout=out)
    assert "теперь юрист" in out.getvalue() and "уже роль юрист" in out.getvalue()
    assert "lawyer" not in out.getvalue()
    out = io.StringIO()
    with translation.override("ko"):
        call_command("role", "bob", "analyst", stdout=out)
    assert "분석 담당자" in out.getvalue() and "analyst" not in out.getvalue()


def test_a_weak_passphrase_is_explained_in_the_language() -> None:
    from refuge.vault import keys

    with translation.override("ru"), pytest.raises(keys.SourceError) as refused:
        keys.check_passphrase("qwertyuiopasdfgh")
    assert str(refused.value).startswith("эту кодовую фразу слишком легко подобрать: она является распространённым")
    with translation.override("ko"), pytest.raises(keys.SourceError) as refused:
        keys.check_passphrase("abcdefghijklmnopqrstu")
    assert "이 암호 문장은 너무 쉽게" in str(refused.value) and "abc" in str(refused.value)
    with pytest.raises(keys.SourceError, match="too easy to guess: it repeats characters or words"):
        keys.check_passphrase("aaaaaaaaaaaaaaaa")


def test_backup_and_statistics_refusals_read_in_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from refuge.backup import snapshot
    from refuge.stats import network

    monkeypatch.setattr(snapshot, "_major_of_tool", lambda tool: 15)
    with translation.override("ru"), pytest.raises(snapshot.BackupError, match="сервер работает на PostgreSQL 17"):
        snapshot._check_versions("pg_dump", 170002)  # the check itself, without a server
    with translation.override("ko"), pytest.raises(network.NetworkError, match="JSON이 아닙니다"):
        network.open_export("{", key=network.X25519PrivateKey.generate(), signers={})


def test_the_options_help_reads_in_the_environments_language(tmp_path: Path) -> None:
    env = {**refuge_env(tmp_path), "REFUGE_LANGUAGE": "ru"}
    done = subprocess.run(  # noqa: S603  # our own command
        [*refuge_argv("backup", "--help")], capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "куда записать резервную копию" in done.stdout and "where to write the backup" not in done.stdout
    assert "Сделать согласованную резервную копию" in done.stdout  # the command's description too
    env["REFUGE_LANGUAGE"] = "ko"
    done = subprocess.run(  # noqa: S603  # our own command
        [*refuge_argv("calendars", "--help")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert "출력 형식 (기본값: text)" in done.stdout


def test_every_refuge_command_describes_itself_in_the_language() -> None:
    """Each management command of Refuge's apps translates its `help` when its parser is made."""
    from django.core.management import get_commands, load_command_class

    from refuge.lib.commands import RefugeCommand

    ours = {name: app for name, app in get_commands().items() if app.startswith("refuge")}
    ours.pop("flush")  # Django's own flush, with the audit triggers lifted: Django's words
    assert len(ours) >= 20
    for name, app in sorted(ours.items()):
        command = load_command_class(app, name)
        assert isinstance(command, RefugeCommand), name
        english = command.create_parser("refuge", name).description
        with translation.override("ru"):
            russian = command.create_parser("refuge", name).description
        with translation.override("ko"):
            korean = command.create_parser("refuge", name).description
        assert english and russian and korean, name
        assert len({english, russian, korean}) == 3, (name, english)
