"""The sweeper: re-queues meetings whose task was lost (beat every minute, or ``manage.py sweep_meetings``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from zoom.meetings.desired import meeting_enqueue
from zoom.models import ZoomMeeting

logger = logging.getLogger(__name__)

# A pending row untouched this long lost its task (broker outage, crash between commit and publish).
STALE_AFTER = timedelta(minutes=2)


def meetings_sweep(*, now: datetime | None = None, stale_after: timedelta = STALE_AFTER, limit: int = 500) -> list[int]:
    """Re-queue what lost its task: rows pending past ``not_before``, pending rows untouched for
    ``stale_after`` (a crash between commit and publish, a broker outage: T23), and rows whose lease
    ran out (a killed worker: T21) — those at once, since an ended lease is proof enough. Each row is
    stamped when queued (its ended lease cleared), so the next sweep leaves it to that task for
    ``stale_after``: one re-queue per row and period."""
    now = now or timezone.now()
    due = (
        ZoomMeeting.objects.filter(status__in=ZoomMeeting.WORKABLE)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(
            Q(not_before__lte=now)
            | Q(not_before__isnull=True, updated_at__lt=now - stale_after)
            | Q(claimed_until__lt=now)
        )
        .order_by("updated_at")
        .values_list("pk", "updated_at")[:limit]
    )
    queued = []
    for meeting_id, updated_at in list(due):
        stamped = ZoomMeeting.objects.filter(pk=meeting_id, updated_at=updated_at).update(
            updated_at=now, not_before=None, claimed_until=None, claim_token=""
        )
        if stamped:
            meeting_enqueue(meeting_id)
            queued.append(meeting_id)
    if queued:
        logger.info("Sweeper re-queued %d Zoom meeting(s).", len(queued))
    return queued
