"""Receivers: a deleted case key leaves this process's memory too (crypto-shredding)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from refuge.vault import state
from refuge.vault.models import CaseKey


@receiver(post_delete, sender=CaseKey, dispatch_uid="vault-forget-case-key")
def forget_deleted_case_key(sender: type[CaseKey], instance: CaseKey, **kwargs: Any) -> None:
    state.forget_case(instance.case_id)
