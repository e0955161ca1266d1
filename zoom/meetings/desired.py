"""The desired meeting: what ``scheduling`` wants Zoom to hold, written inside scheduling's transaction.

``meeting_create``, ``meeting_change``, ``meeting_request_delete`` and ``meeting_retry`` each start a new
desired revision (``ZoomMeeting.reopen``) and queue the reconcile with ``transaction.on_commit``, so a
rolled-back schedule queues nothing (T23). The reconcile (``reconcile.py``) makes Zoom match.
``meetings_stop_for_grant`` and ``meetings_resume_disconnected`` follow the host's authorization.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from herp.models import Company
from integrations.tokens import call_with_token
from integrations.zoom_api import client
from integrations.zoom_api.errors import ZoomNotFound, ZoomUnavailable
from zoom.models import ZoomMeeting
from zoom.tasks import meeting_reconcile_task

logger = logging.getLogger(__name__)

Status = ZoomMeeting.Status
Failure = ZoomMeeting.Failure


class MeetingChangeRefused(Exception):
    """A change the meeting cannot take in place (it is being deleted, or its host cannot change):
    the caller replaces the meeting instead."""


@dataclass(frozen=True)
class MeetingSpec:
    """What scheduling wants the meeting to be. Host fields come from the host rule."""

    topic: str
    start_time: datetime
    duration: int
    timezone: str
    host_zoom_user_id: str
    host_email: str
    host_grant_id: int | None
    host_link_id: int | None = None
    host_user_id: int | None = None
    alternative_hosts: tuple[str, ...] = ()
    alternative_host_ids: tuple[str, ...] = ()


# --- The desired meeting ----------------------------------------------------------------------------


def meeting_create(*, company: Company, spec: MeetingSpec, replaces: ZoomMeeting | None = None) -> ZoomMeeting:
    """A new desired meeting, queued for creation once the caller's transaction commits."""
    meeting = ZoomMeeting(company=company, replaces=replaces)
    _apply_spec(meeting, spec)
    meeting.save()
    meeting_enqueue(meeting.pk)
    return meeting


def meeting_same_host(meeting: ZoomMeeting, spec: MeetingSpec) -> bool:
    return meeting.host_zoom_user_id == spec.host_zoom_user_id and meeting.host_grant_id == spec.host_grant_id


def meeting_may_exist_at_zoom(meeting: ZoomMeeting) -> bool:
    """True once a create may have reached Zoom (or a worker holds the row and may be sending one)."""
    leased = meeting.claimed_until is not None and meeting.claimed_until > timezone.now()
    return meeting.zoom_meeting_id is not None or meeting.create_sent_at is not None or leased


def meeting_change(*, meeting: ZoomMeeting, spec: MeetingSpec) -> ZoomMeeting:
    """The desired meeting changed (time, topic, alternative hosts, or the host of a meeting that does
    not exist at Zoom yet). A new revision is queued; nothing happens when nothing changed.

    The caller holds no lease: a worker may be creating this very meeting. It finds the new revision
    when it finishes and applies it before releasing its lease.
    """
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.delete_requested:
            raise MeetingChangeRefused("A meeting asked to be deleted cannot change; create a new one.")
        if not meeting_same_host(meeting, spec) and meeting_may_exist_at_zoom(meeting):
            raise MeetingChangeRefused("The host of a meeting that may exist at Zoom cannot change; replace it.")
        before = _desired(meeting)
        _apply_spec(meeting, spec)
        if _desired(meeting) == before:
            return meeting
        meeting.reopen()
        meeting.save()
        meeting_enqueue(meeting.pk)
    return meeting


def meeting_request_delete(*, meeting: ZoomMeeting) -> bool:
    """Ask for the meeting's deletion at Zoom (cancelled, or no longer a Zoom interview). Its
    predecessors that are still alive go too. Returns False when it was already asked."""
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().get(pk=meeting.pk)
        chain_asked = request_delete_predecessors(meeting)
        if meeting.delete_requested or meeting.status == Status.DELETED:
            return chain_asked
        meeting.delete_requested = True
        meeting.reopen()
        meeting.save()
        meeting_enqueue(meeting.pk)
    return True


def request_delete_predecessors(meeting: ZoomMeeting) -> bool:
    asked = False
    seen = {meeting.pk}
    previous_id = meeting.replaces_id
    while previous_id is not None and previous_id not in seen:
        seen.add(previous_id)
        previous = ZoomMeeting.objects.select_for_update().filter(pk=previous_id).first()
        if previous is None:
            break
        if not previous.delete_requested and previous.status != Status.DELETED:
            previous.delete_requested = True
            previous.reopen()
            previous.save()
            meeting_enqueue(previous.pk)
            asked = True
        previous_id = previous.replaces_id
    return asked


def meeting_retry(*, meeting: ZoomMeeting) -> bool:
    """The Retry / "Send to Zoom again" button: a failed or stuck meeting is tried again from a fresh count. After
    "needs attention" because Zoom could not be searched, the person has checked Zoom, so a new create
    is allowed. Returns False when the meeting was not in a state to retry."""
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.delete_requested and meeting.status == Status.DELETED:
            return False
        if meeting.status not in (Status.FAILED, Status.NEEDS_ATTENTION, Status.PENDING, Status.CREATED):
            return False
        if meeting.failure == Failure.LOOKUP_IMPOSSIBLE and meeting.zoom_meeting_id is None:
            meeting.create_sent_at = None
        # A created meeting is sent again as a new revision (after someone fixed a Zoom setting that
        # overrode ours, the PATCH and re-read tell whether it holds now).
        meeting.reopen(revision=meeting.status == Status.CREATED)
        meeting.not_before = None
        meeting.save()
        meeting_enqueue(meeting.pk)
    return True


def meeting_put_back(*, meeting_id: int, deleted: bool) -> bool:
    """Zoom no longer holds what the interview says (changed or deleted in Zoom, issue 14): a new
    revision makes the reconcile send the whole meeting again, so the PATCH restores time, duration and
    our settings; a meeting deleted in Zoom is made again (same host, new URL). Returns False when the
    row is being worked on or going away (its own run decides)."""
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None or meeting.is_gone or meeting.is_busy:
            return False
        if deleted:
            meeting.forget_zoom_meeting()
        meeting.reopen()
        meeting.save()
        meeting_enqueue(meeting.pk)
    return True


def meeting_flag(*, meeting_id: int, failure: str, message: str) -> bool:
    """A resting meeting needs a person (Zoom keeps changing it): needs_attention with the reason; the
    interview's page offers "Send to Zoom again"."""
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None or meeting.is_gone or meeting.is_busy:
            return False
        meeting.flag(failure, message)
        meeting.save()
    return True


def meeting_start_url(*, meeting: ZoomMeeting) -> str:
    """A fresh start URL from Zoom (valid about 2 hours): fetched when the host presses Start, never
    stored. Raises ZoomError when Zoom cannot give one."""
    if meeting.zoom_meeting_id is None or meeting.host_grant_id is None or meeting.is_gone:
        raise ZoomNotFound("This meeting does not exist in Zoom.", status=404)
    zoom_id = meeting.zoom_meeting_id
    info = call_with_token(meeting.host_grant_id, lambda token: client.get_meeting(token, zoom_id))
    if not info.start_url:
        raise ZoomUnavailable("Zoom gave no start URL for this meeting.", status=200)
    return info.start_url


def meeting_enqueue(meeting_id: int) -> None:
    """Queue the reconcile once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(meeting_id), robust=True)


def _send(meeting_id: int) -> None:
    try:
        meeting_reconcile_task.delay(meeting_id)
    except Exception:  # a broker outage must not fail the request: the sweeper re-queues the row
        logger.warning("Could not queue the reconcile of Zoom meeting %s; the sweeper will.", meeting_id, exc_info=True)


def _apply_spec(meeting: ZoomMeeting, spec: MeetingSpec) -> None:
    meeting.topic = spec.topic[:200]
    meeting.start_time = spec.start_time
    meeting.duration = spec.duration
    meeting.timezone = spec.timezone
    meeting.host_id = spec.host_link_id
    meeting.host_user_id = spec.host_user_id
    meeting.host_zoom_user_id = spec.host_zoom_user_id
    meeting.host_email = spec.host_email
    meeting.host_grant_id = spec.host_grant_id
    meeting.alternative_hosts = list(spec.alternative_hosts)
    meeting.alternative_host_ids = list(spec.alternative_host_ids)


def _desired(meeting: ZoomMeeting) -> tuple[Any, ...]:
    return (
        meeting.topic,
        meeting.start_time,
        meeting.duration,
        meeting.timezone,
        meeting.host_id,
        meeting.host_user_id,
        meeting.host_zoom_user_id,
        meeting.host_email,
        meeting.host_grant_id,
        list(meeting.alternative_hosts),
        list(meeting.alternative_host_ids),
    )


def meetings_stop_for_grant(*, grant_id: int, reason: str) -> int:
    """The host's grant was revoked or invalidated: meetings waiting on it fail with "disconnected"
    (no further Zoom calls) until the host links again. Rows a worker holds find out themselves."""
    return ZoomMeeting.objects.filter(host_grant_id=grant_id).stop_disconnected(
        f"The host's Zoom authorization ended ({reason or 'revoked'}). It resumes when they link Zoom again."
    )


def meetings_resume_disconnected(*, company_id: int | None = None, grant_id: int | None = None) -> list[int]:
    """After a reconnect or relink: meetings stopped by the disconnection go back to work."""
    if company_id is None and grant_id is None:
        return []
    rows = ZoomMeeting.objects.filter(status=Status.FAILED, failure=Failure.DISCONNECTED)
    rows = rows.filter(company_id=company_id) if company_id is not None else rows.filter(host_grant_id=grant_id)
    resumed = []
    for meeting in rows:
        if meeting_retry(meeting=meeting):
            resumed.append(meeting.pk)
    return resumed
