"""What an interview schedule may be (RELIABILITY T29; the reasons are in docs/decisions.md).

- A Zoom interview starts in the future (``START_SLACK`` of grace for a form filled in a minute late)
  and at most ``HORIZON`` ahead, whenever it is created, switched to Zoom, or moved (start or duration).
  Other edits of an interview that has started, and cancelling it, stay allowed: re-planning a host and
  putting a changed meeting back edit started interviews.
- An interview without Zoom (on-site, other) may be recorded after it took place, up to ``RECORD_BACK``
  ago, and at most ``HORIZON`` ahead.
- Between ``MIN_DURATION`` and ``MAX_DURATION`` minutes, and at most ``MAX_PARTICIPANTS`` people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

HORIZON = timedelta(days=365)
START_SLACK = timedelta(minutes=5)
RECORD_BACK = timedelta(days=365)
MIN_DURATION = 5
MAX_DURATION = 8 * 60
MAX_PARTICIPANTS = 30


@dataclass(frozen=True)
class Current:
    """What a schedule holds before an edit (None for a new one)."""

    starts_at: datetime
    duration_minutes: int
    location: str


def _same_minute(a: datetime, b: datetime) -> bool:
    # The form shows and posts whole minutes; a stored start with seconds is not moved by re-saving it.
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def time_refusal(
    *,
    starts_at: datetime,
    duration_minutes: int,
    location: str,
    current: Current | None,
    now: datetime | None = None,
) -> str | None:
    """Why this start cannot be saved, in the person's language; None when it can."""
    from scheduling.models import InterviewSchedule

    now = now or timezone.now()
    moved = current is None or not _same_minute(current.starts_at, starts_at)
    moved = moved or (current is not None and current.duration_minutes != duration_minutes)
    zoom = location == InterviewSchedule.Location.ZOOM
    becomes_zoom = zoom and (current is None or current.location != InterviewSchedule.Location.ZOOM)
    if not (moved or becomes_zoom):
        return None
    latest = now + HORIZON
    if starts_at > latest:
        return _("An interview can be scheduled at most one year ahead, until %(date)s.") % {
            "date": date_format(timezone.localtime(latest), "Y-m-d")
        }
    if zoom and starts_at < now - START_SLACK:
        return _(
            "A Zoom interview must start in the future, so that its URL can still be used. To record an "
            "interview that already took place, choose On-site or Other as the location."
        )
    if starts_at < now - RECORD_BACK:
        return _("An interview that took place more than a year ago cannot be recorded.")
    return None


def participants_refusal(count: int) -> str | None:
    if count > MAX_PARTICIPANTS:
        return _(
            "An interview can have at most %(limit)d participants (%(count)d were chosen). Choose fewer participants."
        ) % {"limit": MAX_PARTICIPANTS, "count": count}
    return None


def duration_refusal(minutes: int) -> str | None:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        return _("An interview lasts between %(min)d and %(max)d minutes.") % {"min": MIN_DURATION, "max": MAX_DURATION}
    return None
