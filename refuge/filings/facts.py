"""The facts a filing states, read from the case's timeline, its people and the law engine.

Everything here is derived (DESIGN.md, "One timeline"): a filing never asks for a fact the case
already holds. Reading a `CaseFacts` decrypts the client's names, so the vault must be unsealed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from refuge.accounts.models import User
from refuge.cases.models import Authority, AuthorityKind, CaseMember, Event, Forum, Proceeding
from refuge.cases.recompute import case_timeline, case_today, run_check
from refuge.filings.conflicts import updates_due
from refuge.rules.timeutil import end_of_day

if TYPE_CHECKING:
    from refuge.cases.models import Case
    from refuge.rules.timeline import Measure as EngineMeasure
    from refuge.rules.timeline import Timeline

# Nationals of these states cannot use the ECtHR's Rule 39 Site: the Court asks persons under
# targeted sanctions to send their requests by fax (LAW.md, "How to send a Rule 39 request").
# Source: the UN Security Council's DPRK sanctions regime (resolution 1718 (2006) and following)
# and the EU's Council Regulation (EU) 2017/1509, which restrict services to DPRK nationals.
# Kept short on purpose: a lawyer can always choose fax (FilingOptions.send_by_fax).
SANCTIONED_NATIONALITIES: frozenset[str] = frozenset({"KP"})

# The Court's fax numbers for Rule 39 requests (LAW.md; the Court's contact page).
ECHR_FAXES = ("+33 3 90 21 43 50", "+33 3 88 41 39 00")

DECISION_LABELS = {
    "expulsion": gettext_noop("administrative expulsion"),
    "deportation": gettext_noop("deportation"),
    "readmission": gettext_noop("readmission"),
    "extradition": gettext_noop("extradition"),
    "refugee_refusal": gettext_noop("refusal of refugee status"),
    "temporary_asylum_refusal": gettext_noop("refusal of temporary asylum"),
}
DECISION_LABELS_RU = {
    "expulsion": "об административном выдворении",
    "deportation": "о депортации",
    "readmission": "о передаче в порядке реадмиссии",
    "extradition": "о выдаче (экстрадиции)",
    "refugee_refusal": "об отказе в признании беженцем",
    "temporary_asylum_refusal": "об отказе в предоставлении временного убежища",
}
FORUM_NAMES = {
    "echr": "European Court of Human Rights",
    "un_cat": "UN Committee against Torture",
    "un_hrc": "UN Human Rights Committee",
}
FORUM_NAMES_RU = {
    "echr": "Европейский суд по правам человека",
    "un_cat": "Комитет ООН против пыток",
    "un_hrc": "Комитет ООН по правам человека",
}
# Proceedings before these forums hold a domestic case reference.
DOMESTIC_FORUMS = (Forum.DOMESTIC_COURT, Forum.DOMESTIC_AUTHORITY, Forum.ASYLUM_AUTHORITY)


@dataclass(frozen=True)
class Removal:
    event: str  # the removal_scheduled event's key
    at: datetime | None  # in the case's zone; None when the event holds no usable date-time
    destination: str  # ISO code, '' when not recorded


@dataclass(frozen=True)
class Decision:
    event: str
    type: str  # the event type: decision_issued, appeal_decided, final_domestic_decision
    at: datetime
    date_only: bool
    decision: str  # expulsion, ... ('' for appeal and final decisions)
    authority: str
    outcome: str = ""


@dataclass(frozen=True)
class Measure:
    event: str
    forum: str
    granted_at: datetime
    until: str | None
    destination: str | None


@dataclass
class CaseFacts:
    case: Case
    today: date
    events: list[Event] = field(default_factory=list)

    @classmethod
    def of(cls, case: Case, *, today: date | None = None) -> CaseFacts:
        events = list(case.events.order_by("at", "id"))
        return cls(case=case, today=today or case_today(case), events=events)

    # -- the timeline ------------------------------------------------------------------------

    def local(self, event: Event) -> datetime:
        return event.local_at(self.case.tzinfo)

    def _of(self, *types: str) -> list[Event]:
        return [e for e in self.events if e.type in types]

    def _referred(self, types: tuple[str, ...], attribute: str) -> set[str]:
        return {str(e.attributes.get(attribute)) for e in self._of(*types)}

    @cached_property
    def timeline(self) -> Timeline:
        """The engine's one reading of removals, measures and requests (refuge.rules.timeline)."""
        return case_timeline(self.case)

    @cached_property
    def moment(self) -> datetime:
        """The instant the filing speaks of: now on the case's today, else the end of ``today``."""
        now = timezone.now()
        if self.today == case_today(self.case, now):
            return now
        return end_of_day(self.today, self.case.tzinfo)

    @cached_property
    def removal(self) -> Removal | None:
        """The latest removal scheduled and still pending (not cancelled, carried out or rescheduled)."""
        pending = self.timeline.pending_removals()
        if not pending:
            return None
        latest = max(pending, key=lambda r: (r.known_ts, r.event.index))
        return Removal(
            event=latest.id,
            at=latest.removal_at.astimezone(self.case.tzinfo),
            destination=latest.destination or "",
        )

    @cached_property
    def detention_place(self) -> tuple[bool, str]:
        """(detained now, the place recorded on the detention event), as the engine's timeline reads it."""
        detention = self.timeline.detention()
        if detention is None:
            return False, ""
        # The engine's view of the case has no free text: the place is the stored event's (decrypted).
        started = next((e for e in self.events if e.key == detention.started.id), None)
        place = started.text_attributes.get("place") if started is not None else None
        return True, str(place or "")

    @cached_property
    def decisions(self) -> list[Decision]:
        """The domestic decisions, in time order: removal and asylum decisions, appeals, the final one."""
        by_key = {e.key: e for e in self.events}
        found = []
        for event in self._of("decision_issued", "appeal_decided", "final_domestic_decision"):
            decided = by_key.get(str(event.attributes.get("decision_event") or ""))
            decision = event.attributes.get("decision") or (decided.attributes.get("decision") if decided else "")
            authority = event.text_attributes.get("authority") or (
                decided.text_attributes.get("authority") if decided else ""
            )
            found.append(
                Decision(
                    event=event.key,
                    type=event.type,
                    at=self.local(event),
                    date_only=event.date_only,
                    decision=str(decision or ""),
                    authority=str(authority or ""),
                    outcome=str(event.attributes.get("outcome") or ""),
                )
            )
        return found

    @cached_property
    def appeals(self) -> list[Event]:
        return self._of("appeal_lodged")

    @cached_property
    def measure(self) -> Measure | None:
        """The latest interim measure granted and in force at ``moment`` (any forum, any destination).

        In force as the engine reads it: not lifted, ``until`` not passed, and granted by a forum
        that covers the act (an ECtHR "measure" for a Russian act after 16 Sep 2022 is none).
        """
        found = self.timeline.measures_in_force(self.moment.timestamp(), any_destination=True)
        if not found:
            return None
        m = max(found, key=lambda m: (m.start, m.event.index))
        return self._measure(m)

    def _measure(self, m: EngineMeasure) -> Measure:
        """The engine's measure `m` as the filings tell it, its grant in the case's time zone."""
        return Measure(
            event=m.id,
            forum=m.forum,
            granted_at=m.event.at.astimezone(self.case.tzinfo),
            until=m.until.isoformat() if m.until is not None else None,
            destination=m.destination,
        )

    def updates_due(self) -> list[Any]:
        """The forums a request told of a removal since rescheduled, not yet sent the new date."""
        return updates_due(self.case)

    def measure_for_removal(self, forum: str) -> Measure | None:
        """The forum's measure in force now that protects the pending removal (the engine's reading), else None."""
        pending = self.timeline.pending_removals()
        removal = max(pending, key=lambda r: (r.known_ts, r.event.index)) if pending else None
        if removal is None:
            return None
        m = self.timeline.protection(removal, [forum])
        if m is None or not m.in_force(self.moment.timestamp()):
            return None
        return self._measure(m)

    @cached_property
    def other_procedures(self) -> list[tuple[str, str, datetime]]:
        """(forum, what, when) of requests and applications before international bodies."""
        kinds = {
            "interim_measure_requested": "interim measures requested",
            "interim_measure_granted": "interim measures granted",
            "interim_measure_refused": "interim measures refused",
            "interim_measure_lifted": "interim measures lifted",
            "application_lodged": "application lodged",
        }
        return [(str(e.attributes.get("forum") or ""), kinds[e.type], self.local(e)) for e in self._of(*kinds)]

    def un_forum(self) -> str:
        """The UN committee the case already deals with (latest event or proceeding), else CAT."""
        for event in reversed(self.events):
            forum = event.attributes.get("forum")
            if event.type.startswith(("interim_measure_", "application_")) and forum in ("un_cat", "un_hrc"):
                return str(forum)
        proceeding = self.case.proceedings.filter(forum__in=("un_cat", "un_hrc")).order_by("-id").first()
        return proceeding.forum if proceeding else "un_cat"

    # -- proceedings -------------------------------------------------------------------------

    def reference_before(self, *forums: str) -> str:
        """The reference number of the latest active proceeding before one of the forums ('' if none)."""
        ordered = Proceeding.objects.filter(case=self.case, forum__in=forums)
        ordered = ordered.order_by("-is_active", "-opened_on", "-id")
        # The number is encrypted: read in order, the first one that has one.
        return next((p.reference_number for p in ordered if p.reference_number), "")

    @cached_property
    def domestic_reference(self) -> str:
        return self.reference_before(*DOMESTIC_FORUMS)

    @cached_property
    def court_case_number(self) -> str:
        """The court's case number of the latest domestic court proceeding that has one ('' if none)."""
        ordered = Proceeding.objects.filter(case=self.case, forum=Forum.DOMESTIC_COURT)
        ordered = ordered.order_by("-is_active", "-opened_on", "-id")
        return next((p.case_number for p in ordered if p.case_number), "")

    # -- the engine ----------------------------------------------------------------------------

    @cached_property
    def report(self) -> dict[str, Any]:
        return run_check(self.case, today=self.today)

    @cached_property
    def removal_status(self) -> dict[str, Any] | None:
        """The engine's word on the pending removal: protected (by what), what to file now."""
        removal = self.removal
        if removal is None:
            return None
        return next((r for r in self.report.get("removals", []) if r.get("event") == removal.event), None)

    def forum_status(self, forum: str) -> dict[str, Any] | None:
        """The engine's availability item for the forum (None: the packs say nothing, so no gate)."""
        return next((f for f in self.report.get("forums", []) if f.get("forum") == forum), None)

    # -- people --------------------------------------------------------------------------------

    @cached_property
    def person(self) -> Any:
        return getattr(self.case, "person", None)

    def client_name(self, *scripts: str) -> str:
        """The client's first name in the first of the scripts that has one, else in any script."""
        names = list(self.person.names) if self.person is not None else []
        for script in scripts:
            for name in names:
                if name.get("script") == script and name.get("value"):
                    return str(name["value"])
        return next((str(n["value"]) for n in names if n.get("value")), "")

    @property
    def nationality(self) -> str:
        return str(self.person.nationality) if self.person is not None and self.person.nationality else ""

    @property
    def stateless(self) -> bool:
        return bool(self.person is not None and self.person.stateless)

    @property
    def languages(self) -> list[str]:
        return list(self.person.languages) if self.person is not None else []

    def birth_date(self) -> date | None:
        return self.person.birth_date if self.person is not None else None

    def first_lawyer(self) -> User | None:
        """The first lawyer on the case's team (by when they joined it)."""
        member = (
            CaseMember.objects.filter(
                case=self.case,
                user__is_active=True,
                user__membership_row__role="lawyer",
                user__membership_row__organisation=self.case.organisation_id,
            )
            .select_related("user")
            .order_by("added_at", "id")
            .first()
        )
        return member.user if member else None

    def organisation_users(self) -> list[User]:
        return list(User.objects.filter(membership_row__organisation=self.case.organisation_id, is_active=True))

    def executing_authorities(self) -> list[Any]:
        kinds = (AuthorityKind.COURT, AuthorityKind.BAILIFFS, AuthorityKind.MIGRATION, AuthorityKind.BORDER)
        return list(Authority.objects.filter(organisation=self.case.organisation_id, kind__in=kinds))
