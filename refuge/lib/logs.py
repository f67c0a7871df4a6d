"""Log records without secrets: the tokens that some URLs carry are blanked before a record is written.

Django logs the path of every request that ends in a server error (`Service Unavailable: /feeds/…`
while sealed, for one), and a calendar feed's or an e-mail acknowledge link's path *is* its
secret. The filter rewrites each record's message with those path segments replaced.
"""

from __future__ import annotations

import logging
import re

# /feeds/<token>.ics and /alerts/ack/<token>/: the token is the credential.
_SECRET_PATHS = re.compile(r"(/feeds/|/alerts/ack/)[^/\s?#\"']+")
REDACTED = "[token]"


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(lambda m: m.group(1) + REDACTED, text)


class NoTokensFilter(logging.Filter):
    """Attach to every handler: the record's message is formatted, then its secret paths blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the handler's own error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def filter_handlers_of(name: str) -> None:
    """Put the filter on each handler of the logger `name` (gunicorn configures its own)."""
    for handler in logging.getLogger(name).handlers:
        if not any(isinstance(f, NoTokensFilter) for f in handler.filters):
            handler.addFilter(NoTokensFilter())
