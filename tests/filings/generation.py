"""Fictional cases for the generation tests (names invented): a Turkish removal to Syria, and more."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from refuge.filings.options import Contact, FilingOptions

TODAY = date(2026, 3, 11)
CONTACT = Contact(
    name="Alice Fictional", phone="+90 000 000 00 01", email="alice@example.org", name_cyrillic="Алиса Вымышленная"
)
REMOVAL_AT = "2026-03-16T09:00:00+03:00"
PLACE = "Demirkent Removal Centre (fictional)"
CLIENT_LATN = "Fiktif Testoglu"
COVER = (
    "Rule 39 – Urgent",
    "Person to contact: Alice Fictional, +90 000 000 00 01, alice@example.org",
    "Scheduled date and time of removal and destination: 16 March 2026 at 09:00 (Europe/Istanbul, UTC+03:00), to Syria",
)


def turkey_events(*, removal_at: str | None = REMOVAL_AT, place: str | None = PLACE) -> list[dict[str, Any]]:
    detention: dict[str, Any] = {"id": "e1", "type": "detention_started", "at": "2026-03-01T08:00:00+03:00"}
    detention["basis"] = "deportation"
    if place:
        detention["place"] = place
    events = [
        detention,
        {
            "id": "e2",
            "type": "decision_issued",
            "at": "2026-03-02T15:00:00+03:00",
            "decision": "deportation",
            "authority": "Administrative Court of Demirkent (fictional)",
        },
        {"id": "e3", "type": "decision_received", "at": "2026-03-02T16:00:00+03:00", "decision_event": "e2"},
        {"id": "e4", "type": "appeal_lodged", "at": "2026-03-04T10:00:00+03:00", "decision_event": "e2"},
        {"id": "e5", "type": "final_domestic_decision", "at": "2026-03-09", "decision_event": "e2"},
    ]
    if removal_at:
        events.append(
            {
                "id": "e6",
                "type": "removal_scheduled",
                "at": "2026-03-10T12:00:00+03:00",
                "removal_at": removal_at,
                "destination": "SY",
            }
        )
    return events


def turkey_case(org: Any, user: Any, *, reference: str = "TST-TR-001", nationality: str = "SY", **kwargs: Any) -> Any:
    from refuge.cases.actions import create_case

    return create_case(
        organisation=org,
        user=user,
        reference=reference,
        host_state="TR",
        timezone="Europe/Istanbul",
        person={
            "nationality": nationality,
            "stateless": False,
            "languages": ["ar", "en"],
            "names": [{"value": CLIENT_LATN, "script": "Latn"}],
        },
        events=turkey_events(**kwargs),
    )


def options(**kwargs: Any) -> FilingOptions:
    return FilingOptions(**{"contact": CONTACT, "today": TODAY, "sender_cyrillic": "Клиника (вымышленная)", **kwargs})


def pdf_text(content: bytes) -> str:
    """The PDF's text with whitespace runs (line breaks of wrapped lines) folded into one space.

    A line wrapped after a slash ("Europe/" + "Moscow") or a hyphen ("Народно-" + "Демократическая")
    is joined without one.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    return re.sub(r"(?<=\w)([/-]) (?=\w)", r"\1", text)


def docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


def codes(refused: Any) -> list[str]:
    return [m.code for m in refused.missing]
