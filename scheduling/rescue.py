"""Calling the interview's people in when a guest waits (issue 15): zoom notices, scheduling knows who
the interview's people are and where its pages are.

On ``guest_waiting`` the host, the alternative hosts and the interview's creator are told at once, by
e-mail and by a line in their bell, each with the one action that fixes it for them: the host starts
the meeting (the interview page's Start button, which fetches the start link on click), the others get
the join URL and the "waiting for host" checklist, and "admit from the waiting room" is explained when
that is the cause. One alert per incident (the bell's key is the incident); ``guest_rescued`` marks the
lines resolved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from herp import notifications as bell
from herp.models import User
from scheduling.models import InterviewSchedule
from zoom.models import WaitingIncident, ZoomMeeting, ZoomUser


@dataclass(frozen=True)
class Called:
    user: User
    is_host: bool


def incident_key(incident_id: int) -> str:
    return f"waiting-guest:{incident_id}"


def rescue_call(*, meeting_id: int, incident_id: int) -> int:
    """Tells each of the interview's people once; returns how many were told."""
    schedule = (
        InterviewSchedule.objects.filter(meeting_id=meeting_id, status=InterviewSchedule.Status.SCHEDULED)
        .select_related("meeting", "meeting__host_user", "created_by", "candidate")
        .first()
    )
    incident = WaitingIncident.objects.filter(pk=incident_id, closed_at__isnull=True).first()
    if schedule is None or schedule.meeting is None or incident is None:
        return 0
    told = 0
    for called in people_to_call(schedule, schedule.meeting):
        with translation.override(_language_of(called.user)):
            title, body = _message(schedule, schedule.meeting, incident, is_host=called.is_host)
        page = reverse("scheduling:detail", args=[schedule.pk])
        if bell.notify(
            users=[called.user], key=incident_key(incident_id), title=title, body=body, url=page, level="alert"
        ):
            told += 1
            send_mail(
                subject=f"[HERP] {title}",
                message=f"{body}\n\n{settings.SITE_URL.rstrip('/')}{page}",
                from_email=None,
                recipient_list=[called.user.email],
                fail_silently=True,
            )
    return told


def rescue_done(*, incident_id: int) -> int:
    return bell.resolve(key=incident_key(incident_id))


def people_to_call(schedule: InterviewSchedule, meeting: ZoomMeeting) -> list[Called]:
    """The host, the alternative hosts and the interview's creator, each once, the host first."""
    called: dict[int, Called] = {}
    if meeting.host_user is not None:
        called[meeting.host_user.pk] = Called(meeting.host_user, is_host=True)
    alternates = User.objects.filter(
        company_id=schedule.company_id,
        zoom_user__zoom_user_id__in=meeting.alternative_host_ids,
        zoom_user__status=ZoomUser.Status.ACTIVE,
    )
    for user in [*alternates, *([schedule.created_by] if schedule.created_by else [])]:
        called.setdefault(user.pk, Called(user, is_host=False))
    return [entry for entry in called.values() if entry.user.is_active]


def _message(
    schedule: InterviewSchedule, meeting: ZoomMeeting, incident: WaitingIncident, *, is_host: bool
) -> tuple[str, str]:
    minutes = max(int((timezone.now() - incident.waiting_since).total_seconds() // 60), 0)
    values = {"title": schedule.title, "candidate": schedule.candidate.name, "minutes": minutes}
    title = _("%(candidate)s is waiting: %(title)s") % values
    if incident.cause == WaitingIncident.Cause.WAITING_ROOM:
        situation = (
            _(
                "%(candidate)s is in the meeting's waiting room (for about %(minutes)s min) and cannot get in until "
                "the host or an alternative host admits them."
            )
            % values
        )
    elif incident.cause == WaitingIncident.Cause.BEFORE_HOST:
        situation = (
            _("%(candidate)s is waiting for the host to start the meeting (for about %(minutes)s min).") % values
        )
    else:
        situation = (
            _("%(candidate)s has been in the meeting for about %(minutes)s min, and no interviewer has joined.")
            % values
        )
    if is_host:
        action = _("Join now: open the interview's page and press “Start (as host)”.")
        if incident.cause == WaitingIncident.Cause.WAITING_ROOM:
            action += " " + _("Then admit them from the waiting room (Participants › Admit).")
    else:
        action = _("Join the meeting now: %(url)s") % {"url": meeting.join_url}
        if incident.cause == WaitingIncident.Cause.WAITING_ROOM:
            action += "\n" + _(
                "As an alternative host you can admit them from the waiting room (Participants › Admit)."
            )
        action += "\n" + _("If the host cannot come, the interview's page lists what else to check.")
    return title, f"{situation}\n{action}"


def _language_of(user: User) -> str:
    language = getattr(user, "language", "")
    return language or settings.LANGUAGE_CODE
