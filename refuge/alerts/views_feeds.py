"""Calendar feeds: making one (for all one's cases, or from a case's page), revoking it, and the
feed itself, which a calendar application fetches with no session: its secret token is the key.
See refuge.alerts.feeds for what a feed carries and who may have one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from refuge.alerts import actions
from refuge.alerts.feeds import build_calendar, feed_url, get_feed_for_user, may_have_feeds, note_use, open_feed
from refuge.cases import access

if TYPE_CHECKING:
    from django.http import HttpRequest

    from refuge.accounts.models import User
    from refuge.cases.models import Case


def _feed_maker(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    if not may_have_feeds(user):
        raise Http404("Analysts have no calendar feeds")
    return user


def _created(request: HttpRequest, user: User, case: Case | None) -> HttpResponse:
    """The token, shown this once with its full URL (the response is never cached)."""
    feed, token = actions.create_feed(user=user, case=case, request=request)
    context = {"feed": feed, "url": feed_url(token), "case": case}
    response = render(request, "alerts/feed_created.html", context)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
@login_required
def feed_create(request: HttpRequest) -> HttpResponse:
    """A feed of every case the user may see (now and whenever the calendar asks)."""
    return _created(request, _feed_maker(request), None)


@never_cache
@require_POST
@login_required
def case_feed_create(request: HttpRequest, code: str) -> HttpResponse:
    """A feed of one case the user may see."""
    user = _feed_maker(request)
    return _created(request, user, access.get_case_for_user(user, code))


@require_POST
@login_required
def feed_revoke(request: HttpRequest, code: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required: a User
    feed = get_feed_for_user(user, code)
    actions.revoke_feed(feed=feed, user=user, request=request)
    messages.success(request, _("Calendar feed %(hint)s… revoked: its URL no longer answers.") % {"hint": feed.hint})
    return redirect("alert_settings")


@require_safe  # GET, and HEAD for calendar applications that ask first
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The live calendar (text/calendar): no login, the token is the key; 404 for anything wrong."""
    feed, cases = open_feed(token)
    now = timezone.now()
    with translation.override(feed.user.language or settings.LANGUAGE_CODE):  # the owner's: no session says it
        body = build_calendar(feed, cases, now=now)
    note_use(feed, now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
