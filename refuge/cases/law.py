"""Words for what the law engine reports: labels of deadline, conflict and milestone kinds."""

from __future__ import annotations

from datetime import datetime

from refuge.lib import humantime

DEADLINE_LABELS = {
    "appeal": "Appeal against the removal decision",
    "asylum_appeal": "Appeal against the asylum refusal",
    "authority_decision": "Asylum authority's preliminary decision",
    "leave_country": "Leave the country (after the asylum appeal failed)",
    "enforcement_lapse": "Removal decision lapses if not enforced",
    "detention_court_order": "Court order on detention (48 hours)",
    "detention_term": "End of the court-ordered detention term",
    "detention_review": "Review of a stateless person's detention",
    "r39_cutoff": "Last moment for a Rule 39 request to the ECtHR",
    "echr_application": "ECtHR application time-limit",
    "un_interim_request": "Target for a UN interim-measures request",
    "forum_deadline": "Deadline set by the forum",
    "temporary_asylum_renewal": "Temporary asylum expires: renew",
}

CONFLICT_LABELS = {
    "removal_during_interim_measure": "Removal scheduled while an interim measure is in force",
    "removal_before_final": "Removal scheduled before the decision is final",
    "removal_during_asylum": "Removal scheduled while asylum is pending",
    "document_signed_without_interpreter": "Client signed a document in a language he does not read, no interpreter",
    "consular_contact_while_protected": "Country-of-origin officials in contact while he is protected",
    "interim_measure_expiring": "Interim measure ends within 7 days",
    "forum_unavailable": "Request to a forum that does not cover the act",
    "release_due": "Detention term passed: release is due",
    "protection_ended": "Protection ended: the time to leave has passed",
    "r39_late": "Rule 39 request reaches the Registry after the cut-off",
    "forum_overlap": "Same matter before the ECtHR and a UN committee",
    "authority_not_notified": "An executing authority has not been notified of the interim measure",
}

MILESTONE_LABELS = {
    "decision_final": "Decision becomes final",
    "r39_processing": "Registry deals with the Rule 39 request",
}

NOTIFY_LABELS = {
    "executing_authority": "the executing authority (bailiffs, migration service)",
    "detention_centre": "the detention centre",
    "forum_registry": "the forum's registry",
    "border_service": "the border service",
    "court": "the court",
}


def deadline_label(kind: str) -> str:
    return DEADLINE_LABELS.get(kind, kind.replace("_", " ").capitalize())


def conflict_label(kind: str) -> str:
    return CONFLICT_LABELS.get(kind, kind.replace("_", " ").capitalize())


def milestone_label(kind: str) -> str:
    return MILESTONE_LABELS.get(kind, kind.replace("_", " ").capitalize())


def countdown(due: datetime, now: datetime) -> str:
    """'in 2 d 5 h', 'in 40 min', 'overdue by 3 d' — coarse, for people under pressure."""
    return humantime.relative(due, now, past="overdue by {}")
