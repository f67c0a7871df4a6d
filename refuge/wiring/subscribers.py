"""Every subscriber, connected in one place: what happens after a change, and who does it.

Read this to know everything that runs after `record_event` (or any change that recomputes a case),
a case's deletion, a user's deactivation, a lock-down, a seal or a failed unseal. The extension
points themselves, with who fires them and when, are in refuge/hooks.py; Django's own signals
(logins, model saves and deletes) are connected here too.

`connect()` runs once, from WiringConfig.ready, after every app is loaded. It is idempotent (a hook
ignores a subscriber it holds; Django's signals are connected with a dispatch_uid), so a test that
loads the apps again does not double anything. Order matters where noted: subscribers run in the
order connected.

Not here, because they are part of a field's or an app's own machinery rather than a reaction to a
change: the encrypted fields' blind-index receivers (refuge.vault.fields, connected per model as
the field is declared), the TOTP secret's encryption (refuge.accounts.totp_keys.install) and SQLite's
ANALYZE after a migration (refuge.cases.apps).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save

from refuge import hooks
from refuge.accounts import signals as account_signals
from refuge.accounts.models import Organisation, User
from refuge.alerts.feeds import revoke_feeds_of
from refuge.alerts.queue import alert_failed_unseal, queue_imported, queue_recomputed, queue_recomputed_batch
from refuge.api import tokens
from refuge.audit import signals as audit_signals
from refuge.backup import schedule as backup_schedule
from refuge.cases.actions import relink_authorities
from refuge.cases.casefiles import casefile_for
from refuge.cases.models import Authority, Case, Person
from refuge.cases.recompute import Recomputed, case_today, packs
from refuge.filings.conflicts import (
    authority_not_notified,
    new_case_not_notified,
    new_case_update_not_sent,
    prefetch_notifications,
    removal_update_not_sent,
)
from refuge.filings.models import GeneratedFiling, Sending, delete_stored_files
from refuge.rules import evaluate, parse_facts
from refuge.search import index
from refuge.search import signals as search_signals
from refuge.stats.actions import add_new_cases_stats, forget_case_stats, refresh_case_stats, refresh_cases_stats
from refuge.vault import signals as vault_signals
from refuge.vault.models import CaseKey, OrganisationKey

if TYPE_CHECKING:
    from refuge.rules import CheckReport, Facts, Timeline


def connect() -> None:
    """Connect every subscriber (idempotent)."""
    _cases()
    _accounts()
    _vault()
    _search()
    _filings()
    _worker()


def _cases() -> None:
    # Conflicts the engine cannot see, from the filings' notification log (before the rows are stored).
    hooks.CASE_CONFLICTS.connect(authority_not_notified)
    hooks.CASE_CONFLICTS.connect(removal_update_not_sent)
    # The same two for a case just imported, from memory (it has no log yet).
    hooks.NEW_CASE_CONFLICTS.connect(new_case_not_notified)
    hooks.NEW_CASE_CONFLICTS.connect(new_case_update_not_sent)
    # Before a batch of stored cases is evaluated (the clock's re-check): what those providers read, at once.
    hooks.CASES_EVALUATING.connect(prefetch_notifications)
    # After every recomputation, in its transaction: the statistics' counts first, then the alerts.
    hooks.CASE_RECOMPUTED.connect(refresh_stats)
    hooks.CASE_RECOMPUTED.connect(queue_recomputed)
    # Cases just created in bulk (`refuge import`): the same two, once for the whole batch.
    hooks.CASES_IMPORTED.connect(add_imported_stats)
    hooks.CASES_IMPORTED.connect(queue_imported)
    # Stored cases recomputed in a batch (the clock's re-check at a day's end): the same two, once per batch.
    hooks.CASES_RECOMPUTED.connect(refresh_batch_stats)
    hooks.CASES_RECOMPUTED.connect(queue_recomputed_batch)
    # A case about to be deleted: its counts leave the organisation's statistics.
    hooks.CASE_DELETING.connect(forget_stats)
    # A directory entry saved (by a page, a command or the demo): re-match the events naming authorities.
    post_save.connect(authority_saved, sender=Authority, dispatch_uid="refuge.cases.relink_events")


def _accounts() -> None:
    # A login: the session's clocks and owner first (accounts), then the audit entry.
    user_logged_in.connect(account_signals.start_session, dispatch_uid="refuge-session-login")
    user_logged_out.connect(account_signals.forget_session, dispatch_uid="refuge-session-logout")
    user_logged_in.connect(audit_signals.login_succeeded, dispatch_uid="audit-login-succeeded")
    user_login_failed.connect(audit_signals.login_failed, dispatch_uid="audit-login-failed")
    user_logged_out.connect(audit_signals.logged_out, dispatch_uid="audit-logout")
    # A user disabled: their API tokens end with their sessions.
    hooks.USER_DEACTIVATED.connect(revoke_tokens_of_disabled)
    # An organisation locked down: its people's calendar feeds, then their API tokens.
    hooks.ORGANISATION_LOCKED_DOWN.connect(revoke_feeds_on_lock_down)
    hooks.ORGANISATION_LOCKED_DOWN.connect(revoke_tokens_on_lock_down)
    # The account page lists the user's API tokens.
    hooks.ACCOUNT_CONTEXT.connect(account_tokens)


def _vault() -> None:
    # Sealed by an operator: every API token ends, in the seal's transaction.
    hooks.VAULT_SEALING.connect(revoke_all_tokens)
    # A failed unseal: the organisations' admins are told.
    hooks.UNSEAL_FAILED.connect(alert_failed_unseal)
    # A deleted case or organisation key leaves this process's memory too (crypto-shredding).
    post_delete.connect(vault_signals.forget_deleted_case_key, sender=CaseKey, dispatch_uid="vault-forget-case-key")
    post_delete.connect(
        vault_signals.forget_deleted_organisation_key,
        sender=OrganisationKey,
        dispatch_uid="vault-forget-organisation-key",
    )


def _search() -> None:
    # The name index follows the clients' names as they are saved and deleted, and goes with the keys.
    post_save.connect(search_signals.person_saved, sender=Person, dispatch_uid="search-person-saved")
    post_delete.connect(search_signals.person_deleted, sender=Person, dispatch_uid="search-person-deleted")
    hooks.KEYS_DROPPED.connect(index.drop_all)
    # Cases imported in bulk: their clients' names, inserted without post_save.
    hooks.CASES_IMPORTED.connect(search_signals.cases_imported)
    # Unsealed here: every organisation's index is built at once, in a background thread.
    hooks.KEYS_HELD.connect(index.build_in_background)


def _filings() -> None:
    # A filing or a sending deleted (with its case, say): its ciphertext leaves the disk.
    for model in (GeneratedFiling, Sending):
        post_delete.connect(delete_stored_files, sender=model, dispatch_uid=f"refuge.filings.{model.__name__}")


# --- Adapters: a hook's arguments to the subscriber's own signature ---------------------------------


def refresh_stats(result: Recomputed) -> None:
    """The case's outcome counts, from the engine's view of the same timeline (refuge.stats)."""
    case = result.case
    if result.facts is not None and result.evaluated is not None:  # recompute_case's own engine run
        refresh_case_stats(case=case, facts=result.facts, report=result.evaluated, packs=packs())
        return
    refresh_case_stats(
        case=case, casefile=casefile_for(case, identity=False), today=case_today(case, result.now), packs=packs()
    )


def add_imported_stats(results: list[Recomputed]) -> None:
    """The counts of cases just imported in bulk, as `refresh_stats` makes them one case at a time,
    from the engine run that computed their deadlines (`recompute_new_cases` keeps it in each result)."""
    add_new_cases_stats(cases=[_engine_run(r) for r in results])


def _engine_run(result: Recomputed) -> tuple[Case, Facts, Timeline, CheckReport]:
    if result.facts is None or result.timeline is None or result.evaluated is None:
        raise ValueError("an imported case's result carries its engine run (recompute_new_cases)")
    return result.case, result.facts, result.timeline, result.evaluated


def refresh_batch_stats(results: list[Recomputed]) -> None:
    """The counts of stored cases recomputed in a batch, from the facts and reports the batch kept."""
    batch = []
    for r in results:
        facts = r.facts if r.facts is not None else parse_facts(casefile_for(r.case, identity=False), packs())
        report = r.evaluated if r.evaluated is not None else evaluate(facts, case_today(r.case, r.now), packs())
        batch.append((r.case, facts, report))
    refresh_cases_stats(cases=batch, packs=packs())


def forget_stats(case: Case) -> None:
    forget_case_stats(case=case)


def authority_saved(
    sender: Any, instance: Authority, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or (update_fields is not None and "name" not in update_fields):
        return
    relink_authorities(instance.organisation_id)


def revoke_tokens_of_disabled(user: User) -> None:
    tokens.revoke_tokens_of(user=user, reason="disabled")


def revoke_feeds_on_lock_down(organisation: Organisation, actor: User | None, now: datetime) -> dict[str, int]:
    return {"feeds": revoke_feeds_of(organisation, now=now)}


def revoke_tokens_on_lock_down(organisation: Organisation, actor: User | None, now: datetime) -> dict[str, int]:
    return {"api_tokens": tokens.revoke_tokens_of(organisation=organisation, reason="lockdown", actor=actor)}


def account_tokens(user: User) -> dict[str, Any]:
    return {"tokens": list(tokens.live_tokens(user))}


def revoke_all_tokens() -> None:
    tokens.revoke_all_tokens(reason="sealed")


def _worker() -> None:
    # Each clock pass of `refuge worker`: the scheduled backup, when one is due (REFUGE_BACKUP_DIR).
    hooks.WORKER_CLOCK.connect(backup_schedule.run_due)
