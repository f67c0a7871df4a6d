"""Rotation of the root key: every data key (cases', organisations') re-wrapped, every blind index recomputed.

Resumable:

1. `begin`: the new key is recorded as PENDING, sealed under the active key (`wrapped_by_previous`),
   so every process holding the active key can use both while rows move.
2. `run`: batch after batch, each case key (then each organisation key) is re-wrapped under the
   new key by one conditional UPDATE (`WHERE root_version = old`): killed at any instant, every
   row is wrapped under exactly one of the two keys, both of which the next run holds. Then each
   object whose blind index entries are under the old key is re-indexed in its own transaction.
3. `finish`, in one transaction with the active row locked: if no row is left under the old key,
   the old key is retired (its verifier erased) and the new one becomes active; otherwise `run`
   goes round again. The sealed copy of the new key is erased with it.

Nothing is deleted before its replacement is committed, so a rerun of `refuge vault rotate`
after a crash simply continues.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.vault import blindindex, crypto, keys, state
from refuge.vault.blindindex import BLIND_INDEXED
from refuge.vault.objects import object_code_of
from refuge.vault.records import BlindIndexEntry, CaseKey, OrganisationKey, RootKey, RootKeySource, RootKeyStatus


class RotationError(Exception):
    pass


def begin(new: keys.NewRootKey) -> RootKey:
    """Record the new root key as pending. The vault must be unsealed in this process."""
    with transaction.atomic():
        active = RootKey.objects.select_for_update().get(status=RootKeyStatus.ACTIVE)
        if RootKey.objects.filter(status=RootKeyStatus.PENDING).exists():
            raise RotationError(gettext("a rotation is already in progress: `refuge vault rotate` resumes it"))
        version = active.version + 1
        row: RootKey = RootKey.objects.create(
            version=version,
            source=new.source,
            status=RootKeyStatus.PENDING,
            verifier=crypto.verifier(new.key),
            params=new.params,
            wrapped_by_previous=crypto.wrap_key(
                state.root_key(active.version), new.key, aad=crypto.root_key_aad(version, active.version)
            ),
            announced=new.source != RootKeySource.SHARES,
        )
        if new.source == RootKeySource.DEV:
            keys.write_dev_key(new.key, version=version, next_version=True)
        state.bump_keyring_epoch()
        audit.record(
            type=EventType.VAULT_ROTATION_STARTED,
            actor=None,
            target=("vault", ""),
            data={"source": new.source, "root_key": version},
        )
    state.check_control()
    return row


def remaining(new_version: int) -> tuple[int, int]:
    """(case and organisation keys, blind index entries) still under an older root key."""
    return (
        CaseKey.objects.filter(root_version__lt=new_version).count()
        + OrganisationKey.objects.filter(root_version__lt=new_version).count(),
        BlindIndexEntry.objects.filter(root_version__lt=new_version).count(),
    )


def _rewrap_keys(  # one keyword per difference between the case keys and the organisation keys
    model: type[CaseKey] | type[OrganisationKey],
    owner_code: str,
    aad: Callable[[str, int, int], bytes],
    noun: str,
    new_version: int,
    *,
    batch_size: int,
    pause: float,
    report: Callable[[str], None],
) -> int:
    """Re-wrap `model`'s data keys still under an older root key, batch by batch, each row only if unchanged."""
    new_root = state.root_key(new_version)
    done = 0
    while True:
        rows = list(
            model.objects.filter(root_version__lt=new_version)
            .order_by("pk")
            .values_list("pk", "version", "root_version", "wrapped", owner_code)[:batch_size]
        )
        if not rows:
            return done
        for pk, version, root_version, wrapped, code in rows:
            old_aad = aad(str(code), version, root_version)
            data_key = crypto.unwrap_key(state.root_key(root_version), bytes(wrapped), aad=old_aad)
            rewrapped = crypto.wrap_key(new_root, data_key, aad=aad(str(code), version, new_version))
            done += model.objects.filter(pk=pk, root_version=root_version).update(
                wrapped=rewrapped, root_version=new_version
            )
        report(f"re-wrapped {done} {noun}")
        if pause:
            time.sleep(pause)


def _reindex(new_version: int, *, batch_size: int, pause: float, report: Callable[[str], None]) -> int:
    done = 0
    for scope, (model, field) in BLIND_INDEXED.items():
        code_path = getattr(model, "vault_code_field", "code")
        while True:
            codes = list(
                BlindIndexEntry.objects.filter(scope=scope, root_version__lt=new_version)
                .order_by("object_code")
                .values_list("object_code", flat=True)
                .distinct()[:batch_size]
            )
            if not codes:
                break
            found = set()
            for obj in model._default_manager.filter(**{f"{code_path}__in": codes}):
                blindindex.reindex(obj, field)
                found.add(object_code_of(obj))
            # Entries whose object is gone index nothing: drop them.
            BlindIndexEntry.objects.filter(scope=scope, object_code__in=set(codes) - found).delete()
            done += len(codes)
            report(f"re-indexed {done} objects")
            if pause:
                time.sleep(pause)
    # Scopes no model declares any more (a field lost its index): nothing can recompute them.
    BlindIndexEntry.objects.filter(root_version__lt=new_version).exclude(scope__in=list(BLIND_INDEXED)).delete()
    return done


def _finish(pending: RootKey) -> bool:
    with transaction.atomic():
        active = RootKey.objects.select_for_update().get(status=RootKeyStatus.ACTIVE)
        if any(remaining(pending.version)):
            return False
        active.status = RootKeyStatus.RETIRED
        active.verifier = b""
        active.wrapped_by_previous = None
        active.save(update_fields=["status", "verifier", "wrapped_by_previous"])
        RootKey.objects.filter(pk=pending.pk).update(
            status=RootKeyStatus.ACTIVE, wrapped_by_previous=None, activated_at=timezone.now()
        )
        state.bump_keyring_epoch()
        audit.record(type=EventType.VAULT_ROTATED, actor=None, target=("vault", ""), data={"root_key": pending.version})
    if pending.source == RootKeySource.DEV:
        keys.promote_next_dev_key()
    else:
        keys.remove_dev_keys()  # they hold a retired key; leaving them would only mislead
    state.check_control()
    return True


def run(*, batch_size: int = 200, pause: float = 0.0, report: Callable[[str], None] = lambda _: None) -> RootKey:
    """Finish the pending rotation (the vault unsealed in this process with the active key)."""
    pending = keys.pending_root_key()
    if pending is None:
        raise RotationError(gettext("no rotation in progress"))
    state.check_control()
    while True:
        for model, owner_code, aad, noun in (
            (CaseKey, "case__code", crypto.case_key_aad, "case keys"),
            (OrganisationKey, "organisation__code", crypto.organisation_key_aad, "organisation keys"),
        ):
            _rewrap_keys(
                model, owner_code, aad, noun, pending.version, batch_size=batch_size, pause=pause, report=report
            )
        _reindex(pending.version, batch_size=batch_size, pause=pause, report=report)
        if _finish(pending):
            report(f"root key v{pending.version} is active")
            pending.refresh_from_db()
            return pending
