"""The day's-end re-check: claimed by one worker per case, recomputed in batches, stored as the
case-by-case recomputation stores it (rows, history, statistics, alerts)."""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import F

from bench.engine import make_case
from refuge.alerts import clock
from refuge.alerts.models import Alert, Notification, Reminder
from refuge.casefile.validate import load_casefile
from refuge.cases import recompute
from refuge.cases.bulk_import import import_casefiles
from refuge.cases.derived import CaseCheck, DerivedChange
from refuge.cases.models import Case, Event
from refuge.cases.recompute import batch_of_cases, recompute_case, recompute_cases
from tests.alerts.test_kill import ROOT, TIMEOUT, database_url  # noqa: F401  # a fixture, used by name
from tests.cli.test_import_bulk import stored

IMPORTED = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


def docs(count: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)  # noqa: S311  # seeded fictional cases, not secrets
    out = []
    for n in range(count):
        data = make_case(rng, n)
        data["reference"] = f"RCK-{n:04d}"
        data["status"] = ("open", "open", "dormant", "closed")[n % 4]
        out.append(load_casefile(data))
    return out


def imported(org, user, count: int) -> list[Case]:
    with transaction.atomic():
        return import_casefiles(docs=docs(count), organisation=org, user=user, now=IMPORTED)


def reminders(org) -> list[tuple]:
    return sorted(
        Reminder.objects.filter(deadline__case__organisation=org).values_list(
            "deadline__case__reference", "deadline__key", "at", "fired_at"
        )
    )


def notified(org) -> list[tuple]:
    return sorted(
        Notification.objects.filter(alert__organisation=org).values_list(
            "alert__case__reference", "alert__kind", "alert__item_key", "user__username", "level"
        )
    )


def checks(org) -> list[tuple]:
    return sorted(
        CaseCheck.objects.filter(case__organisation=org).values_list(
            "case__reference", "today", "computed_at", "recheck_at", "next_check_at", "claimed_by", "claimed_until"
        )
    )


def test_the_batch_stores_what_recomputing_each_case_stores(org, other_org, alice, carol, monkeypatch):
    """Two organisations import the same cases; at each later instant one recomputes them case by case,
    the other in one batch: rows, history, checks, statistics, reminders and alerts come out the same.
    The batch leaves the rows of a case whose report changed only in its date as they are
    (`same_but_date`): both ways are compared."""
    carol.username = "alice-twin"  # the team's name is in no alert; only the count of recipients is compared
    verdicts: list[bool] = []
    judge = recompute.same_but_date

    def same_but_date(stored, report):
        verdicts.append(judge(stored, report))
        return verdicts[-1]

    monkeypatch.setattr(recompute, "same_but_date", same_but_date)
    one_by_one = imported(org, alice, 40)
    imported(other_org, carol, 40)
    moved = 0
    for days in (1, 40, 400, 2000):
        now = IMPORTED + timedelta(days=days, hours=3)
        for organisation in (org, other_org):  # the same edits to both, so that rows move, come and go
            if days == 40:
                edit_later_half(organisation, shift=timedelta(days=3))
            if days == 400:
                drop_last_events(organisation, 3)
        for case in one_by_one:
            with transaction.atomic():
                recompute_case(case=Case.objects.get(pk=case.pk), cause="clock", now=now)
        with transaction.atomic():
            recompute_cases(cases=batch_of_cases().filter(organisation=other_org), cause="clock", now=now)
        a, b = stored(org), stored(other_org)
        for rows in (a, b):  # each organisation's events were written by its own importer (alice, carol)
            rows["events"] = [row[:9] + row[10:] for row in rows["events"]]
        for name in a:
            assert a[name] == b[name], (days, name)
        assert reminders(org) == reminders(other_org), days
        assert len(notified(org)) == len(notified(other_org)), days
        assert checks(org) == checks(other_org), days
        moved += DerivedChange.objects.filter(case__organisation=org, cause="clock").count()
    clock_alerts = Alert.objects.filter(organisation=org, created_at__gt=IMPORTED).count()
    assert moved and clock_alerts, "time changed nothing: the comparison would prove nothing"
    kinds = set(DerivedChange.objects.filter(case__organisation=org, cause="clock").values_list("change", flat=True))
    assert {"status", "moved", "removed", "added"} <= kinds, kinds
    assert True in verdicts and False in verdicts, "the batch took one way only: the other went untested"


def edit_later_half(organisation, *, shift: timedelta) -> None:
    """Move the later half of each case's events by `shift` (their order stays)."""
    for case in Case.objects.filter(organisation=organisation):
        events = list(case.events.order_by("at", "id"))
        later = [e.pk for e in events[len(events) // 2 :]]
        Event.objects.filter(pk__in=later).update(at=F("at") + shift)


def drop_last_events(organisation, count: int) -> None:
    """Delete the last events of each case (no event refers to a later one)."""
    for case in Case.objects.filter(organisation=organisation):
        Event.objects.filter(
            pk__in=list(case.events.order_by("-at", "-id").values_list("pk", flat=True)[:count])
        ).delete()


def test_two_claims_never_share_a_case_and_a_dead_workers_claim_runs_out(org, alice):
    imported(org, alice, 30)
    now = IMPORTED + timedelta(days=1)
    first = clock.claim_checks(now=now, worker="w1", batch=20)
    second = clock.claim_checks(now=now, worker="w2", batch=20)
    assert len(first) == 20 and len(second) == 10
    assert not set(first) & set(second)
    assert clock.claim_checks(now=now, worker="w3", batch=20) == []  # all held
    # w1 dies holding its claims: once they run out, another worker takes them.
    later = now + clock.RECHECK_LEASE + timedelta(seconds=1)
    assert clock.recheck_claimed(second, now=now, worker="w2") == 10
    assert sorted(clock.claim_checks(now=later, worker="w3", batch=50)) == sorted(first)


def test_a_case_recomputed_meanwhile_is_left_to_that_recomputation(org, alice):
    cases = imported(org, alice, 3)
    now = IMPORTED + timedelta(days=1)
    claimed = clock.claim_checks(now=now, worker="w1")
    with transaction.atomic():  # an event recorded meanwhile recomputes one of them
        recompute_case(case=Case.objects.get(pk=cases[0].pk), cause="event_added", now=now + timedelta(seconds=1))
    assert clock.recheck_claimed(claimed, now=now, worker="w1") == 2
    assert not CaseCheck.objects.exclude(claimed_by="").exists()  # every claim released
    assert CaseCheck.objects.get(case=cases[0]).computed_at == now + timedelta(seconds=1)


def test_the_clock_rechecks_each_case_once_per_day(org, alice):
    imported(org, alice, 12)
    now = IMPORTED + timedelta(days=1)
    assert clock.recheck_cases(now=now, batch=5) == 12
    assert clock.recheck_cases(now=now, batch=5) == 0
    assert clock.recheck_cases(now=now + timedelta(days=1), batch=5) == 12
    assert not CaseCheck.objects.exclude(claimed_by="").exists()


def test_same_but_date_lets_only_the_date_differ():
    stored = {"today": "2026-03-05", "deadlines": [{"key": "a", "status": "open"}], "conflicts": []}
    assert recompute.same_but_date(stored, {**stored, "today": "2026-03-06"})
    assert not recompute.same_but_date(stored, {**stored, "deadlines": [{"key": "a", "status": "missed"}]})
    assert not recompute.same_but_date(stored, {**stored, "conflicts": [{"kind": "k"}]})
    assert not recompute.same_but_date(stored, {**stored, "removals": []})  # a part the stored one lacks
    undated = {k: v for k, v in stored.items() if k != "today"}  # not a report the engine made
    assert not recompute.same_but_date(undated, stored)


def test_the_collector_runs_less_often_while_rechecking_then_as_before(org, alice, monkeypatch):
    imported(org, alice, 3)
    seen = []
    claim = clock.claim_checks

    def spy(**kwargs):
        seen.append(gc.get_threshold())
        return claim(**kwargs)

    monkeypatch.setattr(clock, "claim_checks", spy)
    before = gc.get_threshold()
    assert clock.recheck_cases(now=IMPORTED + timedelta(days=1)) == 3
    assert gc.get_threshold() == before
    assert seen and all(t == (clock.RECHECK_GC_THRESHOLD, *before[1:]) for t in seen), (seen, before)


def test_a_batch_lets_go_of_its_rows_and_timelines(org, alice, monkeypatch):
    """What a batch kept on its cases (the events' rows) and facts (their timeline, which refers back to
    them) is dropped once it is stored, so that reference counting frees them, not the collector."""
    imported(org, alice, 3)
    found = []
    evaluate = clock.evaluate_cases

    def spy(cases, **kwargs):
        found.extend(evaluate(cases, **kwargs))
        return found

    monkeypatch.setattr(clock, "evaluate_cases", spy)
    assert clock.recheck_cases(now=IMPORTED + timedelta(days=1)) == 3
    assert len(found) == 3
    for e in found:  # the statistics built every case's timeline from its facts
        assert e.facts.readings.timeline is None and not e.facts.readings.merged
        assert not [name for name in vars(e.case) if name.startswith("_refuge_")]


def test_a_batch_that_fails_is_recomputed_case_by_case(org, alice, monkeypatch):
    imported(org, alice, 4)

    def broken(*args, **kwargs):
        raise RuntimeError("a fault of the batch path")

    monkeypatch.setattr(clock, "store_evaluated", broken)
    assert clock.recheck_cases(now=IMPORTED + timedelta(days=1)) == 4
    assert not CaseCheck.objects.exclude(claimed_by="").exists()


# -- two workers in two processes ------------------------------------------------------------------

CASES = 300


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603  # our own interpreter and modules
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT * 3, check=False
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_recheck_every_case_once(tmp_path, database_url):  # noqa: F811  # the fixture
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFUGE_", "DJANGO_"))}
    if database_url:
        env["REFUGE_DATABASE_URL"] = database_url
    env.update(
        DJANGO_SETTINGS_MODULE="refuge.settings",
        REFUGE_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    run(env, "-m", "refuge", "migrate", "--verbosity", "0")
    run(env, "-m", "tests.alerts.recheck_procs", "seed", str(CASES), IMPORTED.isoformat())
    now = (IMPORTED + timedelta(days=365)).isoformat()  # a year on: deadlines have passed meanwhile
    workers = [
        subprocess.Popen(  # noqa: S603  # see run()
            [sys.executable, "-m", "tests.alerts.recheck_procs", "recheck", name, now, "20"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    outputs = [proc.communicate(timeout=TIMEOUT * 3) for proc in workers]
    for proc, (_out, err) in zip(workers, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "failed" not in err and "Error" not in err, err  # no batch rolled back, no case retried
    done = [json.loads(out.strip().splitlines()[-1])["done"] for out, _err in outputs]
    assert sum(done) == CASES, done  # each case once: never by both
    assert all(done), done  # both took part
    report = json.loads(run(env, "-m", "tests.alerts.recheck_procs", "report", now).strip().splitlines()[-1])
    assert report["checks"] == report["rechecked"] == CASES
    assert report["claimed"] == 0
    assert report["clock_changes"] > 0
    assert report["changes_twice"] == 0
