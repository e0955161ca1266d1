"""herp.timebounds: times a stored row may hold, made safe to show and compute with (RELIABILITY T29)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from herp.templatetags.herp_time import local_time
from herp.timebounds import EARLIEST, LATEST, add_minutes, clamp, in_zone, is_zone, zone


def test_T29_values_are_clamped_a_day_inside_the_calendar():
    assert clamp(datetime(1, 1, 1, tzinfo=UTC)) == EARLIEST
    assert clamp(datetime(9999, 12, 31, 23, 59, tzinfo=UTC)) == LATEST
    assert clamp(datetime(2027, 1, 1, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert in_zone(EARLIEST, "America/Los_Angeles").year == 1
    assert in_zone(LATEST, "Pacific/Kiritimati").year == 9999


def test_T29_adding_minutes_saturates_instead_of_raising():
    assert add_minutes(LATEST, 2**31 - 1) == LATEST
    assert add_minutes(EARLIEST, -(2**31)) == EARLIEST
    assert add_minutes(datetime(2027, 1, 1, tzinfo=UTC), 90) == datetime(2027, 1, 1, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Mars/Base", "../../etc/passwd", "", None, "Asia/Tokyo\x00"])
def test_T29_a_name_that_is_no_zone_falls_back_to_utc(name):
    assert not is_zone(name)
    assert zone(name) == ZoneInfo("UTC")


def test_T29_a_shift_that_would_leave_the_calendar_is_shown_in_utc():
    edge = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)

    assert in_zone(edge, "Asia/Tokyo") == edge
    assert local_time(edge, "Asia/Tokyo") == "9999-12-31 23:00"
    assert local_time(datetime(2027, 1, 1, tzinfo=UTC), "Asia/Tokyo") == "2027-01-01 09:00"
    assert local_time("not a time", "Asia/Tokyo") == ""
