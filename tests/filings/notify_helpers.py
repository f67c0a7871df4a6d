"""What the wizard, sending and notification tests share: a case under an interim measure, its authorities."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

MSK = ZoneInfo("Europe/Moscow")
GRANTED = datetime(2026, 3, 5, 12, 0, tzinfo=MSK)  # the measure's grant: e4 on the case fixture
PDF = b"%PDF-1.7\n% Rule 39 - Urgent (fictional test content)\n%%EOF\n"


def measure_case(case: Any, alice: Any) -> dict[str, Any]:
    """The shared case with a UN HRC measure granted at GRANTED, and its executing authorities.

    The court is named by the decision (e2), the bailiffs by a proceeding; the prosecutor and the
    international body are in the directory but are not executing authorities; another
    organisation's court of the same name is not in the case.
    """
    from refuge.accounts.models import Organisation
    from refuge.cases.actions import record_event
    from refuge.cases.models import Authority, Proceeding

    org = case.organisation
    court = Authority.objects.create(organisation=org, name="District court (fictional)", kind="court")
    bailiffs = Authority.objects.create(organisation=org, name="Bailiffs (fictional)", kind="bailiffs")
    prosecutor = Authority.objects.create(organisation=org, name="Prosecutor (fictional)", kind="prosecutor")
    ohchr = Authority.objects.create(organisation=org, name="OHCHR (fictional)", kind="international_body")
    border = Authority.objects.create(organisation=org, name="Border service (fictional)", kind="border_service")
    elsewhere = Organisation.objects.create(name="Elsewhere (fictional)")
    Authority.objects.create(organisation=elsewhere, name="District court (fictional)", kind="court")
    Proceeding.objects.create(case=case, forum="domestic_authority", authority=bailiffs)
    Proceeding.objects.create(case=case, forum="un_hrc", authority=ohchr)
    Proceeding.objects.create(case=case, forum="domestic_authority", authority=prosecutor)
    grant = record_event(
        case=case,
        user=alice,
        type="interim_measure_granted",
        at=GRANTED.isoformat(),
        attributes={"forum": "un_hrc", "until": None, "destination": "KP"},
    )
    return {"court": court, "bailiffs": bailiffs, "border": border, "ohchr": ohchr, "grant": grant}


def measured_removal(case: Any, alice: Any, forum: str = "un_hrc", name: str = "Bailiffs (fictional)") -> Any:
    """An interim measure of `forum` for the shared Russian case, a removal to KP scheduled anyway, and the
    bailiffs to notify (named `name`, with their Cyrillic name in the dative the letter uses)."""
    from refuge.cases.actions import record_event
    from refuge.cases.models import Authority

    record_event(
        case=case,
        user=alice,
        type="interim_measure_granted",
        at="2026-03-05T12:00:00+01:00",
        attributes={"forum": forum, "until": None, "destination": "KP"},
    )
    record_event(
        case=case,
        user=alice,
        type="removal_scheduled",
        at="2026-03-06T10:00:00+03:00",
        attributes={"removal_at": "2026-03-12T06:30:00+03:00", "destination": "KP"},
    )
    return Authority.objects.create(
        organisation=case.organisation,
        name=name,
        name_cyrillic="Службе судебных приставов (вымышленной)",
        kind="bailiffs",
        country="RU",
    )


def conflicts_of(case: Any, kind: str = "authority_not_notified") -> list[Any]:
    return list(case.conflicts.filter(kind=kind))


CONTACT = {"contact_name": "Alice Advocate", "contact_phone": "+90 000 000 00 01", "contact_email": ""}
REMOVAL_AT = "2026-12-10T06:30:00+03:00"


def rule39_case(org: Any, alice: Any) -> Any:
    """A case the ECtHR covers (Türkiye): detained, deportation ordered, removal to Syria scheduled."""
    from refuge.cases.actions import create_case

    return create_case(
        organisation=org,
        user=alice,
        reference="TST-2026-R39",
        host_state="TR",
        timezone="Europe/Istanbul",
        person={
            "nationality": "SY",
            "stateless": False,
            "languages": ["ar"],
            "names": [{"value": "Fiktif Testoglu", "script": "Latn"}],
            "birth_date": "1985-05-05",
        },
        events=[
            {
                "id": "e1",
                "type": "detention_started",
                "at": "2026-11-20T09:00:00+03:00",
                "basis": "deportation",
                "place": "Demirkent Removal Centre (fictional)",
            },
            {
                "id": "e2",
                "type": "decision_issued",
                "at": "2026-11-21T15:00:00+03:00",
                "decision": "deportation",
                "detention": "foreigners_centre",
                "authority": "Demirkent Governorate (fictional)",
            },
            {"id": "e3", "type": "decision_received", "at": "2026-11-21T16:00:00+03:00", "decision_event": "e2"},
            {
                "id": "e4",
                "type": "removal_scheduled",
                "at": "2026-11-26T10:00:00+03:00",
                "removal_at": REMOVAL_AT,
                "destination": "SY",
            },
        ],
    )


def choices(**overrides: Any) -> dict[str, Any]:
    """Step 1's answers for a Rule 39 request in English, as a browser posts them."""
    data = {"kind": "rule39", "lang": "en", "fmt": "pdf", **CONTACT}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
