"""Receivers: a Person saved or deleted in this process changes the name index when its transaction commits.

Connected in refuge/wiring/subscribers.py.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django.db import transaction

from refuge.cases.models import Person
from refuge.search import index
from refuge.vault.fields import ciphertext_of

if TYPE_CHECKING:
    from refuge.cases.recompute import Recomputed


def person_saved(sender: type[Person], instance: Person, created: bool, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (update_fields is not None and "names" not in update_fields):
        return
    if not index.held_organisations():
        return  # no index in this process yet: the first search builds it from the database
    org_id = instance.case.organisation_id
    names = copy.deepcopy(instance.names)  # the plaintext just encrypted: no decryption
    ciphertext = ciphertext_of(instance, "names")
    case_id = instance.case_id

    def apply() -> None:
        index.note_saved(org_id=org_id, case_id=case_id, names=names, ciphertext=ciphertext)

    transaction.on_commit(apply)


def cases_imported(results: list[Recomputed]) -> None:
    """`person_saved` for the clients of cases imported in bulk (their persons were inserted without
    post_save): the index of this process, if it holds one, learns their names once committed."""
    if not index.held_organisations():
        return
    saved = []
    for result in results:
        person = result.case.person  # the row just inserted, cached on the case: no query
        names = copy.deepcopy(person.names)  # the plaintext just encrypted: no decryption
        saved.append((result.case.organisation_id, person.case_id, names, ciphertext_of(person, "names")))

    def apply() -> None:
        for org_id, case_id, names, ciphertext in saved:
            index.note_saved(org_id=org_id, case_id=case_id, names=names, ciphertext=ciphertext)

    transaction.on_commit(apply)


def person_deleted(sender: type[Person], instance: Person, **kwargs: Any) -> None:
    case_id = instance.case_id
    transaction.on_commit(lambda: index.note_deleted(case_id=case_id))
