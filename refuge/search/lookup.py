"""What a user may find: names (in-memory index), document numbers (blind index), case references.

Everything found is filtered through `access.cases_for_user` before it is returned, so a user never
learns of a case they could not open. Names and document numbers are identity: a role that may not
see identity (analysts) gets no lookups of them at all — not hidden results, none run — and can
still find cases by their pseudonymous reference.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import pgettext_lazy

from refuge.cases import access
from refuge.cases.models import Case, Person
from refuge.search import index
from refuge.vault import blindindex, crypto

if TYPE_CHECKING:
    from refuge.accounts.models import User

logger = logging.getLogger("refuge.search")

MAX_QUERY = 200
RESULTS = 50
POSSIBLE_MATCHES = 5
CHUNK = 500  # candidate case ids checked against access per query
MAX_CANDIDATES = 20_000  # a one-letter surname in a huge organisation stops here
SMALL_VISIBLE = 5_000  # a user who sees at most this many cases has them intersected in memory
_HAS_DIGIT = re.compile(r"\d")

NAME, DOCUMENT, REFERENCE = "name", "document number", "reference"
# The "Found by" column's words for each (the codes above stay English: they are not shown as they are).
VIA_WORDS = {
    NAME: pgettext_lazy("found by", "name"),
    DOCUMENT: pgettext_lazy("found by", "document number"),
    REFERENCE: pgettext_lazy("found by", "reference"),
}


@dataclass
class Hit:
    case: Case
    score: int
    via: str
    names: list[str] = field(default_factory=list)  # filled only for users who may see identity

    @property
    def via_label(self) -> str:
        """What matched, in the reader's language."""
        return str(VIA_WORDS.get(self.via, self.via))


@dataclass
class Found:
    query: str
    hits: list[Hit]
    more: bool  # more visible matches than shown
    identity: bool  # whether names and document numbers were searched
    building: bool = False  # names were not searched: the name index is still being built


def search_cases(*, user: User, query: str, limit: int = RESULTS) -> Found:
    """The cases the user may see whose client's name, document number or reference matches the query."""
    query = " ".join(query.split())[:MAX_QUERY]
    member = access.require_membership(user)
    identity = member.can_see_identity
    if not query:
        return Found(query, [], more=False, identity=identity)
    visible = access.cases_for_user(user)
    ranked: dict[int, tuple[int, str]] = {}
    building = False

    def offer(case_id: int, score: int, via: str) -> None:
        if ranked.get(case_id, (-1, ""))[0] < score:
            ranked[case_id] = (score, via)

    if _HAS_DIGIT.search(query):  # references carry numbers (SPB-2026-014); names do not
        for case_id, reference in visible.filter(reference__icontains=query).values_list("id", "reference")[:limit]:
            offer(case_id, 100 if reference.casefold() == query.casefold() else 90, REFERENCE)
    if identity:
        if _HAS_DIGIT.search(query) and crypto.normalise_identifier(query):
            codes = blindindex.matching_codes(Person, "document_numbers", query)
            for case_id in visible.filter(code__in=codes).values_list("id", flat=True):
                offer(case_id, 100, DOCUMENT)
        try:
            by_name = index.match(member.organisation_id, [query])
        except index.IndexBuilding:  # said on the page: the other matches only
            by_name, building = {}, True
        for case_id, score in by_name.items():
            offer(case_id, score, NAME)
    hits, more = _visible_hits(user, ranked, limit)
    return Found(query, hits, more=more, identity=identity, building=building)


def possible_matches(*, user: User, names: list[str], exclude: Case | None = None) -> list[Hit]:
    """Cases the user may see whose client looks like a person with these names (the intake warning)."""
    names = [n for n in (" ".join(n.split())[:MAX_QUERY] for n in names) if n]
    member = access.require_membership(user)
    if not names or not member.can_see_identity:
        return []
    matched = index.match(member.organisation_id, names, wait=None)  # in the background: waits for a build
    ranked = {case_id: (score, NAME) for case_id, score in matched.items()}
    if exclude is not None:
        ranked.pop(exclude.pk, None)
    # References only: the warning names no one (typing a name must not reveal other clients' names).
    return _visible_hits(user, ranked, POSSIBLE_MATCHES, with_names=False)[0]


def _visible_hits(
    user: User, ranked: dict[int, tuple[int, str]], limit: int, *, with_names: bool = True
) -> tuple[list[Hit], bool]:
    """The best `limit` candidates the user may see, best first; and whether more were visible."""
    order = sorted(ranked, key=lambda c: (-ranked[c][0], -c))[:MAX_CANDIDATES]
    visible = access.cases_for_user(user)
    if len(order) > CHUNK and visible.count() <= SMALL_VISIBLE:
        # A team's hundred cases among thousands of candidates: intersect in memory, not chunk by chunk.
        mine = set(visible.values_list("pk", flat=True))
        order = [case_id for case_id in order if case_id in mine]
    hits: list[Hit] = []
    more = False
    for start in range(0, len(order), CHUNK):
        chunk = order[start : start + CHUNK]
        cases = {c.pk: c for c in visible.filter(pk__in=chunk)}
        visible_here = [cases[case_id] for case_id in chunk if case_id in cases]
        room = limit - len(hits)
        hits.extend(Hit(case=case, score=ranked[case.pk][0], via=ranked[case.pk][1]) for case in visible_here[:room])
        if len(visible_here) > room:
            more = True
            break
    if with_names:
        _add_names(user, hits)
    return hits, more


def _add_names(user: User, hits: list[Hit]) -> None:
    """The client's names on each hit the user may see identity of (views record the reveal).

    Decrypted in bulk (one query for the ciphertexts, one for the keys), not one key query per row.
    """
    shown = {hit.case.pk: hit for hit in hits if access.can_see_identity(user, hit.case)}
    if not shown:
        return
    rows = Person.objects.filter(case_id__in=list(shown)).values_list("case_id", "names")
    keys = index.case_keys(case_ids=list(shown))
    for case_id, blob in rows:
        if blob is None:
            continue
        hit = shown[case_id]
        try:
            names = index.decrypt_names(case_id, str(hit.case.code), blob, keys)
        except crypto.DecryptionError:  # shredded meanwhile: the case is listed, its names are gone
            logger.exception("search: the names of case %s could not be decrypted", hit.case.code)
            continue
        hit.names = [n["value"] for n in names if isinstance(n, dict) and n.get("value")]
