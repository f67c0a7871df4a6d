"""The small pieces of wording: Russian times against Moscow time, Korean particles."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from refuge.filings.render import format_moment, korean_to


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Moscow", "08.12.2026 06:00 (МСК)"),
        ("Asia/Yekaterinburg", "08.12.2026 06:00 (МСК+2)"),
        ("Europe/Kaliningrad", "08.12.2026 06:00 (МСК−1)"),
    ],
)
def test_russian_text_gives_the_time_against_moscow_time_never_a_zone_name(zone, expected):
    moment = datetime(2026, 12, 8, 6, 0, tzinfo=ZoneInfo(zone))
    assert format_moment(moment, "ru", zone=zone) == expected


def test_a_korean_time_is_local_time_in_korean():
    moment = datetime(2026, 12, 8, 6, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    assert format_moment(moment, "ko", zone="Europe/Moscow") == "2026년 12월 8일 06:00 (현지 시각)"


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("조선민주주의인민공화국", "조선민주주의인민공화국으로"),  # ends in ㄱ
        ("시리아", "시리아로"),  # no final consonant
        ("서울", "서울로"),  # ㄹ takes 로
    ],
)
def test_the_korean_particle_follows_the_last_syllable(noun, expected):
    assert korean_to(noun) == expected
