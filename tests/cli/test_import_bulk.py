"""`refuge import` of many files: the bulk path stores what the one-by-one path stores, a case's
`status` decides whether the import alerts, and one bad file among many still refuses them all."""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from bench.engine import make_case
from refuge.accounts.models import User
from refuge.alerts.models import Alert, Delivery, EscalationPolicy, Notification, Reminder
from refuge.audit.events import EventType
from refuge.audit.models import AuditEvent, AuditHead
from refuge.cases.actions import import_casefile
from refuge.cases.derived import CaseCheck, Conflict, Deadline, DerivedChange
from refuge.cases.management.commands import import_cases
from refuge.cases.management.commands.import_cases import Progress
from refuge.cases.models import Authority, AuthorityKind, Case, CaseMember, Event
from refuge.stats.models import StatCount, StatTotal
from tests.cli.test_import_export import refuge

CONFLICT_EXAMPLE = "03-ru-removal-under-un-measure.case.json"  # its removal under a UN measure is a conflict


def write(directory: Path, name: str, data: dict) -> Path:
    path = directory / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def sample(count: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)  # noqa: S311  # seeded fictional cases, not secrets
    out = []
    for n in range(count):
        data = make_case(rng, n)
        data["reference"] = f"BULK-{n:04d}"
        out.append(data)
    return out


def stored(org) -> dict[str, list]:
    """What an import stored for the organisation's cases, without ids and clock readings."""
    by = {"case__organisation": org}
    codes = Case.objects.filter(organisation=org).values_list("code", "reference")
    references = {str(code): reference for code, reference in codes}
    return {
        "cases": sorted(  # who created it only as "someone": the importer's id differs between the organisations
            (*columns, author is None)
            for *columns, author in Case.objects.filter(organisation=org).values_list(
                "reference", "status", "host_state", "timezone", "timezone_explicit", "created_by"
            )
        ),
        "deadlines": sorted(
            Deadline.objects.filter(**by).values_list(
                "case__reference",
                "key",
                "kind",
                "rule",
                "trigger",
                "due_date",
                "due_at",
                "timezone",
                "status",
                "met_by",
                "severity",
                "basis",
                "verified",
                "alternatives",
                "safe_due_date",
                "reminders",
                "flags",
                "calendar",
                "unconfirmed_years",
            ),
            key=repr,
        ),
        "conflicts": sorted(
            Conflict.objects.filter(**by).values_list(
                "case__reference",
                "key",
                "kind",
                "severity",
                "severity_rank",
                "rule",
                "events",
                "basis",
                "flags",
                "notify",
            ),
            key=repr,
        ),
        "history": sorted(
            DerivedChange.objects.filter(**by).values_list(
                "case__reference", "item", "key", "kind", "change", "before", "after", "cause"
            ),
            key=repr,
        ),
        "checks": sorted(CaseCheck.objects.filter(**by).values_list("case__reference", "report", "today"), key=repr),
        "counts": sorted(
            StatCount.objects.filter(**by).values_list(
                "case__reference", "table", "row", "year", "quarter", "host_state", "nationality"
            ),
            key=repr,
        ),
        "totals": sorted(
            StatTotal.objects.filter(organisation=org).values_list(
                "table", "row", "year", "quarter", "host_state", "nationality", "n"
            ),
            key=repr,
        ),
        "alerts": sorted(
            Alert.objects.filter(organisation=org).values_list(
                "case__reference", "kind", "severity", "subject", "body", "item_key", "due_at"
            ),
            key=repr,
        ),
        "events": sorted(
            (  # the free text decrypted: the bulk path encrypts it without model instances
                e.case.reference,
                e.key,
                e.type,
                e.at,
                e.utc_offset_minutes,
                e.date_only,
                e.attributes,
                e.text_attributes,
                e.authority.name if e.authority else None,
                e.author_id,
                e.source,
                e.note,
            )
            for e in Event.objects.filter(**by).select_related("case", "authority")
        ),
        "reminders": sorted(
            Reminder.objects.filter(deadline__case__organisation=org).values_list(
                "deadline__case__reference", "deadline__key", "at", "fired_at"
            ),
            key=repr,
        ),
        "audit": sorted(
            (references[entry.target_code], entry.type, entry.target_kind, entry.fields, entry.data)
            for entry in AuditEvent.objects.filter(chain=org.pk, target_code__in=list(references))
        ),
    }


def test_the_bulk_import_stores_what_the_one_by_one_import_stores(tmp_path, examples_dir, org, other_org):
    cases = sample(24)
    for i, data in enumerate(cases):  # some of each status, and all the shared examples too
        data["status"] = ("open", "dormant", "closed")[i % 3]
        data["events"][i % len(data["events"])].update(source="the hearing's minutes", note=f"fictional note {i}")
    for example in sorted(examples_dir.glob("*.case.json")):
        cases.append(json.loads(example.read_text(encoding="utf-8")))
    rescheduled = json.loads((examples_dir / CONFLICT_EXAMPLE).read_text(encoding="utf-8"))
    rescheduled["reference"] = "BULK-RESCHEDULED"  # a request spoke of a removal date that then changed
    rescheduled["events"].append(
        {
            "id": "e7",
            "type": "removal_scheduled",
            "at": "2026-06-08T12:00:00+03:00",
            "removal_at": "2026-06-20T06:00:00+03:00",
            "destination": "KP",
            "replaces": "e6",
        }
    )
    cases.append(rescheduled)
    shifted = copy.deepcopy(cases[1])  # the engine reads the instants the import read, as stored and read back
    shifted["reference"] = "BULK-OFFSETS"
    for n, event in enumerate(shifted["events"]):  # the same instants, written with other offsets than the zone's
        if len(event["at"]) > 10:
            instant = datetime.fromisoformat(event["at"])
            far = instant.astimezone(timezone(-timedelta(hours=9, minutes=30))).isoformat()
            event["at"] = instant.astimezone(UTC).isoformat().replace("+00:00", "Z") if n % 2 else far
    assert any(e["at"].endswith("Z") for e in shifted["events"]) and any("-09:30" in e["at"] for e in shifted["events"])
    cases.append(shifted)
    files = [write(tmp_path, f"{n:03d}.case.json", data) for n, data in enumerate(cases)]
    named = {  # every authority and place the files name, in both directories: the filings' conflicts
        str(event.get("authority") or event.get("place"))
        for data in cases
        for event in data["events"]
        if event["type"] in {"decision_issued", "detention_started"} and (event.get("authority") or event.get("place"))
    }
    for directory in (org, other_org):
        for n, name in enumerate(sorted(named)):
            kind = (AuthorityKind.COURT, AuthorityKind.DETENTION_CENTRE, AuthorityKind.MIGRATION)[n % 3]
            Authority.objects.create(organisation=directory, name=name, kind=kind)

    refuge("import", *map(str, files[:10]), "--organisation", org.name)  # the second import adds to its totals
    refuge("import", *map(str, files[10:]), "--organisation", org.name)
    for data in cases:
        import_casefile(data=data, organisation=other_org, user=None)

    bulk, one_by_one = stored(org), stored(other_org)
    assert bulk["deadlines"], "the sample derives no deadline: the comparison would prove nothing"
    assert bulk["conflicts"] and bulk["alerts"] and bulk["counts"] and bulk["audit"] and bulk["reminders"]
    kinds = {row[2] for row in bulk["conflicts"]}
    assert {"authority_not_notified", "removal_update_not_sent"} <= kinds, kinds  # the providers answered too
    for name in bulk:
        assert bulk[name] == one_by_one[name], name
    statuses = dict(Case.objects.filter(organisation=org).values_list("reference", "status"))
    assert statuses["BULK-0001"] == "dormant"
    assert statuses["BULK-0002"] == "closed"


@pytest.mark.parametrize("state", [("open", True), ("dormant", False), ("closed", False), (None, True)])
def test_an_imported_case_alerts_only_when_it_is_open(tmp_path, examples_dir, org, alice, state):
    status, alerted = state
    data = json.loads((examples_dir / CONFLICT_EXAMPLE).read_text(encoding="utf-8"))
    if status is not None:
        data["status"] = status
    refuge("import", str(write(tmp_path, "one.case.json", data)), "--organisation", org.name, "--user", "alice")

    case = Case.objects.get(organisation=org)
    assert case.status == (status or "open")
    assert Conflict.objects.filter(case=case).exists()  # the conflict is stored in every state
    alerts = Alert.objects.filter(case=case)
    assert alerts.exists() is alerted
    assert Notification.objects.filter(alert__case=case, user=alice).exists() is alerted


def test_one_bad_file_after_many_good_ones_imports_nothing(tmp_path, org):
    good = [write(tmp_path, f"{n:03d}.case.json", data) for n, data in enumerate(sample(260))]
    bad = sample(1, seed=4)[0]
    bad["reference"] = "BULK-BAD"
    bad["events"][5]["at"] = "yesterday"
    files = [*good, write(tmp_path, "zz-bad.case.json", bad)]

    with pytest.raises(CommandError) as refused:
        refuge("import", *map(str, files), "--organisation", org.name)

    assert refused.value.returncode == 2
    assert "zz-bad.case.json" in str(refused.value)
    assert "$.events[5].at" in str(refused.value)
    assert not Case.objects.exists()
    assert not Event.objects.exists()


def test_a_status_outside_the_three_is_refused(tmp_path, examples_dir, org):
    data = json.loads((examples_dir / CONFLICT_EXAMPLE).read_text(encoding="utf-8"))
    data["status"] = "archived"
    with pytest.raises(CommandError) as refused:
        refuge("import", str(write(tmp_path, "one.case.json", data)), "--organisation", org.name)
    assert "$.status" in str(refused.value)
    assert not Case.objects.exists()


def test_progress_is_plain_lines_in_the_operators_language_when_not_on_a_terminal(monkeypatch):
    monkeypatch.setattr(import_cases, "PLAIN_EVERY", 0.0)
    out = io.StringIO()
    progress = Progress("importing", 20, stream=out, language="ru")
    progress.update(10)
    progress.update(10)
    progress.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "10" in lines[0] and "20" in lines[0] and "50%" in lines[0]
    assert "импорт" in lines[0].lower(), lines[0]  # Russian, not English
    assert "100%" in lines[-1]
    korean = io.StringIO()
    Progress("validating", 20, stream=korean, language="ko").close()
    assert "검" in korean.getvalue(), korean.getvalue()
    few = io.StringIO()
    Progress("importing", 3, stream=few, language="ru").close()
    assert few.getvalue() == ""  # a handful of files: no progress at all


def test_a_failure_while_writing_leaves_nothing_of_the_import(tmp_path, org, alice, monkeypatch):
    """Every file was valid, two batches were written, the third fails: nothing of the import stays."""
    files = [write(tmp_path, f"{n:03d}.case.json", data) for n, data in enumerate(sample(12))]
    before = {model: model.objects.count() for model in (Alert, StatTotal)}
    head_before = list(AuditHead.objects.filter(chain=org.pk).values_list("seq", "hash"))
    monkeypatch.setattr(import_cases, "BATCH", 5)
    calls = []
    real = import_cases.import_casefiles

    def failing(**kwargs):
        calls.append(len(kwargs["docs"]))
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(**kwargs)

    monkeypatch.setattr(import_cases, "import_casefiles", failing)
    with pytest.raises(RuntimeError, match="the disk is full"):
        refuge("import", *map(str, files), "--organisation", org.name, "--user", alice.username)
    assert calls == [5, 5, 2]  # two batches had been written when the third failed
    assert not Case.objects.exists()
    assert not Event.objects.exists()
    assert not Deadline.objects.exists() and not StatCount.objects.exists()
    assert {model: model.objects.count() for model in before} == before
    assert not AuditEvent.objects.filter(type=EventType.CASE_CREATED).exists()
    assert list(AuditHead.objects.filter(chain=org.pk).values_list("seq", "hash")) == head_before


def spy_on_pools(monkeypatch) -> list[bool]:
    """Whether each import validated in worker processes."""
    made: list[bool] = []
    real = import_cases.Command._pool

    def pool(*args):
        found = real(*args)
        made.append(found is not None)
        return found

    monkeypatch.setattr(import_cases.Command, "_pool", staticmethod(pool))
    return made


def test_validating_in_worker_processes_refuses_with_the_same_words_in_the_same_order(tmp_path, org, monkeypatch):
    """Workers validate chunks of files; what they find is reported as one process reports it."""
    monkeypatch.setattr(import_cases, "CHUNK", 4)  # several chunks per worker, some bad files in each
    pools = spy_on_pools(monkeypatch)
    cases = sample(30)
    cases[3]["events"][2]["at"] = "yesterday"
    cases[9]["reference"] = cases[1]["reference"]  # a repeated reference, found across two chunks
    cases[17]["host_state"] = "XX"
    cases[22]["events"][0]["type"] = "unheard_of"
    files = [write(tmp_path, f"{n:03d}.case.json", data) for n, data in enumerate(cases)]
    (tmp_path / "026.case.json").write_text("{not json", encoding="utf-8")

    refusals = {}
    for jobs in ("1", "2", "3"):
        with pytest.raises(CommandError) as refused:
            refuge("import", *map(str, files), "--organisation", org.name, "--jobs", jobs)
        assert refused.value.returncode == 2
        refusals[jobs] = str(refused.value)
    assert pools == [False, True, True]  # --jobs 1 validates here; 2 and 3 in workers
    assert refusals["1"] == refusals["2"] == refusals["3"]
    named = [line for line in refusals["1"].splitlines() if line.endswith(".case.json:")]
    assert [Path(line[:-1]).name for line in named] == [f"{n:03d}.case.json" for n in (3, 9, 17, 22, 26)]
    assert "5 of 30 files are invalid" in refusals["1"]
    assert not Case.objects.exists()


def test_a_batch_validated_by_worker_processes_is_imported(tmp_path, org, monkeypatch):
    monkeypatch.setattr(import_cases, "CHUNK", 4)
    pools = spy_on_pools(monkeypatch)
    files = [write(tmp_path, f"{n:03d}.case.json", data) for n, data in enumerate(sample(13))]
    out, _err = refuge("import", *map(str, files), "--organisation", org.name, "--jobs", "2")
    assert pools == [True]
    assert len(out.splitlines()) == 13
    assert Case.objects.filter(organisation=org).count() == 13
    with pytest.raises(CommandError):
        refuge("import", *map(str, files), "--organisation", org.name, "--jobs", "0")


def alerting(org) -> dict[str, list]:
    """The alerts an import raised for the organisation, with their notifications and deliveries, the
    importer and their addresses named by role (each path imports as its organisation's own lawyer)."""
    alerts = Alert.objects.filter(organisation=org).select_related("case")
    return {
        "cases": sorted(
            (c.reference, c.created_by.username == IMPORTER[org.pk], c.created_at <= c.updated_at)
            for c in Case.objects.filter(organisation=org).select_related("created_by")
        ),
        "team": sorted(
            (m.case.reference, m.user.username == IMPORTER[org.pk], m.added_at is not None)
            for m in CaseMember.objects.filter(case__organisation=org).select_related("case", "user")
        ),
        "alerts": sorted(
            (
                a.case.reference, a.kind, a.severity, a.subject, a.body, a.facts, a.item_key, a.due_at,
                a.dedupe_key, a.level, a.escalate_at - a.created_at if a.escalate_at else None,
                a.acknowledged_at, a.acknowledged_by_id, a.acknowledged_via,
            )
            for a in alerts
        ),
        "notifications": sorted(
            (n.alert.case.reference, n.alert.item_key, n.alert.kind, n.user.username == IMPORTER[org.pk], n.level,
             n.created_at == n.alert.created_at, n.read_at)
            for n in Notification.objects.filter(alert__organisation=org).select_related("alert__case", "user")
        ),
        "deliveries": sorted(
            (d.alert.case.reference, d.alert.item_key, d.alert.kind, d.user.username == IMPORTER[org.pk], d.channel,
             "the importer's" if d.address == d.user.email else d.address, d.state, d.attempts,
             d.next_attempt_at == d.alert.created_at, d.lease_until, d.leased_by, d.last_error, d.sent_at)
            for d in Delivery.objects.filter(alert__organisation=org).select_related("alert__case", "user")
        ),
    }


IMPORTER: dict[int, str] = {}


@pytest.mark.usefixtures("carol")
def test_the_bulk_imports_alerts_notify_and_deliver_as_the_one_by_one_import_does(
    tmp_path, examples_dir, org, other_org, alice
):
    carol = User.objects.get(username="carol")  # other_org's lawyer
    cases = sample(12, seed=7)
    for i, data in enumerate(cases):
        data["status"] = ("open", "open", "dormant", "closed")[i % 4]
    for example in sorted(examples_dir.glob("*.case.json")):
        cases.append(json.loads(example.read_text(encoding="utf-8")))
    EscalationPolicy.objects.create(organisation=org, escalate_after_minutes=17)
    EscalationPolicy.objects.create(organisation=other_org, escalate_after_minutes=17)
    for user in (alice, carol):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    IMPORTER.update({org.pk: alice.username, other_org.pk: carol.username})
    files = [write(tmp_path, f"{n:03d}.case.json", data) for n, data in enumerate(cases)]

    refuge("import", *map(str, files), "--organisation", org.name, "--user", alice.username)
    for data in cases:
        import_casefile(data=data, organisation=other_org, user=carol)

    bulk, one_by_one = alerting(org), alerting(other_org)
    assert bulk["alerts"] and bulk["notifications"] and bulk["deliveries"], "nothing to compare"
    assert any(row[10] is not None for row in bulk["alerts"]), "no critical alert: escalation untested"
    for name in bulk:
        assert bulk[name] == one_by_one[name], name
    assert len({a.code for a in Alert.objects.all()}) == Alert.objects.count()
    assert len({d.idempotency_key for d in Delivery.objects.all()}) == Delivery.objects.count()


def test_the_import_settles_the_collector_once_validated_and_before_it_writes(tmp_path, org, monkeypatch):
    """What the import loaded leaves the collector's sight while the batches are written (a quarter of
    the writing's CPU was the collector walking Django and the packs), not before validation; and the
    collector is as it was afterwards (the import may run inside a process that goes on: here, pytest)."""
    order: list[str] = []
    settled = import_cases.collector.settled

    @contextlib.contextmanager
    def spy():
        with settled():
            order.append("settled")
            assert gc.get_threshold()[0] >= import_cases.collector.FEWER_COLLECTIONS
            yield
        order.append("restored")

    monkeypatch.setattr(import_cases.collector, "settled", spy)
    validate = import_cases.Command._validate
    monkeypatch.setattr(
        import_cases.Command, "_validate", lambda self, *a: order.append("validated") or validate(self, *a)
    )
    write_batch = import_cases.import_casefiles
    monkeypatch.setattr(import_cases, "import_casefiles", lambda **kw: order.append("written") or write_batch(**kw))
    files = [write(tmp_path, f"{n:03d}.case.json", data) for n, data in enumerate(sample(3))]
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    refuge("import", *map(str, files), "--organisation", org.name, "--jobs", "1")
    assert order == ["validated", "settled", "written", "restored"]
    assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, frozen)
    assert Case.objects.filter(organisation=org).count() == 3
