"""`authority_not_notified`: raised 24 hours after a grant while an executing authority has no sending since."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.filings.notify_helpers import GRANTED, conflicts_of, measure_case

pytestmark = pytest.mark.django_db


def _recompute(case):
    from refuge.cases.recompute import recompute_case

    return recompute_case(case=case, cause="test")


def _send(case, alice, authority, at):
    from refuge.filings.actions import record_sending

    return record_sending(case=case, user=alice, channel="fax", sent_at=at, authority=authority)


def test_the_conflict_waits_24_hours_and_asks_to_be_rechecked_then(case, alice):
    from refuge.cases.models import CaseCheck

    measure_case(case, alice)
    with time_machine.travel(GRANTED + timedelta(hours=23, minutes=59), tick=False):
        _recompute(case)
    assert conflicts_of(case) == []
    assert CaseCheck.objects.get(case=case).recheck_at == GRANTED + timedelta(hours=24)


def test_the_conflict_appears_after_24_hours_naming_the_measure_and_who_to_notify(case, alice):
    from refuge.cases.models import CaseCheck

    found = measure_case(case, alice)
    with time_machine.travel(GRANTED + timedelta(hours=24), tick=False):
        _recompute(case)
    [conflict] = conflicts_of(case)
    assert conflict.severity == "high"
    assert conflict.events == [found["grant"].key]
    # The court (named by the decision) and the bailiffs (a proceeding); never the prosecutor or the OHCHR.
    assert conflict.notify == ["court", "executing_authority"]
    assert CaseCheck.objects.get(case=case).recheck_at is None  # nothing will change by itself now


def test_the_conflict_clears_as_the_notification_log_fills(case, alice):
    found = measure_case(case, alice)
    later = GRANTED + timedelta(hours=30)
    with time_machine.travel(later, tick=False):
        _recompute(case)
        assert len(conflicts_of(case)) == 1
        _send(case, alice, found["court"], GRANTED + timedelta(hours=25))
        [conflict] = conflicts_of(case)  # recomputed by the sending itself
        assert conflict.notify == ["executing_authority"]  # the bailiffs still wait
        _send(case, alice, found["bailiffs"], GRANTED + timedelta(hours=26))
        assert conflicts_of(case) == []


def test_a_sending_before_the_grant_does_not_count_and_brings_its_authority_into_the_case(case, alice):
    found = measure_case(case, alice)
    with time_machine.travel(GRANTED + timedelta(hours=30), tick=False):
        _send(case, alice, found["court"], GRANTED - timedelta(hours=1))  # told of something earlier
        _send(case, alice, found["bailiffs"], GRANTED + timedelta(hours=2))
        _send(case, alice, found["border"], GRANTED - timedelta(days=1))  # in the log: now in the case
        [conflict] = conflicts_of(case)
        assert conflict.notify == ["border_service", "court"]


def test_notifying_in_time_never_raises_it(case, alice):
    found = measure_case(case, alice)
    with time_machine.travel(GRANTED + timedelta(hours=3), tick=False):
        _send(case, alice, found["court"], GRANTED + timedelta(hours=1))
        _send(case, alice, found["bailiffs"], GRANTED + timedelta(hours=2))
    with time_machine.travel(GRANTED + timedelta(days=3), tick=False):
        _recompute(case)
    assert conflicts_of(case) == []


def test_a_lifted_or_expired_measure_needs_no_notification(case, alice):
    from refuge.cases.actions import record_event

    measure_case(case, alice)
    with time_machine.travel(GRANTED + timedelta(days=2), tick=False):
        _recompute(case)
        assert len(conflicts_of(case)) == 1
        record_event(
            case=case,
            user=alice,
            type="interim_measure_lifted",
            at=(GRANTED + timedelta(days=1, hours=12)).isoformat(),
            attributes={"forum": "un_hrc"},
        )
        assert conflicts_of(case) == []
        # A second, time-limited measure: once its `until` has passed, nothing is raised for it.
        record_event(
            case=case,
            user=alice,
            type="interim_measure_granted",
            at=(GRANTED - timedelta(days=5)).isoformat(),
            attributes={"forum": "un_cat", "until": (GRANTED - timedelta(days=1)).isoformat(), "destination": None},
        )
        assert conflicts_of(case) == []


def test_a_case_without_executing_authorities_raises_nothing(case, alice):
    from refuge.cases.actions import record_event
    from refuge.cases.models import Authority

    Authority.objects.create(organisation=case.organisation, name="Unrelated court (fictional)", kind="court")
    record_event(
        case=case,
        user=alice,
        type="interim_measure_granted",
        at=GRANTED.isoformat(),
        attributes={"forum": "un_hrc", "until": None, "destination": None},
    )
    with time_machine.travel(GRANTED + timedelta(days=2), tick=False):
        _recompute(case)
    assert conflicts_of(case) == []


def test_the_conflict_has_a_label_on_the_case_page(case, alice, client):
    from refuge.cases.law import conflict_label

    measure_case(case, alice)
    with time_machine.travel(GRANTED + timedelta(days=1, hours=1), tick=False):
        _recompute(case)
    client.force_login(alice)
    body = client.get(case.get_absolute_url()).content.decode()
    assert conflict_label("authority_not_notified") in body
    assert conflict_label("authority_not_notified") != "authority_not_notified"


def test_the_worker_finds_the_court_the_decision_names_with_the_vault_sealed(case, alice):
    from refuge.cases.models import Case
    from refuge.vault import state

    measure_case(case, alice)
    state.seal(reason="test")  # the worker's process: no key, and no development key file auto-unseal
    fresh = Case.objects.get(pk=case.pk)
    with time_machine.travel(GRANTED + timedelta(hours=24), tick=False):
        _recompute(fresh)
    [conflict] = conflicts_of(fresh)
    assert conflict.notify == ["court", "executing_authority"]  # the court through the event's link, not its text
    with pytest.raises(state.VaultSealed):
        _ = fresh.events.get(key="e2").text_attributes


def test_a_batch_re_check_reads_the_log_at_once_and_finds_the_same(case, alice):
    """The clock's batch (refuge.cases.recompute.recompute_cases) reads the notification log and the
    directory once for all its cases, and raises what the case-by-case recomputation raises."""
    from refuge.cases.recompute import batch_of_cases, recompute_cases

    found = measure_case(case, alice)
    later = GRANTED + timedelta(hours=30)
    _send(case, alice, found["court"], GRANTED + timedelta(hours=25))
    cases = list(batch_of_cases().filter(pk=case.pk))
    recompute_cases(cases=cases, cause="clock", now=later)
    [conflict] = conflicts_of(case)
    assert conflict.notify == ["executing_authority"]  # the court was told; the bailiffs still wait
    with time_machine.travel(later, tick=False):
        _recompute(case)
    assert [c.notify for c in conflicts_of(case)] == [["executing_authority"]]


def _page_read(case):
    from refuge.filings.conflicts import Read

    return Read(
        events=list(case.events.all()),
        proceedings=list(case.proceedings.all()),
        sendings=list(case.sendings.all()),
    )


def _answer(waiting):
    return [(w.measure.event.key, w.measure.granted_at, [a.pk for a in w.authorities]) for w in waiting]


def test_the_page_s_reading_of_who_waits_is_the_provider_s(case, alice):
    """The case page answers from what it has read (events, proceedings, sendings); the answer is the same."""
    from refuge.filings.conflicts import waiting_notifications

    found = measure_case(case, alice)
    now = GRANTED + timedelta(hours=30)
    with time_machine.travel(now, tick=False):
        steps = [
            lambda: None,
            lambda: _send(case, alice, found["court"], GRANTED - timedelta(hours=1)),  # before: does not count
            lambda: _send(case, alice, found["border"], GRANTED - timedelta(days=1)),  # brings the border in
            lambda: _send(case, alice, found["bailiffs"], GRANTED + timedelta(hours=2)),
            lambda: _send(case, alice, found["court"], GRANTED + timedelta(hours=3)),
        ]
        answers = []
        for step in steps:
            step()
            expected = _answer(waiting_notifications(case, now))
            assert _answer(waiting_notifications(case, now, read=_page_read(case))) == expected
            answers.append(expected)
    assert answers[0][0][2] and answers[-1][0][2] != answers[0][0][2]  # the steps changed the answer
