"""The case page's notification log reads each sending's authority, filing and event as select_related did."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.filings.notify_helpers import MSK, measure_case
from tests.filings.test_sending_log import _filing

pytestmark = pytest.mark.django_db
SENT = datetime(2026, 3, 6, 10, 15, tzinfo=MSK)


def _shown(sendings):
    return [
        (
            s.pk,
            s.authority.name if s.authority is not None else None,
            (s.filing.pk, s.filing.kind, s.filing.version) if s.filing is not None else None,
            (s.event.pk, s.event.key) if s.event is not None else None,
        )
        for s in sendings
    ]


def test_the_log_has_each_sendings_authority_filing_and_event_as_the_joins_gave_them(case, alice):
    from refuge.filings.models import Sending
    from refuge.filings.templatetags.filings_panel import RECENT, notification_log

    assert notification_log(case, [], list(case.events.all())) == []
    found = measure_case(case, alice)
    filings = [_filing(case, alice, lang=lang) for lang in ("en", "ru", "tr")]
    events = list(case.events.all())
    rows = [
        {"authority": found["court"], "filing": filings[0], "event": events[0]},
        {"authority": found["bailiffs"], "filing": None, "event": None},
        {"authority": None, "forum": "un_hrc", "filing": filings[2], "event": events[-1]},
        {"authority": found["court"], "filing": filings[1], "event": None},
    ]
    for n, row in enumerate(rows):
        Sending.objects.create(case=case, channel="fax", sent_at=SENT - timedelta(hours=n), **row)
    joined = list(case.sendings.select_related("authority", "filing", "event").order_by("-sent_at", "-id"))
    page_filings = list(case.filings.order_by("-created_at", "-id")[:RECENT])
    assert len(_shown(joined)) == 4
    # The page's filings and events, or only some of them (the rest read by their ids), or none.
    for known_filings, known_events in ((page_filings, events), (page_filings[:1], events[1:2]), ([], [])):
        assert _shown(notification_log(case, known_filings, known_events)) == _shown(joined)
