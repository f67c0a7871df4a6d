"""The search page and the intake's "possible match" check. Both list only cases the user may see."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from refuge.cases import access, actions
from refuge.search import lookup

if TYPE_CHECKING:
    from refuge.accounts.requests import AuthenticatedRequest

# The intake form's name rows (NameFormSet, prefix "names"), and the person form's.
_NAME_FIELD = re.compile(r"^names-\d{1,2}-value$")


@require_GET
@login_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    access.require_case_reader(request.user)  # analysts: statistics only (issue 14)
    found = lookup.search_cases(user=request.user, query=request.GET.get("q", ""))
    # The clients named on the page: each a read of identity, on record (never the query), in one
    # transaction: fifty entries share one commit instead of paying fifty.
    named = [hit.case for hit in found.hits if hit.names]
    if named:  # nothing shown, nothing to record: no write transaction (SQLite's lock) for it either
        actions.record_reveals(user=request.user, cases=named, fields=["names"], via="search", request=request)
    return render(request, "search/search.html", {"found": found})


@require_POST
@login_required
def possible_matches(request: AuthenticatedRequest) -> HttpResponse:
    """The names typed so far on the intake form: existing cases whose client looks the same (htmx)."""
    access.require_writer(request.user)
    names = [request.POST.get(key, "") for key in request.POST if _NAME_FIELD.match(key)]  # each key's last value
    matches = lookup.possible_matches(user=request.user, names=names)
    return render(request, "search/_possible_matches_list.html", {"matches": matches})
