"""Receivers: a deleted case or organisation key leaves this process's memory too (crypto-shredding)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from refuge.vault import state
from refuge.vault.models import CaseKey, OrganisationKey


@receiver(post_delete, sender=CaseKey, dispatch_uid="vault-forget-case-key")
def forget_deleted_case_key(sender: type[CaseKey], instance: CaseKey, **kwargs: Any) -> None:
    state.forget_case(instance.case_id)


@receiver(post_delete, sender=OrganisationKey, dispatch_uid="vault-forget-organisation-key")
def forget_deleted_organisation_key(sender: type[OrganisationKey], instance: OrganisationKey, **kwargs: Any) -> None:
    state.forget_organisation(instance.organisation_id)
