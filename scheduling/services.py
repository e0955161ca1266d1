"""Writes of scheduling. A schedule and its desired Zoom meeting change in one transaction; the
reconcile task is queued on commit by zoom.meetings (DESIGN.md section 3, "Issue")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from herp import notifications as bell
from herp.models import Company, User
from scheduling import rules
from scheduling.invitations.services import invitations_sync
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


class ScheduleRefused(ValueError):
    """The schedule breaks scheduling.rules (the forms say so first; this is the last guard, for any
    other caller). The message is for the person."""


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
    # The candidate's language and time zone ("" = the interview's); None leaves an existing candidate's.
    candidate_language: str | None = None
    candidate_timezone: str | None = None
    candidate_mail_enabled: bool = True


def _check(data: ScheduleData, current: InterviewSchedule | None) -> None:
    refusal = rules.participants_refusal(len({user.pk for user in data.participants}))
    refusal = refusal or rules.time_refusal(
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        location=data.location,
        current=None
        if current is None
        else rules.Current(current.starts_at, current.duration_minutes, current.location),
    )
    refusal = refusal or rules.duration_refusal(data.duration_minutes)
    if refusal:
        raise ScheduleRefused(refusal)


def schedule_create(*, company: Company, by: User, data: ScheduleData) -> InterviewSchedule:
    _check(data, None)
    with transaction.atomic():
        schedule = InterviewSchedule(company=company, created_by=by)
        _fill(schedule, company, data)
        schedule.save()
        schedule.participants.set(data.participants)
        _meeting_sync(schedule, [user.pk for user in data.participants])
        invitations_sync(schedule_id=schedule.pk)
    return schedule


def schedule_update(*, schedule: InterviewSchedule, data: ScheduleData) -> InterviewSchedule:
    with transaction.atomic():
        schedule = InterviewSchedule.objects.select_for_update().get(pk=schedule.pk)
        _check(data, schedule)
        _fill(schedule, schedule.company, data)
        schedule.save()
        schedule.participants.set(data.participants)
        _meeting_sync(schedule, [user.pk for user in data.participants])
        # Last, after the meeting's row: the same lock order as the reconcile's (invitations.models).
        invitations_sync(schedule_id=schedule.pk)
    return schedule


def schedule_cancel(*, schedule: InterviewSchedule) -> InterviewSchedule:
    """Cancel the schedule and ask for its meeting's deletion (and any meeting it still replaces)."""
    with transaction.atomic():
        schedule = InterviewSchedule.objects.select_for_update().get(pk=schedule.pk)
        schedule.cancel()
        if schedule.meeting is not None:
            meetings.meeting_request_delete(meeting=schedule.meeting)
        invitations_sync(schedule_id=schedule.pk)
    return schedule


def host_left_key(schedule_id: int) -> str:
    """The bell's key for "nobody can host this interview" (scheduling.leavers)."""
    return f"host-left:{schedule_id}"


def _fill(schedule: InterviewSchedule, company: Company, data: ScheduleData) -> None:
    if data.candidate is not None:
        if data.candidate.company_id != company.pk:
            raise OtherCompany("The candidate belongs to another company.")
        schedule.candidate = data.candidate
    else:
        schedule.candidate = Candidate.objects.create(
            company=company, name=data.new_candidate_name.strip(), email=data.new_candidate_email.strip()
        )
    _candidate_preferences(schedule.candidate, data)
    if any(user.company_id != company.pk for user in data.participants):
        raise OtherCompany("A participant belongs to another company.")
    schedule.title = data.title.strip()
    schedule.starts_at = data.starts_at
    schedule.duration_minutes = data.duration_minutes
    schedule.timezone = data.timezone
    schedule.location = data.location
    schedule.candidate_mail_enabled = data.candidate_mail_enabled


def _candidate_preferences(candidate: Candidate, data: ScheduleData) -> None:
    changed = []
    if data.candidate_language is not None and data.candidate_language != candidate.language:
        candidate.language = data.candidate_language
        changed.append("language")
    if data.candidate_timezone is not None and data.candidate_timezone != candidate.timezone:
        candidate.timezone = data.candidate_timezone
        changed.append("timezone")
    if changed:
        candidate.save(update_fields=changed)


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
    if schedule.host_left_at is not None:
        # A host again: the flag a departure left (schedules_release_person) no longer stands, and the
        # lines it put in people's bells say so.
        schedule.host_left_at = None
        schedule.host_left_name = ""
        schedule.save(update_fields=["host_left_at", "host_left_name", "updated_at"])
        bell.resolve(key=host_left_key(schedule.pk))
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


def schedules_replan(*, company_id: int, zoom_user_id: str | None = None, schedule_ids: list[int] | None = None) -> int:
    """Run the host rule again for upcoming Zoom interviews whose meeting is hosted by ``zoom_user_id``
    (every one of the company's when None; only ``schedule_ids`` when given): after an Unlink, an invalid
    link or a Disconnect the host may change, and the meeting follows. Interviews that now have no
    possible host keep their meeting as it is. Returns how many were planned again."""
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
    if schedule_ids is not None:
        upcoming = upcoming.filter(pk__in=schedule_ids)
    replanned = 0
    for schedule_id in upcoming.values_list("pk", flat=True):
        with transaction.atomic():
            schedule = InterviewSchedule.objects.select_for_update().get(pk=schedule_id)
            try:
                _meeting_sync(schedule, list(schedule.participants.values_list("pk", flat=True)))
            except NoHostAvailable:
                continue
            invitations_sync(schedule_id=schedule.pk)
            replanned += 1
    return replanned


def schedules_release_person(*, company_id: int, user_id: int, name: str) -> list[int]:
    """A person left (deactivated, or deleted by an operator): they are taken out of the company's upcoming
    interviews (scheduled, not started yet), and each interview they took part in or whose meeting they
    hosted is planned again with the host rule, which no longer sees them (``host_select`` reads active
    people only). The invitations tell everyone concerned: a cancellation for them, an update with the new
    URL or the changed interviewers for the others. An interview whose meeting they hosted and that nobody
    else can host keeps its meeting as it is and is flagged (``host_left_at``). Past, started and cancelled
    interviews keep them, as the record of who was there.

    Runs inside the deactivation's transaction; returns the ids of the flagged interviews."""
    now = timezone.now()
    concerned = (
        InterviewSchedule.objects.filter(
            company_id=company_id, status=InterviewSchedule.Status.SCHEDULED, starts_at__gte=now
        )
        .filter(Q(participants__pk=user_id) | Q(meeting__host_user_id=user_id))
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    flagged = []
    for schedule_id in list(concerned):
        schedule = InterviewSchedule.objects.select_for_update().get(pk=schedule_id)
        schedule.participants.remove(user_id)
        hosted = schedule.meeting is not None and schedule.meeting.host_user_id == user_id
        try:
            _meeting_sync(schedule, list(schedule.participants.values_list("pk", flat=True)))
        except NoHostAvailable:
            if hosted:
                schedule.host_left_at = now
                schedule.host_left_name = name[:150]
                schedule.save(update_fields=["host_left_at", "host_left_name", "updated_at"])
                flagged.append(schedule.pk)
        invitations_sync(schedule_id=schedule.pk)
    return flagged
