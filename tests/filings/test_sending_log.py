"""Recording a sending: the log row, the timeline's `interim_measure_requested`, the audit entry, one transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

from tests.filings.notify_helpers import MSK, PDF, measure_case

pytestmark = pytest.mark.django_db
SENT = datetime(2026, 3, 4, 10, 15, tzinfo=MSK)


def _filing(case, alice, kind="rule39", lang="en", forum="", content=PDF):  # noqa: PLR0917  # test helper
    from refuge.filings.actions import store_filing

    return store_filing(
        case=case,
        user=alice,
        kind=kind,
        lang=lang,
        fmt="pdf",
        content=content,
        filename=f"{kind}-{lang}.pdf",
        content_type="application/pdf",
        forum=forum,
    )


def _audit(type_):
    from refuge.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(type=int(type_)).order_by("id"))


def test_sending_a_rule39_request_puts_the_request_on_the_timeline(case, alice):
    from refuge.audit.events import EventType
    from refuge.cases.models import CaseCheck
    from refuge.filings.actions import record_sending

    filing = _filing(case, alice, forum="echr")
    sending = record_sending(case=case, user=alice, filing=filing, channel="fax", sent_at=SENT, reference="R39/1")
    event = sending.event
    assert event is not None
    assert (event.type, event.attributes, event.at) == ("interim_measure_requested", {"forum": "echr"}, SENT)
    assert sending.forum == "echr"
    report = CaseCheck.objects.get(case=case).report  # recomputed with the request in it
    assert {(m["kind"], m.get("event")) for m in report["milestones"]} >= {("r39_processing", event.key)}
    [entry] = _audit(EventType.FILING_SENT)
    assert entry.target_code == str(case.code)
    assert entry.data["sending"] == str(sending.code)
    assert entry.data["event"] == str(event.code)
    assert entry.data["forum"] == "echr"


def test_a_un_request_goes_on_record_before_the_committee_chosen(case, alice):
    from refuge.filings.actions import SendingError, record_sending

    filing = _filing(case, alice, kind="un-interim")
    with pytest.raises(SendingError):
        record_sending(case=case, user=alice, filing=filing, channel="email", sent_at=SENT)
    sending = record_sending(case=case, user=alice, filing=filing, channel="email", sent_at=SENT, forum="un_cat")
    assert sending.event.attributes == {"forum": "un_cat"}


def test_a_rule39_request_is_never_recorded_as_sent_by_email(case, alice):
    from refuge.filings.actions import SendingError, record_sending
    from refuge.filings.models import Sending

    filing = _filing(case, alice, forum="echr")
    with pytest.raises(SendingError, match="e-mail"):
        record_sending(case=case, user=alice, filing=filing, channel="email", sent_at=SENT)
    assert not Sending.objects.exists()


def test_a_letter_adds_no_event_but_recomputes_the_case(case, alice):
    from refuge.cases.models import DerivedChange
    from refuge.filings.actions import record_sending

    found = measure_case(case, alice)
    events = case.events.count()
    letter = _filing(case, alice, kind="notify-authority", lang="ru")
    before = case.last_check.computed_at
    sending = record_sending(
        case=case, user=alice, filing=letter, authority=found["court"], channel="post", sent_at=datetime.now(MSK)
    )
    assert sending.event is None
    assert case.events.count() == events
    case.last_check.refresh_from_db()
    assert case.last_check.computed_at > before
    assert not DerivedChange.objects.filter(case=case, cause="filing_sent", kind="authority_not_notified").exists()


def test_the_proof_is_kept_encrypted_with_its_hash(case, alice):
    from refuge.filings.actions import record_sending

    found = measure_case(case, alice)
    proof = b"%PDF-1.4 fax transmission report OK (fictional)"
    sending = record_sending(
        case=case,
        user=alice,
        authority=found["bailiffs"],
        channel="fax",
        sent_at=SENT + timedelta(days=2),
        proof=proof,
        proof_filename="fax-report.pdf",
    )
    assert sending.proof_sha256 == hashlib.sha256(proof).hexdigest()
    assert sending.proof_size == len(proof)
    assert sending.proof_content_type == "application/pdf"
    raw = (Path(settings.MEDIA_ROOT) / sending.proof.name).read_bytes()
    assert b"fax transmission" not in raw and not raw.startswith(b"%PDF")
    assert sending.proof.read_plaintext() == proof


def test_versions_count_per_kind_and_language_and_hashes_match_the_stored_bytes(case, alice):
    first = _filing(case, alice, content=PDF + b"1")
    second = _filing(case, alice, content=PDF + b"2")
    russian = _filing(case, alice, kind="notify-authority", lang="ru", content=PDF + b"3")
    english = _filing(case, alice, kind="notify-authority", lang="en", content=PDF + b"4")
    assert [f.version for f in (first, second, russian, english)] == [1, 2, 1, 1]
    for filing in (first, second, russian, english):
        filing.refresh_from_db()
        plain = filing.file.read_plaintext()
        assert hashlib.sha256(plain).hexdigest() == filing.sha256
        assert filing.size == len(plain)


def test_a_stored_filing_is_ciphertext_at_rest(case, alice):
    from refuge.audit.events import EventType

    filing = _filing(case, alice)
    raw = (Path(settings.MEDIA_ROOT) / filing.file.name).read_bytes()
    assert b"%PDF" not in raw
    assert b"Rule 39" not in raw
    assert filing.file.read_plaintext() == PDF
    [entry] = _audit(EventType.FILING_GENERATED)
    assert entry.data == {
        "filing": str(filing.code),
        "kind": "rule39",
        "lang": "en",
        "format": "pdf",
        "version": 1,
        "size": len(PDF),
        "sha256": None,  # encrypted with the version it belongs to
        "via": "wizard",
    }


def test_deleting_the_case_drops_its_stored_filings_and_proofs(case, alice, adam, django_capture_on_commit_callbacks):
    from refuge.cases.actions import delete_case
    from refuge.filings.actions import record_sending

    found = measure_case(case, alice)
    filing = _filing(case, alice)
    sending = record_sending(
        case=case, user=alice, authority=found["court"], channel="fax", sent_at=SENT, proof=b"proof (fictional)"
    )
    paths = [Path(settings.MEDIA_ROOT) / name for name in (filing.file.name, sending.proof.name)]
    assert all(p.exists() for p in paths)
    with django_capture_on_commit_callbacks(execute=True):
        delete_case(case=case, actor=adam, confirm_reference=case.reference)
    assert not any(p.exists() for p in paths)
