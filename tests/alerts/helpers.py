"""What the alerts' tests share."""

from __future__ import annotations

from typing import Any

from refuge.alerts.models import Alert
from refuge.alerts.queue import raise_alert


def critical_alert(case: Any, users: list[Any], what: str = "Conflict (fictional)") -> Alert:
    """A critical conflict alert on the case, sent to these users."""
    alert = raise_alert(
        organisation=case.organisation,
        case=case,
        kind="conflict_raised",
        severity="critical",
        subject=f"{case.reference}: {what}",
        recipients=users,
    )
    assert alert is not None
    return alert
