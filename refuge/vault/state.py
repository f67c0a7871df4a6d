"""The vault's persistence adapter: unsealing, sealing and the keys' rows, around the key holder.

What this process holds in memory, and the lock that guards it, is refuge.vault.holder (no Django);
this module reads and writes what every process shares through the database (the control row, the
root key records, the wrapped case and organisation keys) and puts keys in the holder or takes them out.

Sealing across processes: `refuge seal` runs in its own process. It bumps `VaultControl.seal_epoch`
and deletes every row of Django's session table in one transaction. Each server process remembers
the epoch it was unsealed at; `check_control()` (called by the middleware on every request, and
every second by the watcher thread that `start_watcher()` starts) drops the keys as soon as the
epoch moves. Sessions end at once because they are gone from the database; the keys leave the
server's memory within the watcher's interval (one second) even when no request arrives.

Unsealing across processes: under `refuge serve` the host's key agent (refuge.vault.agent, in the
master process) holds the root key for the workers. A worker that verifies an unseal hands the key
to the agent (`_publish`); `refuge unseal` on the host hands it over directly (`unseal_through_agent`);
every sealed worker asks the agent on each request and every second (`try_agent_unseal`) and takes
the key only if it opens the vault and was put there at the database's current seal epoch. SLIP-39
shares typed into the page are pooled in the agent too, whichever worker receives them.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.db.utils import DatabaseError
from django.utils import timezone

from refuge import hooks
from refuge.audit import actions as audit
from refuge.audit.events import EventType
from refuge.lib.prepared import Prepared
from refuge.vault import agent, crypto, holder, keys
from refuge.vault.holder import (
    PENDING_SHARES_SECONDS,
    KeyDestroyed,
    UnsealError,
    VaultSealed,
    forget_case,
    forget_organisation,
    is_sealed,
    status,
)
from refuge.vault.records import CaseKey, OrganisationKey, RootKey, RootKeySource, RootKeyStatus, VaultControl

# The key holder's names, for the callers that know the vault as `state`.
__all__ = [
    "PENDING_SHARES_SECONDS",
    "KeyDestroyed",
    "UnsealError",
    "VaultSealed",
    "forget_case",
    "forget_organisation",
    "is_sealed",
    "status",
]

logger = logging.getLogger("refuge.vault")

CONTROL_PK = 1
_EPOCHS_SQL = (
    f"SELECT seal_epoch, keyring_epoch FROM {VaultControl._meta.db_table} WHERE id = %s"  # noqa: S608  # constant names
)


# --- The control row ------------------------------------------------------------------------------


def control() -> VaultControl:
    row: VaultControl = VaultControl.objects.get_or_create(pk=CONTROL_PK)[0]
    return row


def _epochs() -> tuple[int, int]:
    """The control row's two epochs. Read on every request (check_control): one plain statement on
    the cursor, without building an ORM query each time (a third of a millisecond of CPU)."""
    with connection.cursor() as cursor:
        cursor.execute(_EPOCHS_SQL, [CONTROL_PK])
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def bump_keyring_epoch() -> None:
    control()
    VaultControl.objects.filter(pk=CONTROL_PK).update(keyring_epoch=F("keyring_epoch") + 1)


@transaction.atomic
def record_failed_unseal(reason: str) -> int:
    """Count a failed unseal attempt and log it: the reason only, never what was offered."""
    control()
    VaultControl.objects.filter(pk=CONTROL_PK).update(
        failed_unseals=F("failed_unseals") + 1, last_failed_unseal_at=timezone.now()
    )
    count = VaultControl.objects.values_list("failed_unseals", flat=True).get(pk=CONTROL_PK)
    audit.record(type=EventType.VAULT_UNSEAL_FAILED, actor=None, target=("vault", ""), data={"failed_unseals": count})
    logger.warning("vault: failed unseal attempt (%s); %d failed attempts so far", reason, count)
    hooks.UNSEAL_FAILED.fire(int(count))  # e.g. the organisations' admins are told (refuge/wiring/subscribers.py)
    return int(count)


# --- Sealed or not --------------------------------------------------------------------------------


def seal(*, reason: str = "operator", actor: object = None) -> None:
    """Seal every process: drop the keys here, bump the seal epoch, end every session."""
    holder.drop(reason)
    with transaction.atomic():
        control()
        VaultControl.objects.filter(pk=CONTROL_PK).update(seal_epoch=F("seal_epoch") + 1, sealed_at=timezone.now())
        Session.objects.all().delete()
        hooks.VAULT_SEALING.fire()  # e.g. API tokens end with the sessions (refuge/wiring/subscribers.py)
        try:  # in a savepoint of its own: a broken audit log must never keep the vault open
            audit.record(type=EventType.VAULT_SEALED, actor=actor, target=("vault", ""))
        except DatabaseError:
            logger.exception("vault: the audit log refused the seal's entry; sealed all the same")
    _tell_agent("drop", local=True)  # this host's agent forgets the key now; other hosts' follow the epoch
    logger.warning("vault: sealed everywhere (%s); every session ended", reason)


# --- The host's key agent (refuge serve's master process) -----------------------------------------


def agent_path() -> Path:
    """Where `refuge serve` listens for this data directory's key agent."""
    return Path(settings.DATA_DIR) / "run" / "vault-agent.sock"


def _agent_target(*, local: bool) -> Path | None:
    """The agent to talk to: the one this worker was forked by, else (local) this host's if it runs."""
    if agent.serving is not None:
        return agent.serving
    if local and agent_path().exists():
        return agent_path()
    return None


def _tell_agent(op: str, fields: dict[str, Any] | None = None, *, local: bool = False) -> dict[str, Any] | None:
    """Best effort: the answer of the agent, None when there is none (the database still seals)."""
    path = _agent_target(local=local)
    if path is None:
        return None
    try:
        return agent.call(path, op, fields)[0]
    except agent.AgentUnavailable as exc:
        logger.warning("vault: %s", exc)
        return None


def _publish(state: holder.Keys) -> None:
    """Hand the active root key this worker holds to its agent, for the other workers."""
    if agent.serving is None:
        return
    fields = {
        "version": state.active_version,
        "seal_epoch": state.seal_epoch,
        "source": state.source,
        "holders": [os.getpid()],
    }
    try:
        agent.call(agent.serving, "put", fields, key=state.root[state.active_version])
    except agent.AgentUnavailable as exc:
        logger.warning("vault: %s; the other processes stay sealed", exc)


def unseal_through_agent(path: Path, *, root_key: bytes, source: str) -> dict[str, Any]:
    """`refuge unseal` on the host: verify the key, record the unseal, hand it to the agent at `path`."""
    active = keys.active_root_key()
    if not crypto.check_verifier(root_key, bytes(active.verifier)):
        record_failed_unseal(f"{source}: not the active root key")
        raise UnsealError("that is not this vault's root key")
    control()
    seal_epoch, _ = _epochs()
    fields = {"version": active.version, "seal_epoch": seal_epoch, "source": source}
    agent.call(path, "put", fields, key=root_key)  # AgentUnavailable: nothing was unsealed, nothing recorded
    audit.record(
        type=EventType.VAULT_UNSEALED,
        actor=None,
        target=("vault", ""),
        data={"source": source, "root_key": active.version},
    )
    logger.info("vault: the host's key agent was given the root key (%s, v%d)", source, active.version)
    return agent.call(path, "status")[0]


def try_agent_unseal() -> bool:  # noqa: PLR0911  # each way the agent's key may not count
    """A sealed worker takes the root key from its agent, if the agent holds one that still counts."""
    path = agent.serving
    if path is None or holder.held.keys is not None:
        return holder.held.keys is not None
    try:
        answer, key = agent.call(path, "get")
    except agent.AgentUnavailable:
        return False
    if key is None:
        return False
    try:
        seal_epoch, keyring_epoch = _epochs()
        if int(answer["seal_epoch"]) != seal_epoch:  # put before a seal that this host has not heard of yet
            _tell_agent("drop", {"unless_epoch": seal_epoch})
            return False
        version = int(answer["version"])
        row = RootKey.objects.filter(
            version=version, status__in=[RootKeyStatus.ACTIVE, RootKeyStatus.PENDING]
        ).first()
        if row is None or not crypto.check_verifier(bytes(key), bytes(row.verifier)):
            logger.warning("vault: the key agent's key does not open this vault; not taken, and dropped")
            _tell_agent("drop")  # e.g. a key that a finished rotation retired: unseal again
            return False
        taken = holder.Keys(
            root={version: bytearray(key)},
            active_version=version,
            wrap_version=version,
            seal_epoch=seal_epoch,
            keyring_epoch=keyring_epoch,
            source=str(answer.get("source", "")),
        )
        with holder.lock:
            if holder.held.keys is not None:
                holder.wipe(taken.root[version])
                return True
            try:
                _load_keyring(taken)
            except VaultSealed:
                holder.wipe(taken.root[version])
                _tell_agent("drop")
                return False
            holder.hold(taken)
        if taken.active_version != version:
            _publish(taken)  # the agent's key was a rotation's old one: give it the active one
    finally:
        agent.wipe(key)
    logger.info("vault: unsealed in this process, %d, from the host's key agent", os.getpid())
    return True


def agent_was_sealed() -> bool:
    """Has a seal reached this worker's agent since the server started? (Then no dev key unseals it.)"""
    answer = _tell_agent("status")
    return bool(answer and answer.get("dropped"))


def unseal(*, root_key: bytes, source: str) -> None:
    """Open the vault in this process with a root key that matches the active verifier."""
    active = keys.active_root_key()
    if not crypto.check_verifier(root_key, bytes(active.verifier)):
        record_failed_unseal(f"{source}: not the active root key")
        raise UnsealError("that is not this vault's root key")
    audit.record(
        type=EventType.VAULT_UNSEALED,
        actor=None,
        target=("vault", ""),
        data={"source": source, "root_key": active.version},
    )
    control()  # the row every process polls exists before anyone can bump it
    seal_epoch, keyring_epoch = _epochs()
    held = holder.Keys(
        root={active.version: bytearray(root_key)},
        active_version=active.version,
        wrap_version=active.version,
        seal_epoch=seal_epoch,
        keyring_epoch=keyring_epoch,
        source=source,
    )
    with holder.lock:
        holder.hold(held)
        _load_keyring(held)
    _publish(held)
    logger.info("vault: unsealed with %s (root key v%d)", source, active.version)
    if source == RootKeySource.DEV:
        _dev_warning()
    hooks.KEYS_HELD.fire_robustly()  # e.g. the name index starts building (refuge/wiring/subscribers.py)


def _dev_warning() -> None:
    banner = (
        "\n" + "!" * 78 + "\n"
        f"!!  REFUGE VAULT IS UNSEALED WITH THE DEVELOPMENT KEY FILE {keys.dev_key_path()}\n"
        "!!  Anyone who copies this disk can read every client's identity and files.\n"
        "!!  Never use it with real client data: `refuge vault init --shares N --threshold K`.\n" + "!" * 78 + "\n"
    )
    logger.warning("vault: INSECURE development key file in use (%s)", keys.dev_key_path())
    sys.stderr.write(banner)


def unseal_with_passphrase(passphrase: str) -> None:
    active = keys.active_root_key()
    if active.source != RootKeySource.PASSPHRASE:
        record_failed_unseal("a passphrase was offered to a vault sealed by another source")
        raise UnsealError("this vault is not sealed by a passphrase")
    try:
        root_key = keys.root_key_from_passphrase(passphrase, dict(active.params))
    except keys.SourceError as exc:
        record_failed_unseal("passphrase parameters unusable")
        raise UnsealError(str(exc)) from None
    unseal(root_key=root_key, source=RootKeySource.PASSPHRASE)


def submit_shares(mnemonics: Iterable[str]) -> tuple[int, int]:
    """Add SLIP-39 shares (from one operator or several, one after another) and unseal at the threshold.

    Returns (shares held, threshold); (0, threshold) after unsealing. Shares wait in memory only,
    for at most PENDING_SHARES_SECONDS, and are forgotten on any failure.
    """
    active = keys.active_root_key()
    params = dict(active.params)
    if active.source != RootKeySource.SHARES:
        record_failed_unseal("shares were offered to a vault sealed by another source")
        raise UnsealError("this vault is not sealed by shares")
    threshold = int(params["threshold"])
    normalised: list[str] = []
    for mnemonic in mnemonics:
        if not mnemonic.strip():
            continue
        try:
            identifier, _index, _threshold = keys.share_identifier(mnemonic)
        except keys.SourceError:
            _forget_shares()
            record_failed_unseal("a malformed share")
            raise UnsealError("a share is not a valid SLIP-39 mnemonic (checksum failed)") from None
        if identifier != int(params["identifier"]):
            _forget_shares()
            record_failed_unseal("a share of another key")
            raise UnsealError("a share belongs to another key")
        normalised.append(keys.normalise_mnemonic(mnemonic))
    held, offered = _pool_shares(normalised, int(params["identifier"]), threshold)
    if offered is None:
        return held, threshold
    try:
        root_key = keys.root_key_from_shares(offered)
    except keys.SourceError:
        record_failed_unseal("the shares do not combine")
        raise UnsealError("the shares do not combine into a key") from None
    unseal(root_key=root_key, source=RootKeySource.SHARES)
    return 0, threshold


def _pool_shares(shares: list[str], identifier: int, threshold: int) -> tuple[int, list[str] | None]:
    """Add shares to the pool (the agent's under `refuge serve`, else this process's): (held, complete)."""
    if agent.serving is not None:
        try:
            fields = {"identifier": identifier, "threshold": threshold, "shares": shares}
            answer = agent.call(agent.serving, "shares", fields)[0]
        except agent.AgentUnavailable as exc:
            raise UnsealError("the shares could not be pooled: the server's key agent does not answer") from exc
        complete = answer.get("complete")
        return int(answer.get("held", 0)), list(complete) if complete else None
    with holder.lock:
        if holder.held.pending_shares and time.monotonic() - holder.held.pending_since > PENDING_SHARES_SECONDS:
            holder.held.pending_shares = []
        for share in shares:
            if share not in holder.held.pending_shares:
                if not holder.held.pending_shares:
                    holder.held.pending_since = time.monotonic()
                holder.held.pending_shares.append(share)
        if len(holder.held.pending_shares) < threshold:
            return len(holder.held.pending_shares), None
        offered, holder.held.pending_shares = holder.held.pending_shares[:threshold], []
        return 0, offered


def _forget_shares() -> None:
    with holder.lock:
        holder.held.pending_shares = []
    if agent.serving is not None:
        _tell_agent("shares", {"forget": True})


def pending_share_count() -> int:
    """Shares entered and waiting for the threshold (in the agent, shared by the workers, under `refuge serve`)."""
    if agent.serving is not None:
        answer = _tell_agent("status")
        return int(answer["pending"]) if answer else 0
    return holder.pending_share_count()


def unseal_with_dev_key() -> None:
    candidates = keys.read_dev_keys()
    if not candidates:
        raise UnsealError(f"no development key file at {keys.dev_key_path()}")
    active = keys.active_root_key()
    for position, candidate in enumerate(candidates):
        if crypto.check_verifier(candidate, bytes(active.verifier)):
            if position > 0:
                keys.promote_next_dev_key()  # a rotation finished but died before renaming the file
            unseal(root_key=candidate, source=RootKeySource.DEV)
            return
    record_failed_unseal("the development key file holds another key")
    raise UnsealError("the development key file does not hold this vault's root key")


def try_dev_unseal() -> bool:
    """Unseal from the development key file, once per process and never after a seal."""
    with holder.lock:
        if holder.held.keys is not None:
            return True
        if not holder.held.dev_auto:
            return False
        holder.held.dev_auto = False
    if not keys.dev_key_exists() or (agent.serving is not None and agent_was_sealed()):
        return False  # a worker forked after a seal starts sealed, dev key file or not
    try:
        source = keys.active_root_key().source
        if source == RootKeySource.DEV:
            unseal_with_dev_key()
        else:
            logger.error("vault: a development key file exists but the vault is sealed by %s; ignoring it", source)
    except (keys.VaultNotInitialised, DatabaseError, UnsealError):
        pass
    return holder.held.keys is not None


# --- Keyring (rotation) ---------------------------------------------------------------------------


def _load_keyring(state: holder.Keys) -> None:
    """Take in a pending root key (sealed under one we hold); drop retired ones; follow the active one."""
    rows = list(RootKey.objects.filter(status__in=[RootKeyStatus.ACTIVE, RootKeyStatus.PENDING]).order_by("version"))
    for row in rows:
        previous = state.root.get(row.version - 1)
        if row.version not in state.root and row.wrapped_by_previous is not None and previous is not None:
            state.root[row.version] = bytearray(
                crypto.unwrap_key(
                    bytes(previous),
                    bytes(row.wrapped_by_previous),
                    aad=crypto.root_key_aad(row.version, row.version - 1),
                )
            )
    live = {row.version for row in rows}
    active = next((row.version for row in rows if row.status == RootKeyStatus.ACTIVE), None)
    if active is None or active not in state.root:
        raise VaultSealed("the root key was rotated while this process was not looking: unseal with the new key")
    for version in [v for v in state.root if v not in live]:
        holder.wipe(state.root.pop(version))
        state.index.pop(version, None)
    state.active_version = active
    state.wrap_version = max(state.root)


def check_control() -> None:
    """Follow other processes: drop the keys after a seal, take in a rotation's keys. One small query."""
    state = holder.held.keys
    if state is None:
        return
    seal_epoch, keyring_epoch = _epochs()
    if seal_epoch != state.seal_epoch:
        holder.drop("sealed by another process")
        _tell_agent("drop", {"unless_epoch": seal_epoch})  # the other workers of this host follow anyway
        return
    if keyring_epoch != state.keyring_epoch:
        with holder.lock:
            if holder.held.keys is not state:
                return
            active = state.active_version
            try:
                _load_keyring(state)
            except VaultSealed:
                holder.drop("root key rotated elsewhere")
                return
            state.keyring_epoch = keyring_epoch
        if state.active_version != active:
            _publish(state)  # a worker forked from now on takes the new root key


def start_watcher(*, interval: float = 1.0) -> threading.Thread:
    """A daemon thread for idle servers: every `interval` seconds, check_control() while unsealed;
    under `refuge serve`, while sealed, try_agent_unseal() (an unseal that reached another process)
    four times as often: it asks the agent over its socket, and the database only when a key waits."""

    def loop() -> None:
        while True:
            sealed = holder.held.keys is None
            time.sleep(interval / 4 if sealed and agent.serving is not None else interval)
            if holder.held.keys is None and agent.serving is None:
                continue
            try:
                if holder.held.keys is None:
                    try_agent_unseal()  # an unseal through another worker or `refuge unseal` on the host
                else:
                    check_control()
            except DatabaseError:
                logger.exception("vault: could not read the control row")
            finally:
                close_old_connections()

    with holder.lock:
        if holder.held.watcher is None or not holder.held.watcher.is_alive():
            holder.held.watcher = threading.Thread(target=loop, name="refuge-vault-watcher", daemon=True)
            holder.held.watcher.start()
        return holder.held.watcher


def _state() -> holder.Keys:
    state = holder.held.keys
    if state is None and try_dev_unseal():
        state = holder.held.keys
    if state is None:
        raise VaultSealed("the vault is sealed")
    return state


def root_key(version: int) -> bytes:
    state = _state()
    key = state.root.get(version)
    if key is None:
        check_control()
        key = _state().root.get(version)
    if key is None:
        raise crypto.DecryptionError(f"root key v{version} is not held by this process")
    return bytes(key)


def wrap_version() -> int:
    return _state().wrap_version


# --- Blind index keys -----------------------------------------------------------------------------


def index_keys() -> dict[int, bytes]:
    """Blind index keys by root key version (HKDF from each root key held)."""
    return holder.index_keys(_state())


# --- Case data keys -------------------------------------------------------------------------------


def _case_code(case_id: int) -> str:
    from django.apps import apps  # noqa: PLC0415  # the cases app imports the vault's fields

    case_model = apps.get_model("cases", "Case")
    return str(case_model.objects.values_list("code", flat=True).get(pk=case_id))


def data_key(case_id: int, version: int) -> bytes:
    """The data key `version` of a case; KeyDestroyed once the case's key was shredded."""
    return _held_key(_state().data, CaseKey, "case", case_id, version, aad=crypto.case_key_aad)


def current_data_key(case_id: int) -> tuple[int, bytes]:
    """(version, key) to encrypt with: the case's newest data key, made on first use."""
    version = _newest_version(
        _state().newest,
        CaseKey,
        "case",
        case_id,
        lambda: _create_first_key(CaseKey, "case", case_id, _case_code(case_id), crypto.case_key_aad),
    )
    return version, data_key(case_id, version)


_WrappedKey = type[CaseKey] | type[OrganisationKey]


def _held_key(
    cache: dict[tuple[int, int], bytearray],
    model: _WrappedKey,
    owner: str,
    owner_id: int,
    version: int,
    *,
    aad: Callable[[str, int, int], bytes],
) -> bytes:
    """Data key `version` of a case or an organisation (`owner`), unwrapped once and then held."""
    cached = cache.get((owner_id, version))
    if cached is not None:
        return bytes(cached)
    found = _wrapped_read(model, owner).rows((owner_id, version))
    row = found[0] if found else None
    if row is None:
        raise KeyDestroyed(f"the {owner}'s data key does not exist (deleted with its {owner}?)")
    wrapped, root_version, code = row
    key = crypto.unwrap_key(root_key(int(root_version)), bytes(wrapped), aad=aad(str(code), version, int(root_version)))
    with holder.lock:
        cache[(owner_id, version)] = bytearray(key)
    return key


# The wrapped key of a case or an organisation by (owner id, version): `.values_list(…).first()`, compiled
# once per connection (refuge.lib.prepared). A page reads it for each case the process has not seen yet.
@functools.cache
def _wrapped_read(model: _WrappedKey, owner: str) -> Prepared[Any]:
    return Prepared(
        lambda owner_id, version: model.objects.filter(**{f"{owner}_id": owner_id, "version": version})
        .order_by("pk")
        .values_list("wrapped", "root_version", f"{owner}__code")[:1],
        keys=(int, int),
    )


def _newest_version(
    newest: dict[int, int], model: _WrappedKey, owner: str, owner_id: int, create: Callable[[], int]
) -> int:
    """The newest data key version of a case or an organisation, made by `create` on first use."""
    version = newest.get(owner_id)
    if version is None:
        version = (
            model.objects.filter(**{f"{owner}_id": owner_id})
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        if version is None:
            version = create()
        with holder.lock:
            newest[owner_id] = version
    return version


def _create_first_key(
    model: _WrappedKey, owner: str, owner_id: int, code: str, aad: Callable[[str, int, int], bytes]
) -> int:
    """Wrap a new version-1 data key for a case or an organisation under the current root key."""
    key = crypto.random_key()
    try:
        with transaction.atomic():
            under = lock_wrap_version()
            model.objects.create(
                **{f"{owner}_id": owner_id},
                version=1,
                root_version=under,
                wrapped=crypto.wrap_key(root_key(under), key, aad=aad(code, 1, under)),
            )
    except IntegrityError:
        pass  # another thread or process made it first: use theirs
    return 1


def create_data_keys(cases: list[tuple[int, str]]) -> None:
    """Make the first data key of many new cases at once, given as (id, code): one root-key lock and
    one insert for the lot (a bulk import), each key wrapped as `_create_data_key` wraps it."""
    if not cases:
        return
    state = _state()
    made: dict[int, bytes] = {}
    with transaction.atomic():
        under = lock_wrap_version()
        root = root_key(under)
        rows = []
        for case_id, code in cases:
            key = crypto.random_key()
            made[case_id] = key
            rows.append(
                CaseKey(
                    case_id=case_id,
                    version=1,
                    root_version=under,
                    wrapped=crypto.wrap_key(root, key, aad=crypto.case_key_aad(code, 1, under)),
                )
            )
        CaseKey.objects.bulk_create(rows)
    with holder.lock:
        for case_id, key in made.items():
            state.data[(case_id, 1)] = bytearray(key)
            state.newest[case_id] = 1


def lock_wrap_version() -> int:
    """The root key version to wrap under, locked against a rotation finishing meanwhile.

    Call inside a transaction. A rotation retires the old version only after locking its row,
    so a key wrapped here is either seen by the rotation or wrapped under the new version.
    """
    check_control()
    version = wrap_version()
    while (
        not RootKey.objects.select_for_update()
        .filter(version=version, status__in=[RootKeyStatus.ACTIVE, RootKeyStatus.PENDING])
        .exists()
    ):
        check_control()
        if wrap_version() == version:
            raise VaultSealed("the root key this process holds was retired: unseal again")
        version = wrap_version()
    return version


# --- Organisation data keys -----------------------------------------------------------------------


def organisation_key(organisation_id: int, version: int) -> bytes:
    """The data key `version` of an organisation; KeyDestroyed once it was shredded."""
    return _held_key(
        _state().org, OrganisationKey, "organisation", organisation_id, version, aad=crypto.organisation_key_aad
    )


def current_organisation_key(organisation_id: int) -> tuple[int, bytes]:
    """(version, key) to encrypt an organisation's data with: its newest key, made on first use."""
    version = _newest_version(
        _state().org_newest,
        OrganisationKey,
        "organisation",
        organisation_id,
        lambda: _create_organisation_key(organisation_id),
    )
    return version, organisation_key(organisation_id, version)


def _create_organisation_key(organisation_id: int) -> int:
    from django.apps import apps  # noqa: PLC0415  # see _case_code

    organisation_model = apps.get_model("accounts", "Organisation")
    code = str(organisation_model.objects.values_list("code", flat=True).get(pk=organisation_id))
    return _create_first_key(OrganisationKey, "organisation", organisation_id, code, crypto.organisation_key_aad)


def reset_for_tests() -> None:
    """Forget everything, as a new process would (tests only)."""
    holder.drop("reset")
    with holder.lock:
        holder.held.dev_auto = True
