"""Writes of scheduling. A schedule and its desired Zoom meeting change in one transaction; the
reconcile task is queued on commit by zoom.meetings (DESIGN.md section 3, "Issue")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from herp.models import Company, User
from scheduling.models import Candidate, InterviewSchedule
from scheduling.selectors import HostChoice, host_select
from zoom.meetings import desired as meetings
from zoom.meetings.desired import MeetingSpec
from zoom.models import ZoomMeeting


class OtherCompany(Exception):
    """A candidate or participant of another company reached a service (the forms scope them, so this
    is a bug or tampering; nothing is saved)."""


class NoHostAvailable(Exception):
    """A Zoom interview needs a host: no participant has a usable link and the company's connection
    cannot serve as the fallback. Forms check this first; the service refuses as the last guard."""


@dataclass(frozen=True)
class ScheduleData:
    """What a person entered (already validated and scoped to the company by the form)."""

    title: str
    starts_at: datetime  # aware
    duration_minutes: int
    timezone: str
    location: str
    participants: list[User] = field(default_factory=list)
    candidate: Candidate | None = None
    new_candidate_name: str = ""
    new_candidate_email: str = ""


def schedule_create(*, company: Company, by: User, data: ScheduleData) -> InterviewSchedule:
    with transaction.atomic():
        schedule = InterviewSchedule(company=company, created_by=by)
        _fill(schedule, company, data)
        schedule.save()
        schedule.participants.set(data.participants)
        _meeting_sync(schedule, [user.pk for user in data.participants])
    return schedule


def schedule_update(*, schedule: InterviewSchedule, data: ScheduleData) -> InterviewSchedule:
    with transaction.atomic():
        schedule = InterviewSchedule.objects.select_for_update().get(pk=schedule.pk)
        _fill(schedule, schedule.company, data)
        schedule.save()
        schedule.participants.set(data.participants)
        _meeting_sync(schedule, [user.pk for user in data.participants])
    return schedule


def schedule_cancel(*, schedule: InterviewSchedule) -> InterviewSchedule:
    """Cancel the schedule and ask for its meeting's deletion (and any meeting it still replaces)."""
    with transaction.atomic():
        schedule = InterviewSchedule.objects.select_for_update().get(pk=schedule.pk)
        schedule.cancel()
        if schedule.meeting is not None:
            meetings.meeting_request_delete(meeting=schedule.meeting)
    return schedule


def _fill(schedule: InterviewSchedule, company: Company, data: ScheduleData) -> None:
    if data.candidate is not None:
        if data.candidate.company_id != company.pk:
            raise OtherCompany("The candidate belongs to another company.")
        schedule.candidate = data.candidate
    else:
        schedule.candidate = Candidate.objects.create(
            company=company, name=data.new_candidate_name.strip(), email=data.new_candidate_email.strip()
        )
    if any(user.company_id != company.pk for user in data.participants):
        raise OtherCompany("A participant belongs to another company.")
    schedule.title = data.title.strip()
    schedule.starts_at = data.starts_at
    schedule.duration_minutes = data.duration_minutes
    schedule.timezone = data.timezone
    schedule.location = data.location


def _meeting_sync(schedule: InterviewSchedule, participant_ids: list[int]) -> None:
    """Make the desired meeting follow the schedule: none unless it is a scheduled Zoom interview; a
    replacement when the host changes on a meeting that may exist at Zoom; otherwise a new revision."""
    current: ZoomMeeting | None = schedule.meeting
    if schedule.is_cancelled or not schedule.is_zoom:
        if current is not None:
            meetings.meeting_request_delete(meeting=current)
        return
    choice = host_select(company=schedule.company, participant_ids=participant_ids)
    if not choice.available:
        raise NoHostAvailable
    spec = meeting_spec(schedule, choice)
    if current is None or current.is_gone:
        # A first meeting, or back to Zoom after leaving it: the old one is being deleted on its own.
        schedule.meeting = meetings.meeting_create(company=schedule.company, spec=spec)
    elif not meetings.meeting_same_host(current, spec) and meetings.meeting_may_exist_at_zoom(current):
        # Meetings are created as /users/me with the host's token, so a new host means a new meeting.
        # The old one is deleted only once the new one exists (zoom.meetings.reconcile).
        schedule.meeting = meetings.meeting_create(company=schedule.company, spec=spec, replaces=current)
    else:
        meetings.meeting_change(meeting=current, spec=spec)
        return
    schedule.save(update_fields=["meeting", "updated_at"])


def meeting_spec(schedule: InterviewSchedule, choice: HostChoice) -> MeetingSpec:
    return MeetingSpec(
        topic=schedule.title,
        start_time=schedule.starts_at,
        duration=schedule.duration_minutes,
        timezone=schedule.timezone,
        host_zoom_user_id=choice.host_zoom_user_id,
        host_email=choice.host_email,
        host_grant_id=choice.host_grant_id,
        host_link_id=choice.host_link.pk if choice.host_link else None,
        host_user_id=choice.host_user.pk if choice.host_user else None,
        alternative_hosts=tuple(choice.alternative_host_emails),
        alternative_host_ids=tuple(link.zoom_user_id for link in choice.alternatives),
    )


def schedules_replan(*, company_id: int, zoom_user_id: str | None = None) -> int:
    """Run the host rule again for upcoming Zoom interviews whose meeting is hosted by ``zoom_user_id``
    (every one of the company's when None): after an Unlink, an invalid link or a Disconnect the host
    may change, and the meeting follows. Interviews that now have no possible host keep their meeting
    as it is. Returns how many were planned again."""
    upcoming = (
        InterviewSchedule.objects.filter(
            company_id=company_id,
            status=InterviewSchedule.Status.SCHEDULED,
            location=InterviewSchedule.Location.ZOOM,
            starts_at__gte=timezone.now(),
            meeting__isnull=False,
        )
        .exclude(meeting__status=ZoomMeeting.Status.DELETED)
        .order_by("pk")
    )
    if zoom_user_id is not None:
        upcoming = upcoming.filter(meeting__host_zoom_user_id=zoom_user_id)
    replanned = 0
    for schedule_id in upcoming.values_list("pk", flat=True):
        with transaction.atomic():
            schedule = InterviewSchedule.objects.select_for_update().get(pk=schedule_id)
            try:
                _meeting_sync(schedule, list(schedule.participants.values_list("pk", flat=True)))
            except NoHostAvailable:
                continue
            replanned += 1
    return replanned
