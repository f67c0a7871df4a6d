"""Receivers: a deleted case or organisation key leaves this process's memory too (crypto-shredding).

Connected in refuge/wiring/subscribers.py.
"""

from __future__ import annotations

from typing import Any

from refuge.vault import state
from refuge.vault.records import CaseKey, OrganisationKey


def forget_deleted_case_key(sender: type[CaseKey], instance: CaseKey, **kwargs: Any) -> None:
    state.forget_case(instance.case_id)


def forget_deleted_organisation_key(sender: type[OrganisationKey], instance: OrganisationKey, **kwargs: Any) -> None:
    state.forget_organisation(instance.organisation_id)
