"""Helpers for API tests: personal access tokens for the shared users, and a client that sends them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

API = "/api/v1"


class ApiClient:
    """Django's test client with a Bearer token and JSON bodies."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def _send(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        call = getattr(self.client, method)
        if body is None:
            return call(API + path, headers=self.headers, **extra)
        return call(API + path, json.dumps(body), content_type="application/json", headers=self.headers, **extra)

    def get(self, path: str, **extra: Any) -> Any:
        return self._send("get", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("post", path, {} if body is None else body, **extra)

    def put(self, path: str, body: Any, **extra: Any) -> Any:
        return self._send("put", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self._send("delete", path, **extra)


@pytest.fixture
def api_as(db):
    """api_as(user, "read", "write") -> an ApiClient holding a fresh token with those scopes."""
    from refuge.api.tokens import create_token

    def make(user: Any, *scopes: str) -> ApiClient:
        _, secret = create_token(user=user, name="test", scopes=list(scopes or ("read",)), days=30)
        return ApiClient(secret)

    return make


REMOVAL = {
    "type": "removal_scheduled",
    "at": "2026-03-04T10:30:00+03:00",
    "attributes": {"removal_at": "2026-03-10T06:00:00+03:00", "destination": "KP"},
    "source": "Bailiff's call",
}
