"""Words, not codes: the pages a lawyer reads show labels; a raw code may only sit in a tooltip or a <details>.

Renders, for every demo case, the case page and the filing review, and for the demo's people the
dashboard, the alert list and every alert's page; fails on a rule id, flag, alternative code,
forum id, deadline or conflict kind in the visible text.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from refuge.accounts.models import User
from refuge.alerts.models import Alert
from refuge.cases.models import Case, CaseMember
from refuge.cases.recompute import packs
from refuge.demo.load import build_demo
from tests.conftest import login
from tests.filings.notify_helpers import CONTACT
from tests.rules.test_labels import _codes

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _code_pattern() -> re.Pattern[str]:
    """Codes that cannot be an ordinary English word: with '_' or '.', or the forum id 'echr'."""
    codes = {c for c in _codes(packs()) | set(packs().labels) if "_" in c or "." in c or c == "echr"}
    alternation = "|".join(sorted((re.escape(c) for c in codes), key=len, reverse=True))
    return re.compile(rf"(?<![\w.\-/])({alternation})(?![\w.\-/])")


CODES = _code_pattern()


def visible_text(html: str) -> str:
    """What a reader sees: no tags (so no tooltips), no <details> bodies, scripts, styles or comments."""
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    html = re.sub(r"<(script|style|details|title)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def _raw_codes(html: str) -> list[str]:
    return sorted(set(CODES.findall(visible_text(html))))


def test_the_check_finds_a_raw_code_and_ignores_tooltips() -> None:
    assert _raw_codes("<p>Flag R39_CUTOFF_READING</p>") == ["R39_CUTOFF_READING"]
    assert _raw_codes('<span title="(R39_CUTOFF_READING)">Our reading</span>') == []
    assert _raw_codes("<details><summary>Code</summary>un_cat</details>") == []
    assert _raw_codes("<p>r39.echr.coe.int</p>") == []


def test_no_page_shows_a_raw_code_for_any_demo_case(client) -> None:
    with time_machine.travel(NOW, tick=False):
        build_demo(today=TODAY, now=NOW)
    found: dict[str, list[str]] = {}
    cases = Case.objects.filter(organisation__is_demo=True).order_by("reference")
    assert cases.count() >= 25
    for case in cases:
        lawyers = CaseMember.objects.filter(case=case, user__membership_row__role="lawyer")
        member = lawyers.select_related("user").first()
        user = member.user if member else User.objects.get(username="demo-admin")
        with time_machine.travel(NOW, tick=False):
            login(client, user)
            pages = {"case page": client.get(reverse("case_detail", args=[case.code]))}
            choices = {"kind": "un-interim", "lang": "en", "fmt": "pdf", "forum": "un_cat", **CONTACT}
            pages["filing review"] = client.post(reverse("filing_new", args=[case.code]), choices)
        for name, response in pages.items():
            assert response.status_code == 200, f"{case.reference} {name}: {response.status_code}"
            raw = _raw_codes(response.content.decode())
            if raw:
                found[f"{case.reference} {name}"] = raw
    for username in ("demo-admin", "demo-lawyer", "demo-lawyer2"):
        user = User.objects.get(username=username)
        with time_machine.travel(NOW, tick=False):
            login(client, user)
            pages = {"dashboard": client.get(reverse("dashboard")), "alerts": client.get(reverse("alert_list"))}
            for alert in Alert.objects.filter(notifications__user=user).distinct()[:60]:
                pages[f"alert {alert.subject}"] = client.get(alert.get_absolute_url())
        for name, response in pages.items():
            assert response.status_code == 200, f"{username} {name}: {response.status_code}"
            raw = _raw_codes(response.content.decode())
            if raw:
                found[f"{username} {name}"] = raw
    assert found == {}
