"""The API object: version 1 under /api/v1/, its routers, errors as problems, and its OpenAPI 3.1 contract.

The document at /api/v1/openapi.json is the contract `tests/api/test_contract.py` holds a live
server to: every error answer is `application/problem+json`, and the alert webhook that
`refuge worker` POSTs is described under `webhooks`. It speaks the reader's language (the account's,
else Accept-Language): summaries, descriptions and tags are translated (refuge.api.doc_words), the
contract itself (paths, field names, enum values) is the same in every language.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import get_language, gettext, gettext_noop
from ninja import NinjaAPI

from refuge.api import alerts, cases, filings, problems, stats
from refuge.api.auth import SessionCookieAuth, TokenAuth
from refuge.api.schemas import AlertWebhook

DESCRIPTION = gettext_noop("""The JSON twin of Refuge's pages: the same actions, the same access rules, the same audit.

Authenticate with a personal access token made on your account page (`Authorization: Bearer rfg_…`).
Scopes: `read` (cases, timelines, deadlines, conflicts, alerts — no identity), `write` (create cases,
change timelines, generate filings, acknowledge alerts) and `identity` (the client's names and birth
date, case-file exports and filings, each read on record as on the pages). Objects you may not see
answer 404, as missing ones do. Each token may make REFUGE_API_RATE_LIMIT requests a window; beyond
that the answer is 429 with `Retry-After`. Errors are RFC 9457 problem details whose `errors` name
each bad field by its JSON path.
""")


class RefugeAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        """The document in the active language, built once per language (and prefix) in a process."""
        language = get_language() or "en"
        key = (language, path_prefix, repr(sorted((path_params or {}).items())))
        built: dict[tuple[str, str | None, str], Any] = self.__dict__.setdefault("_schemas", {})
        if key not in built:
            built[key] = _translated(copy.deepcopy(self._english_schema(path_prefix, path_params)))
        return copy.deepcopy(built[key])

    def _english_schema(self, path_prefix: str | None, path_params: dict[str, Any] | None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if str(status)[0] in "45" and "application/json" in content:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["AlertWebhook"] = AlertWebhook.model_json_schema(ref_template="#/components/schemas/{model}")
        schema["webhooks"] = {"alert": _alert_webhook()}
        return schema


def _translated(value: Any) -> Any:
    """Summaries, descriptions and tags in the active language, in place; nothing else changes."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("summary", "description") and isinstance(item, str) and item:
                value[key] = gettext(item)
            elif key == "tags" and isinstance(item, list) and all(isinstance(tag, str) and tag for tag in item):
                value[key] = [gettext(tag) for tag in item]
            else:
                _translated(item)
    elif isinstance(value, list):
        for item in value:
            _translated(item)
    return value


def _alert_webhook() -> dict[str, Any]:
    header = {"in": "header", "required": True, "schema": {"type": "string"}}
    return {
        "post": {
            "summary": gettext_noop(
                "An alert, POSTed by `refuge worker` to the webhook URL of a user's alert settings"
            ),
            "description": gettext_noop(
                "Delivered at least once: ignore a repeated Idempotency-Key. Check X-Refuge-Signature, "
                "`sha256=` and the hex HMAC-SHA256 of the raw body under the key shown on the alert settings page."
            ),
            "parameters": [
                {**header, "name": "X-Refuge-Signature"},
                {**header, "name": "Idempotency-Key"},
                {**header, "name": "X-Refuge-Timestamp"},
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AlertWebhook"}}},
            },
            "responses": {
                "200": {"description": gettext_noop("Accepted: the delivery is done")},
                "429": {"description": gettext_noop("Busy: retried later")},
            },
        }
    }


api = RefugeAPI(
    title="Refuge API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,  # the docs page is ours (refuge.api.views.docs): no CDN
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionCookieAuth()],
)
problems.install(api)
api.add_router("", cases.router)
api.add_router("", filings.router)
api.add_router("", alerts.router)
api.add_router("", stats.router)
