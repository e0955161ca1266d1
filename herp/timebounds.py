"""Times a stored row may hold that Python cannot work with, made safe to read (RELIABILITY T29).

The forms bound what can be saved now; rows saved before, or imported, may still hold year 1 or 9999
(or, on PostgreSQL, dates before year 1 and ``infinity``). Python's datetime ends at year 1 and 9999,
so shifting such a value into a time zone or adding a duration raises ``OverflowError``. Values are
clamped into ``[EARLIEST, LATEST]`` as they are read — a day inside Python's range on each side, so that
any time zone can still be applied — and arithmetic on them saturates instead of raising.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def clamp(value: datetime) -> datetime:
    if value.tzinfo is None:
        return min(max(value, EARLIEST.replace(tzinfo=None)), LATEST.replace(tzinfo=None))
    return min(max(value, EARLIEST), LATEST)


def add_minutes(value: datetime, minutes: int) -> datetime:
    """``value`` plus ``minutes``, saturating at the ends of the calendar."""
    try:
        return value + timedelta(minutes=minutes)
    except OverflowError:
        return LATEST if minutes > 0 else EARLIEST


def zone(name: str | None, default: str = "UTC") -> tzinfo:
    """The named zone, or ``default`` for a name that is no zone (a stored row may hold anything)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo(default)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        return ZoneInfo(default)


def is_zone(name: str | None) -> bool:
    try:
        ZoneInfo(name or "")
    except (KeyError, ValueError, OSError):
        return False
    return True


def in_zone(value: datetime, name: str | None) -> datetime:
    """``value`` in the named zone; in UTC when the zone is unknown or the shift leaves the calendar."""
    try:
        return value.astimezone(zone(name))
    except (OverflowError, ValueError):
        return value.astimezone(UTC)
