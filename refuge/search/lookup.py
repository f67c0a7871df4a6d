"""What a user may find: names (in-memory index), document numbers (blind index), case references.

Everything found is filtered through `access.cases_for_user` before it is returned, so a user never
learns of a case they could not open. Names and document numbers are identity: a role that may not
see identity (analysts) gets no lookups of them at all — not hidden results, none run — and can
still find cases by their pseudonymous reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from refuge.cases import access
from refuge.cases.models import Case, Person
from refuge.search import index
from refuge.vault import blindindex, crypto

if TYPE_CHECKING:
    from refuge.accounts.models import User

MAX_QUERY = 200
RESULTS = 50
POSSIBLE_MATCHES = 5
CHUNK = 500  # candidate case ids checked against access per query
MAX_CANDIDATES = 20_000  # a one-letter surname in a huge organisation stops here
_HAS_DIGIT = re.compile(r"\d")

NAME, DOCUMENT, REFERENCE = "name", "document number", "reference"


@dataclass
class Hit:
    case: Case
    score: int
    via: str
    names: list[str] = field(default_factory=list)  # filled only for users who may see identity


@dataclass
class Found:
    query: str
    hits: list[Hit]
    more: bool  # more visible matches than shown
    identity: bool  # whether names and document numbers were searched


def search_cases(*, user: User, query: str, limit: int = RESULTS) -> Found:
    """The cases the user may see whose client's name, document number or reference matches the query."""
    query = " ".join(query.split())[:MAX_QUERY]
    member = access.require_membership(user)
    identity = member.can_see_identity
    if not query:
        return Found(query, [], more=False, identity=identity)
    visible = access.cases_for_user(user)
    ranked: dict[int, tuple[int, str]] = {}

    def offer(case_id: int, score: int, via: str) -> None:
        if ranked.get(case_id, (-1, ""))[0] < score:
            ranked[case_id] = (score, via)

    for case_id, reference in visible.filter(reference__icontains=query).values_list("id", "reference")[:limit]:
        offer(case_id, 100 if reference.casefold() == query.casefold() else 90, REFERENCE)
    if identity:
        if _HAS_DIGIT.search(query) and crypto.normalise_identifier(query):
            codes = blindindex.matching_codes(Person, "document_numbers", query)
            for case_id in visible.filter(code__in=codes).values_list("id", flat=True):
                offer(case_id, 100, DOCUMENT)
        for case_id, score in index.match(member.organisation_id, [query]).items():
            offer(case_id, score, NAME)
    hits, more = _visible_hits(user, ranked, limit)
    return Found(query, hits, more=more, identity=identity)


def possible_matches(*, user: User, names: list[str], exclude: Case | None = None) -> list[Hit]:
    """Cases the user may see whose client looks like a person with these names (the intake warning)."""
    names = [n for n in (" ".join(n.split())[:MAX_QUERY] for n in names) if n]
    member = access.require_membership(user)
    if not names or not member.can_see_identity:
        return []
    ranked = {case_id: (score, NAME) for case_id, score in index.match(member.organisation_id, names).items()}
    if exclude is not None:
        ranked.pop(exclude.pk, None)
    return _visible_hits(user, ranked, POSSIBLE_MATCHES)[0]


def _visible_hits(user: User, ranked: dict[int, tuple[int, str]], limit: int) -> tuple[list[Hit], bool]:
    """The best `limit` candidates the user may see, best first; and whether more were visible."""
    order = sorted(ranked, key=lambda c: (-ranked[c][0], -c))[:MAX_CANDIDATES]
    visible = access.cases_for_user(user)
    hits: list[Hit] = []
    for start in range(0, len(order), CHUNK):
        chunk = order[start : start + CHUNK]
        cases = {c.pk: c for c in visible.filter(pk__in=chunk).select_related("person")}
        for case_id in chunk:
            case = cases.get(case_id)
            if case is None:
                continue
            if len(hits) == limit:
                return hits, True
            score, via = ranked[case_id]
            hits.append(Hit(case=case, score=score, via=via, names=_names(user, case)))
    return hits, False


def _names(user: User, case: Case) -> list[str]:
    if not access.can_see_identity(user, case):
        return []
    try:
        person = case.person
    except Person.DoesNotExist:
        return []
    return [n["value"] for n in person.names if isinstance(n, dict) and n.get("value")]
