"""Date-times as people read them: the case's clock, its abbreviation, how far, both clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime

from refuge.lib import humantime

NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)


def test_a_deadline_reads_on_the_case_clock_with_its_abbreviation_and_distance():
    due = datetime(2026, 12, 14, 20, 59, tzinfo=UTC)
    assert humantime.human(due, "Europe/Moscow", now=NOW, show_relative=True) == "Mon 14 Dec, 23:59 MSK (in 9 d)"


def test_a_forum_clock_that_differs_shows_both():
    at = datetime(2027, 7, 23, 6, 0, tzinfo=UTC)
    assert humantime.both_clocks(at, "Europe/Paris", "Europe/Moscow", now=datetime(2027, 1, 1, tzinfo=UTC)) == (
        "Fri 23 Jul, 08:00 CEST = 09:00 MSK"
    )
    assert humantime.both_clocks(at, "Europe/Moscow", "Europe/Moscow", now=NOW) == "Fri 23 Jul 2027, 09:00 MSK"


def test_both_clocks_name_the_day_when_it_differs():
    at = datetime(2026, 12, 8, 22, 30, tzinfo=UTC)
    shown = humantime.both_clocks(at, "Europe/Paris", "Asia/Seoul", now=NOW)
    assert shown == "Tue 8 Dec, 23:30 CET = Wed 9 Dec, 07:30 KST"


def test_zones_without_letters_read_as_utc_offsets():
    at = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    assert humantime.moment(at, "Asia/Tashkent", now=NOW) == "Tue 8 Dec, 08:00 UTC+05"


def test_relative_distances_are_coarse():
    assert humantime.relative(datetime(2026, 12, 8, 7, 0, tzinfo=UTC), NOW) == "in 3 d 6 h"
    assert humantime.relative(datetime(2026, 12, 5, 0, 20, tzinfo=UTC), NOW) == "40 min ago"
    assert humantime.relative(datetime(2026, 12, 4, 22, 0, tzinfo=UTC), NOW, past="overdue by {}") == (
        "overdue by 3 h 0 min"
    )


def test_a_bare_date_has_no_clock():
    assert humantime.day_only(date(2026, 12, 14), now=NOW) == "Mon 14 Dec"
