"""The in-memory name index: one per organisation, per server process, never written anywhere.

Built in a background thread as soon as the vault is unsealed in this process (`hooks.KEYS_HELD`,
`build_in_background`; or lazily, at the first search, where that is turned off or the build has
not reached the organisation yet): every client's names are decrypted once and reduced to
phonetic keys (normalise.py). A search that arrives while its organisation's index is being
built waits for it up to `SEARCH_WAIT` seconds, then says so (`IndexBuilding`) rather than
answering from half an index. Only keys are
kept — no plaintext name, no ciphertext — in plain Python dicts in this process's memory. Nothing is
written to the database, to a file or to a cache; the operating system's swap is outside our reach,
as for the vault's own keys (run servers without swap, or with encrypted swap).

Kept current three ways:
- a Person saved or deleted in this process updates it when its transaction commits (signals.py);
- before every search, cases of the organisation whose `updated_at` moved since the last look (minus
  a margin for transactions that committed late) are read again: that is how a change made by
  another server process arrives. A case's names are decrypted again only if their ciphertext
  changed;
- when the organisation holds fewer cases than the index, entries of deleted cases are dropped (a
  crypto-shredded client leaves the index of every process at its next search).

Dropped, every organisation at once, when the vault seals in this process (`hooks.KEYS_DROPPED`,
subscribed in refuge/wiring/subscribers.py), which also happens within a second of a `refuge seal` in another
process (the vault's watcher). A build that was running when the vault sealed is thrown away rather than installed.

Results come back as case ids with scores; lookup.py filters them by what the user may see before
anything else is read.
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Count
from django.utils import timezone
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from refuge.cases.models import Case, Person
from refuge.search import normalise
from refuge.vault import crypto, state
from refuge.vault.models import CaseKey

logger = logging.getLogger("refuge.search")

# A transaction that commits this long after it stamped `updated_at` is still seen by other processes.
SYNC_MARGIN = timedelta(seconds=60)
SEARCH_WAIT = 3.0  # seconds a search waits for its organisation's index being built before saying so
PREFIX_SCORE = 75  # a query word that begins a longer word of a name ("Song" in "Songgyun")
MIN_KEY_LENGTH = 2


@dataclass(slots=True)
class _Entry:
    fingerprint: int  # hash of the names' ciphertext: unchanged ciphertext, nothing to decrypt
    strings: tuple[str, ...]  # joined keys (and rotations) of every name
    words: frozenset[str]  # every key word of every name


def _entry(fingerprint: int, names: Any) -> _Entry:
    strings: list[str] = []
    words: set[str] = set()
    for item in names if isinstance(names, list) else []:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            continue
        for key in normalise.name_keys(value):
            words.update(key)
            strings.extend(s for s in normalise.rotations(key) if s not in strings)
    return _Entry(fingerprint, tuple(strings), frozenset(words))


@dataclass
class _OrgIndex:
    org_id: int
    entries: dict[int, _Entry] = field(default_factory=dict)  # case id -> entry
    by_string: dict[str, set[int]] = field(default_factory=dict)
    by_word: dict[str, set[int]] = field(default_factory=dict)
    synced_at: datetime | None = None
    _strings_by_length: dict[int, list[str]] | None = None
    _words_by_length: dict[int, list[str]] | None = None
    _words_sorted: list[str] | None = None

    def put(self, case_id: int, entry: _Entry) -> None:
        self.remove(case_id)
        self.entries[case_id] = entry
        for s in entry.strings:
            self.by_string.setdefault(s, set()).add(case_id)
        for w in entry.words:
            self.by_word.setdefault(w, set()).add(case_id)
        self._changed()

    def remove(self, case_id: int) -> None:
        old = self.entries.pop(case_id, None)
        if old is None:
            return
        for table, keys in ((self.by_string, old.strings), (self.by_word, old.words)):
            for key in keys:
                holders = table.get(key)
                if holders is not None:
                    holders.discard(case_id)
                    if not holders:
                        del table[key]
        self._changed()

    def clear(self) -> None:
        self.entries.clear()
        self.by_string.clear()
        self.by_word.clear()
        self._changed()

    def _changed(self) -> None:
        self._strings_by_length = self._words_by_length = self._words_sorted = None

    def _by_length(self, keys: Iterable[str]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for key in keys:
            out.setdefault(len(key), []).append(key)
        return out

    def _near(self, query: str, budget: int, *, words: bool) -> Iterator[tuple[str, int]]:
        """Keys within `budget` edits of `query` (Levenshtein), with their distance."""
        if words:
            if self._words_by_length is None:
                self._words_by_length = self._by_length(self.by_word)
            buckets = self._words_by_length
        else:
            if self._strings_by_length is None:
                self._strings_by_length = self._by_length(self.by_string)
            buckets = self._strings_by_length
        for length in range(len(query) - budget, len(query) + budget + 1):
            choices = buckets.get(length)
            if not choices:
                continue
            if budget == 0:
                if query in (self.by_word if words else self.by_string):
                    yield query, 0
                continue
            for key, distance, _ in process.extract_iter(
                query, choices, scorer=Levenshtein.distance, score_cutoff=budget
            ):
                yield key, int(distance)

    def _prefixed(self, word: str) -> Iterator[str]:
        """Longer words that begin with `word`."""
        if self._words_sorted is None:
            self._words_sorted = sorted(self.by_word)
        start = bisect.bisect_left(self._words_sorted, word)
        for candidate in self._words_sorted[start:]:
            if not candidate.startswith(word):
                break
            if candidate != word:
                yield candidate

    def match(self, keys: Iterable[tuple[str, ...]]) -> dict[int, int]:
        """Case id -> score (0-100) of every case with a name close to one of the query keys.

        A case matches when its whole name is within the edit budget of the query's (word breaks
        ignored; surname first or last), or when every word of the query is close to, or begins, a
        word of its names.
        """
        scores: dict[int, int] = {}

        def offer(cases: Iterable[int], score: int) -> None:
            for case_id in cases:
                if scores.get(case_id, -1) < score:
                    scores[case_id] = score

        for key in keys:
            whole = normalise.joined(key)
            if len(whole) < MIN_KEY_LENGTH:
                continue
            for found, distance in self._near(whole, normalise.name_budget(whole), words=False):
                offer(self.by_string[found], _score(distance, whole, found))
            for case_id, score in self._all_words(key).items():
                offer((case_id,), score)
        return scores

    def _all_words(self, key: tuple[str, ...]) -> dict[int, int]:
        """Cases having a word close to (or beginning with) each word of the key: the weakest word's score."""
        found: dict[int, int] | None = None
        for word in key:
            hits: dict[int, int] = {}
            for near, distance in self._near(word, normalise.word_budget(word), words=True):
                score = _score(distance, word, near)
                for case_id in self.by_word[near]:
                    hits[case_id] = max(hits.get(case_id, 0), score)
            if len(word) >= 3:
                for longer in self._prefixed(word):
                    for case_id in self.by_word[longer]:
                        hits[case_id] = max(hits.get(case_id, 0), PREFIX_SCORE)
            found = hits if found is None else {c: min(s, hits[c]) for c, s in found.items() if c in hits}
            if not found:
                return {}
        return found or {}


def _score(distance: int, a: str, b: str) -> int:
    return round(100 * (1 - distance / max(len(a), len(b), 1)))


# --- The holder: every organisation's index in this process -------------------------------------------


class IndexBuilding(Exception):  # noqa: N818  # a state, not an error: the caller tells the user
    """The organisation's name index is being built (the vault was just unsealed): ask again shortly."""


class _Holder:
    """The registry. `lock` guards `orgs` and `generation` only (held for microseconds); each
    organisation has a lock of its own for building, syncing, updating and querying its index, so a
    five-second build for one organisation never holds up another's searches."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orgs: dict[int, _OrgIndex] = {}
        self.org_locks: dict[int, threading.Lock] = {}
        self.generation = 0  # bumped when the vault seals: builds started before are discarded
        self.building: set[int] = set()  # organisations whose index a thread is building now
        self.builder: threading.Thread | None = None


_held = _Holder()


def _org_lock(org_id: int) -> threading.Lock:
    with _held.lock:
        return _held.org_locks.setdefault(org_id, threading.Lock())


def drop_all() -> None:
    """Forget every organisation's index (the vault sealed): hooks.KEYS_DROPPED, refuge/wiring."""
    with _held.lock:
        _held.generation += 1
        dropped, _held.orgs = _held.orgs, {}
    for org_id, org in dropped.items():
        with _org_lock(org_id):  # waits for a search in progress (milliseconds), then empties it
            org.clear()


def held_organisations() -> list[int]:
    """The organisations whose index this process holds (for tests and the status of a process)."""
    with _held.lock:
        return sorted(_held.orgs)


def size(org_id: int) -> int:
    with _held.lock:
        org = _held.orgs.get(org_id)
        return len(org.entries) if org else 0


def warm(org_id: int) -> dict[str, int]:
    """Build (or bring up to date) the organisation's index now: its cases, distinct name keys and words."""
    with _org_lock(org_id):
        with _held.lock:
            _held.building.add(org_id)
        try:
            org = _current(org_id)
        finally:
            with _held.lock:
                _held.building.discard(org_id)
        return {"cases": len(org.entries), "keys": len(org.by_string), "words": len(org.by_word)}


def build_all() -> int:
    """Build the index of every organisation that holds cases, the largest first; how many were built."""
    sizes = Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n", "organisation_id")
    built = 0
    for org_id in [row["organisation_id"] for row in sizes]:
        if state.is_sealed():
            break
        warm(org_id)
        built += 1
    return built


def build_in_background() -> None:
    """The hook after an unseal (hooks.KEYS_HELD): build every organisation's index in a thread of
    its own, so that the first search finds it ready (REFUGE_SEARCH_BUILD_AT_UNSEAL; on by default)."""
    if not settings.REFUGE_SEARCH_BUILD_AT_UNSEAL:
        return
    thread = threading.Thread(target=_build_all_then_close, name="refuge-search-index", daemon=True)
    with _held.lock:
        _held.builder = thread
    thread.start()


def background_build() -> threading.Thread | None:
    """The thread `build_in_background` started last (for tests and a process's status)."""
    with _held.lock:
        return _held.builder


def _build_all_then_close() -> None:
    try:
        built = build_all()
        logger.info("search: built the name index of %d organisations after the unseal", built)
    except state.VaultSealed:
        logger.info("search: the vault sealed while the name indexes were being built; stopped")
    except Exception:  # a thread's fault reaches the log, not a user; the first search builds instead
        logger.exception("search: building the name indexes after the unseal failed")
    finally:
        connections.close_all()  # this thread's own connections


def match(org_id: int, names: Iterable[str], *, wait: float | None = SEARCH_WAIT) -> dict[int, int]:
    """Case id -> score for the names (any script), among the organisation's cases.

    While the organisation's index is being built, waits up to `wait` seconds for it (None: as long
    as it takes), then raises IndexBuilding."""
    keys: list[tuple[str, ...]] = []
    for name in names:
        for key in normalise.name_keys(name):
            if key not in keys:
                keys.append(key)
    if not keys:
        return {}
    lock = _org_lock(org_id)
    with _held.lock:
        building = org_id in _held.building
    if not lock.acquire(timeout=wait if building and wait is not None else -1):
        raise IndexBuilding(f"the name index of organisation {org_id} is being built")
    try:
        return _current(org_id).match(keys)
    finally:
        lock.release()


def _current(org_id: int) -> _OrgIndex:
    """The organisation's index, built if this process has none and brought up to date (org lock held)."""
    with _held.lock:
        org = _held.orgs.get(org_id)
    if org is None:
        return _build(org_id)
    _sync(org)
    return org


def _build(org_id: int) -> _OrgIndex:
    with _held.lock:
        generation = _held.generation
    started = time.perf_counter()
    org = _OrgIndex(org_id)
    org.synced_at = timezone.now()
    rows = Case.objects.filter(organisation_id=org_id).values_list("id", "code", "person__names")
    keys = case_keys(org_id=org_id)
    for case_id, code, blob in rows.iterator(chunk_size=5000):
        org.put(case_id, _decrypt_entry(case_id, str(code), blob, keys))
    keys.clear()
    with _held.lock:
        if state.is_sealed() or generation != _held.generation:
            org.clear()
            raise state.VaultSealed("the vault sealed while the search index was being built")
        _held.orgs[org_id] = org
    logger.info(
        "search: indexed the names of %d cases of organisation %d in %.1f s",
        len(org.entries),
        org_id,
        time.perf_counter() - started,
    )
    return org


def _sync(org: _OrgIndex) -> None:
    """Read again the cases changed since the last look; drop the entries of deleted cases."""

    assert org.synced_at is not None  # noqa: S101  # set by _build
    now = timezone.now()
    changed = list(
        Case.objects.filter(organisation_id=org.org_id, updated_at__gte=org.synced_at - SYNC_MARGIN).values_list(
            "id", "code", "person__names"
        )
    )
    for case_id, code, blob in changed:
        old = org.entries.get(case_id)
        if old is not None and old.fingerprint == _fingerprint(blob):
            continue
        org.put(case_id, _decrypt_entry(case_id, str(code), blob, None))
    org.synced_at = now
    if Case.objects.filter(organisation_id=org.org_id).count() < len(org.entries):
        alive = set(Case.objects.filter(organisation_id=org.org_id).values_list("id", flat=True))
        for case_id in [c for c in org.entries if c not in alive]:
            org.remove(case_id)


def _fingerprint(blob: bytes | memoryview | None) -> int:  # memoryview: PostgreSQL
    return hash(bytes(blob)) if blob is not None else 0


def case_keys(*, org_id: int | None = None, case_ids: Iterable[int] | None = None) -> dict[tuple[int, int], bytes]:
    """The data keys of an organisation's cases (or of some cases), unwrapped in one pass.

    The same unwrapping as state.data_key, in bulk (one query, not one per case): the caller holds
    the keys only while it decrypts, and does not add them to the vault's cache.
    """

    rows = CaseKey.objects.all()
    if org_id is not None:
        rows = rows.filter(case__organisation_id=org_id)
    if case_ids is not None:
        rows = rows.filter(case_id__in=list(case_ids))
    out: dict[tuple[int, int], bytes] = {}
    roots: dict[int, bytes] = {}
    for case_id, version, root_version, wrapped, code in rows.values_list(
        "case_id", "version", "root_version", "wrapped", "case__code"
    ).iterator(chunk_size=5000):
        root = roots.get(root_version)
        if root is None:
            root = roots[root_version] = state.root_key(int(root_version))
        aad = crypto.case_key_aad(str(code), int(version), int(root_version))
        out[(case_id, int(version))] = crypto.unwrap_key(root, bytes(wrapped), aad=aad)
    return out


def decrypt_names(case_id: int, code: str, blob: bytes | memoryview, keys: dict[tuple[int, int], bytes] | None) -> Any:
    """A Person's names from their ciphertext, as the field would decrypt them. Raises DecryptionError."""

    version = crypto.field_key_version(bytes(blob))
    key = keys.get((case_id, version)) if keys is not None else None
    if key is None:
        key = state.data_key(case_id, version)
    label = Person._meta.get_field("names").label
    return json.loads(crypto.decrypt_field(key, bytes(blob), label=label, code=code))


def _decrypt_entry(
    case_id: int, code: str, blob: bytes | memoryview | None, keys: dict[tuple[int, int], bytes] | None
) -> _Entry:
    if blob is None:
        return _Entry(0, (), frozenset())
    try:
        names = decrypt_names(case_id, code, blob, keys)
    except crypto.DecryptionError:
        # A shredded or damaged case: its names cannot be read, so it cannot be found by name.
        logger.exception("search: the names of case %s could not be decrypted; not indexed", code)
        return _Entry(_fingerprint(blob), (), frozenset())
    return _entry(_fingerprint(blob), names)


def note_saved(*, org_id: int, case_id: int, names: Any, ciphertext: bytes | None) -> None:
    """A Person was saved in this process (after its transaction committed)."""
    entry = _entry(_fingerprint(ciphertext), names)
    with _org_lock(org_id):
        with _held.lock:
            org = _held.orgs.get(org_id)
        if org is not None and not state.is_sealed():
            org.put(case_id, entry)


def note_deleted(*, case_id: int) -> None:
    with _held.lock:
        orgs = list(_held.orgs.items())
    for org_id, org in orgs:
        with _org_lock(org_id):
            org.remove(case_id)
