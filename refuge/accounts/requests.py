"""The request type of a view behind ``login_required``: its user is signed in.

Django types ``request.user`` as ``User | AnonymousUser``; once ``login_required`` (or the API's
session check) has let a request through, it is a :class:`~refuge.accounts.models.User`.
Views annotate ``request: AuthenticatedRequest`` to say so — for the type checker only: nothing
here checks anything at run time.
"""

from __future__ import annotations

from django.http import HttpRequest

from refuge.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
