"""The invitations follow zoom: when the reconcile stores Zoom's answer (a URL is known, or changed) or
a meeting ends deleted, the people of its interview get what that makes sendable, written inside the
reconcile's own transaction (zoom sends ``meeting_synced`` there), so Zoom's answer and the messages it
calls for commit together."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from scheduling.invitations.services import invitations_sync
from scheduling.models import InterviewSchedule
from zoom import signals as zoom_signals


@receiver(zoom_signals.meeting_synced, dispatch_uid="scheduling.invitations_follow_meeting")
def invitations_follow_meeting(sender: type, *, meeting_id: int, company_id: int, **kwargs: Any) -> None:
    # A replaced meeting's answer finds no schedule: its interview points at the replacement already.
    for schedule_id in InterviewSchedule.objects.filter(meeting_id=meeting_id, company_id=company_id).values_list(
        "pk", flat=True
    ):
        invitations_sync(schedule_id=schedule_id)
