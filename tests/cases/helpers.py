"""A logged-in client whose last password entry is recent, or an hour old."""

from __future__ import annotations

import time

from django.test import Client

from refuge.accounts.sessions import REAUTH_AT


def client_for(user, *, recent: bool = True) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[REAUTH_AT] = time.time() if recent else time.time() - 3600  # logging in counts as recent
    session.save()
    return client
