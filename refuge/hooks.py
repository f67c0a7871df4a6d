"""The named extension points: what happens after a change, listed by name, subscribed in one place.

A lower layer fires a hook when something happened (a case was recomputed, the vault sealed); a
higher layer subscribes to it without the lower one knowing. Every subscription is made in
`refuge/wiring/subscribers.py`, once, when the apps are ready: read that file to find everything that runs
after `record_event`, a seal, a lock-down or a failed unseal.

Pure Python, no Django: the payloads' types are named for the type checker only.

    CASE_RECOMPUTED         cases.recompute.recompute_case, at its end, in its transaction
    CASE_CONFLICTS          cases.recompute.recompute_case, before the derived rows are stored
    NEW_CASE_CONFLICTS      cases.recompute.recompute_new_cases, the same for a case just imported
    CASES_EVALUATING        cases.recompute.evaluate_cases, before a batch of stored cases is evaluated
    CASES_IMPORTED          cases.recompute.recompute_new_cases, at its end (a bulk import)
    CASES_RECOMPUTED        cases.recompute.store_evaluated, at its end (a batch of stored cases: the clock)
    CASE_DELETING           cases.actions.delete_case, before the case row goes
    USER_DEACTIVATED        accounts.models.User.save, when a user is saved inactive
    ORGANISATION_LOCKED_DOWN  accounts.actions.lock_down_organisation, in its transaction
    ACCOUNT_CONTEXT         accounts.views.account, for the account page's template
    VAULT_SEALING           vault.state.seal, in the transaction that ends every session
    KEYS_DROPPED            vault.holder.drop, each time this process forgets its keys (any cause)
    KEYS_HELD               vault.state.unseal, once this process holds the keys
    UNSEAL_FAILED           vault.state.record_failed_unseal, in its transaction
    WORKER_CLOCK            alerts.worker.Worker.tick_clock, each clock pass of `refuge worker`
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:  # the payloads' types, for the checker: this module imports nothing of Refuge's
    from refuge.accounts.models import Organisation, User
    from refuge.cases.models import Case, NewEvent
    from refuge.cases.recompute import Recomputed
    from refuge.rules.timeline import Timeline

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("refuge.hooks")


class Hook(Generic[P, R]):
    """One extension point: an ordered list of subscribers, each called with the same arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[Callable[P, R]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._subscribers)} subscriber(s)>"

    @property
    def subscribers(self) -> tuple[Callable[P, R], ...]:
        return tuple(self._subscribers)

    def connect(self, subscriber: Callable[P, R]) -> None:
        """Subscribe, after those already there; subscribing twice changes nothing."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)

    def disconnect(self, subscriber: Callable[P, R]) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)

    def fire(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Call every subscriber in order; the first exception stops the rest and reaches the firer."""
        return [subscriber(*args, **kwargs) for subscriber in self._subscribers]

    def fire_robustly(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every subscriber; one that fails is logged and the others still run."""
        for subscriber in self._subscribers:
            try:
                subscriber(*args, **kwargs)
            except Exception:
                logger.exception("hooks: a subscriber of %s failed", self.name)


@dataclass(frozen=True)
class ProvidedConflicts:
    """What a conflict provider found: conflict items (as in the check report) and when to ask again."""

    conflicts: list[dict[str, Any]] = field(default_factory=list)
    recheck_at: datetime | None = None  # the instant the answer may change with no event added


# --- Cases ----------------------------------------------------------------------------------------

CASE_RECOMPUTED: Hook[[Recomputed], None] = Hook("CASE_RECOMPUTED")
"""A case's deadlines and conflicts were recomputed and stored (after every event recorded, edited
or removed, an import, a clock tick). Called at the end of `recompute_case`, in its transaction, so
what a subscriber writes (statistics, alerts) commits or rolls back with the change."""

CASES_IMPORTED: Hook[[list[Recomputed]], None] = Hook("CASES_IMPORTED")
"""Cases just created in bulk (`refuge import`) were computed for the first time and their rows
stored. Fired by `recompute_new_cases` instead of CASE_RECOMPUTED for each case, in its transaction,
so a subscriber does for the whole batch at once what its CASE_RECOMPUTED twin does case by case:
every CASE_RECOMPUTED subscriber needs a twin here."""

CASES_RECOMPUTED: Hook[[list[Recomputed]], None] = Hook("CASES_RECOMPUTED")
"""Many stored cases were recomputed at once (the clock's re-check at a day's end) and their rows
stored. Fired by `store_evaluated` instead of CASE_RECOMPUTED for each case, in its transaction;
like CASES_IMPORTED, every CASE_RECOMPUTED subscriber needs a twin here that does the batch at once.
Each result carries the engine's parsed facts and report (`facts`, `evaluated`) for reuse."""

CASE_CONFLICTS: Hook[[Case, dict[str, Any], datetime], ProvidedConflicts] = Hook("CASE_CONFLICTS")
"""Conflicts the pure engine cannot see, because they depend on records outside the case file (the
filings' notification log). Called by `recompute_case` with the case, the engine's report and `now`;
the items returned are added to the report's conflicts and stored like the engine's."""

NEW_CASE_CONFLICTS: Hook[[Case, Timeline, list[NewEvent], datetime], ProvidedConflicts] = Hook("NEW_CASE_CONFLICTS")
"""CASE_CONFLICTS for a case just created in bulk (`refuge import`), answered from memory: called by
`recompute_new_cases` with the case, the engine's timeline of it, its events as just stored (`NewEvent`s,
in `case.events.all()`'s order, with their `authority` links; the case has no other records yet: no
proceedings, no sendings) and `now`. Every CASE_CONFLICTS provider needs a twin here, with the same verdicts."""

CASES_EVALUATING: Hook[[list[Case]], None] = Hook("CASES_EVALUATING")
"""A batch of stored cases is about to be evaluated (`evaluate_cases`: the clock's re-check), and
CASE_CONFLICTS will be fired for each: a conflict provider may read what it needs for all of them
at once here (Django's `prefetch_related_objects`, into attributes of its own), so that it reads
nothing case by case."""

CASE_DELETING: Hook[[Case], None] = Hook("CASE_DELETING")
"""A case is about to be deleted (its rows cascade next), in the deletion's transaction."""

# --- Accounts -------------------------------------------------------------------------------------

USER_DEACTIVATED: Hook[[User], None] = Hook("USER_DEACTIVATED")
"""A user was saved inactive; their sessions have ended. Credentials held elsewhere end too."""

ORGANISATION_LOCKED_DOWN: Hook[[Organisation, User | None, datetime], dict[str, int]] = Hook("ORGANISATION_LOCKED_DOWN")
"""An organisation is being locked down (organisation, acting user or None, instant), in the
lock-down's transaction. Each subscriber revokes what it holds for the organisation's people and
returns counts by name (e.g. {"feeds": 3}) for the lock-down's audit entry."""

ACCOUNT_CONTEXT: Hook[[User], dict[str, Any]] = Hook("ACCOUNT_CONTEXT")
"""The account page asks what other apps hold for the user (e.g. API tokens): template context."""

# --- Vault ----------------------------------------------------------------------------------------

VAULT_SEALING: Hook[[], None] = Hook("VAULT_SEALING")
"""An operator seals every process: called in the transaction that ends every session."""

KEYS_DROPPED: Hook[[], None] = Hook("KEYS_DROPPED")
"""This process forgot its keys (sealed here or by another process): whatever was derived from
plaintext goes too. Fired robustly: a failing subscriber must not keep the vault open."""

KEYS_HELD: Hook[[], None] = Hook("KEYS_HELD")
"""This process was just unsealed and holds the keys: whatever is derived from plaintext may be
built now, in the background (the name index). Fired robustly, after the unseal is complete: a
failing subscriber must not undo it."""

UNSEAL_FAILED: Hook[[int], None] = Hook("UNSEAL_FAILED")
"""A failed unseal was counted and logged (the count so far), in its transaction."""

# --- The worker -----------------------------------------------------------------------------------

WORKER_CLOCK: Hook[[datetime], object] = Hook("WORKER_CLOCK")
"""A clock pass of `refuge worker` (every few seconds), after escalations, reminders and the
statistics: scheduled jobs (the backup) decide for themselves whether they are due, and each holds
its own lease so that several workers never run one twice. A job must return quickly (run long
work in a thread) and a failure reaches the worker's pass."""
