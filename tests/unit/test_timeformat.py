"""herp.timeformat: an interview's date and time as 「12月16日(水) 14:00–15:00」 (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from herp.timebounds import EARLIEST, LATEST
from herp.timeformat import when_range

TOKYO = "Asia/Tokyo"
# Wednesday 16 December 2026, 14:00 in Tokyo.
START = datetime(2026, 12, 16, 5, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def in_2026():
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "12月16日(水) 14:00–15:00"), ("en", "Wed, Dec 16, 14:00–15:00")],
)
def test_it_reads_like_an_hr_person_writes_it(language, expected):
    assert when_range(START, 60, TOKYO, viewer_zone=TOKYO, language=language) == expected


def test_another_year_shows_its_year():
    assert when_range(START.replace(year=2027), 30, TOKYO, viewer_zone=TOKYO, language="ja") == (
        "2027年12月16日(木) 14:00–14:30"
    )


def test_an_interview_past_midnight_names_the_day_it_ends():
    late = datetime(2026, 12, 16, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo
    assert when_range(late, 60, TOKYO, viewer_zone=TOKYO, language="ja") == "12月16日(水) 23:30–12月17日(木) 0:30"


def test_the_zone_is_named_when_the_viewers_clock_reads_otherwise():
    assert when_range(START, 60, TOKYO, viewer_zone="Europe/London", language="ja") == (
        "12月16日(水) 14:00–15:00 (日本時間)"
    )
    assert when_range(START, 60, "America/New_York", viewer_zone=TOKYO, language="en") == (
        "Wed, Dec 16, 00:00–01:00 (America/New_York)"
    )


def test_a_zone_that_reads_the_same_as_the_viewers_is_not_named():
    assert when_range(START, 60, "Asia/Seoul", viewer_zone=TOKYO, language="ja") == "12月16日(水) 14:00–15:00"


@pytest.mark.parametrize("moment", [EARLIEST, LATEST])
@pytest.mark.parametrize("zone", [TOKYO, "Pacific/Kiritimati", "Not/AZone", ""])
def test_rows_at_the_calendars_edges_and_unknown_zones_never_raise(moment, zone):
    assert when_range(moment, 480, zone, viewer_zone="America/Los_Angeles", language="ja")
