"""Time zones people and interviews are offered: the ones interviews are held in most often. A value
saved with another (valid) zone keeps it; anything else is refused."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

DEFAULT_TIMEZONE = "Asia/Tokyo"

COMMON_TIMEZONES = [
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    return name in _known()


def timezone_choices(current: str = "") -> list[tuple[str, str]]:
    """The common zones, plus ``current`` when a row already holds another valid one."""
    zones = list(COMMON_TIMEZONES)
    if current and current not in zones and is_timezone(current):
        zones.append(current)
    return [(zone, zone) for zone in zones]
