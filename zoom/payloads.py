"""Reading Zoom's event payloads, whose fields are loosely typed (NOTES.md section 9): a meeting's ``id``
is a number on some events and a string on others, times come as ISO strings or milliseconds. Nothing
here raises on what Zoom (or anyone holding the webhook secret) may send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

MAX_ZOOM_MEETING_ID = 2**63 - 1


def meeting_number(payload: dict[str, Any]) -> int | None:
    """``payload.object.id`` as a 64-bit meeting number, or None."""
    obj = payload.get("object")
    value = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ZOOM_MEETING_ID:
        return value
    return None


def text(value: Any, limit: int = 200) -> str:
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)[:limit]
    return ""


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``2026-12-01T10:00:00Z``), aware; None when absent or unreadable."""
    if not isinstance(value, str) or not value or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def millis(value: Any) -> datetime | None:
    """Milliseconds since the epoch (``event_ts``, ``time_stamp``); None when absent or out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
