"""Attendance and waiting guests: a candidate who waits is noticed while they wait (issue 15).

Zoom's participant events (NOTES.md section 9) build each of our meetings' attendance. Zoom sends them
for every meeting of every host who authorized the app, late, twice and out of order, so:

- events of meetings we did not make were dropped on arrival (``zoom.webhooks``: one indexed lookup);
- each event is deduplicated on (event, meeting instance, participant, the event's own time), since a
  re-sent body may differ (``ParticipantEvent``);
- a participant's row only ever moves its times forward (the latest join, the latest leave), so the
  order of arrival does not matter, and every handler can run twice;
- each event costs a constant number of queries.

The interview's people (host, alternative hosts: the linked participants) are recognised by their
Zoom user id (``participant.id``); an e-mail match never counts, because guests type their own.

An incident: a guest waits in the waiting room (at once), or waits for the host or sits in the meeting
with none of the interview's people, past the company's grace period after the start. Events that never
come (the interviewer never joins) are covered by a due time: ``attendance_check_due`` runs every 30
seconds (beat; ``manage.py zoom_attendance_check`` by hand) and looks once at each meeting past its
start + grace. An incident is told once (``guest_waiting``, which scheduling turns into mails and bell
lines) and closes itself when one of the interview's people joins (``guest_rescued``), with how long
the guest waited.

Participant names and times are kept for ``RETENTION`` after the meeting, then upkeep removes them,
and the stored bodies of the participant events with them; the outcome and the waits stay, without
names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from herp import notifications as bell
from herp.models import User
from integrations.models import ZoomGrant, ZoomInstallation
from zoom import payloads, signals
from zoom.models import (
    MeetingAttendance,
    ParticipantEvent,
    Participation,
    WaitingIncident,
    WebhookDelivery,
    ZoomMeeting,
    ZoomUser,
)

logger = logging.getLogger(__name__)

Result = WebhookDelivery.Result
Role = Participation.Role
Waiting = Participation.Waiting

PARTICIPANT_SCOPE = "meeting:read:participant"
PARTICIPANT_EVENT_PREFIX = "meeting.participant_"
# How long participant names and times are kept after a meeting (then only the outcome and the waits).
RETENTION = timedelta(days=90)
# The due check looks back this far: a meeting that started longer ago is no longer "being waited for".
LOOKBACK = timedelta(hours=3)
# "Ended early": the meeting ended this much before its scheduled end although it was held.
EARLY_BY = timedelta(minutes=10)
ACCOUNT_PAGE_PATH = "/accounts/zoom/"
SETTINGS_PAGE_PATH = "/settings/integrations/"

MEETING_STARTED = "meeting.started"
MEETING_ENDED = "meeting.ended"
JOINED = "meeting.participant_joined"
LEFT = "meeting.participant_left"
JBH_WAITING = "meeting.participant_jbh_waiting"
JBH_WAITING_LEFT = "meeting.participant_jbh_waiting_left"
JBH_JOINED = "meeting.participant_jbh_joined"
JOINED_WAITING_ROOM = "meeting.participant_joined_waiting_room"
ADMITTED = "meeting.participant_admitted"
LEFT_WAITING_ROOM = "meeting.participant_left_waiting_room"
PARTICIPANT_EVENTS = (
    JOINED,
    LEFT,
    JBH_WAITING,
    JBH_WAITING_LEFT,
    JBH_JOINED,
    JOINED_WAITING_ROOM,
    ADMITTED,
    LEFT_WAITING_ROOM,
)
EVENTS = (MEETING_STARTED, MEETING_ENDED, *PARTICIPANT_EVENTS)


@dataclass(frozen=True)
class Seen:
    """One participant event, as far as it tells. ``keyed`` is False for the join-before-host events,
    which carry no participant uuid or session id (only ``id`` and the name): their key is made of those."""

    key: str
    zoom_user_id: str
    name: str
    at: datetime
    keyed: bool = True


def _fallback_key(zoom_user_id: str, name: str) -> str:
    return f"{zoom_user_id}:{name}"[:200]


# --- Events -------------------------------------------------------------------------------------------


def event_handle(delivery: WebhookDelivery, *, now: datetime | None = None) -> str:
    """Fold one stored participant or lifecycle event into its meeting's attendance."""
    now = now or timezone.now()
    payload = delivery.payload
    zoom_id = payloads.meeting_number(payload)
    meeting = (
        ZoomMeeting.objects.filter(zoom_meeting_id=zoom_id, delete_requested=False)
        .select_related("company", "host_grant")
        .first()
        if zoom_id is not None
        else None
    )
    if meeting is None:
        return Result.UNKNOWN_MEETING
    obj = payloads.mapping(payload.get("object"))
    event_at = delivery.event_at or now
    with transaction.atomic():
        attendance = _attendance_locked(meeting)
        if delivery.event in (MEETING_STARTED, MEETING_ENDED):
            _lifecycle(attendance, meeting, delivery.event, obj, event_at)
        else:
            participant = payloads.mapping(obj.get("participant"))
            seen = _seen(participant, event_at)
            if not _first_time(attendance, delivery.event, str(obj.get("uuid") or ""), seen):
                return Result.IN_SYNC  # the same event again (perhaps in another body)
            _fold(attendance, meeting, delivery.event, seen)
        _evaluate(attendance, meeting, now)
    return Result.IN_SYNC


def _attendance_locked(meeting: ZoomMeeting) -> MeetingAttendance:
    try:
        with transaction.atomic():
            MeetingAttendance.objects.get_or_create(meeting=meeting, defaults={"company_id": meeting.company_id})
    except IntegrityError:
        pass  # created by a concurrent event
    return MeetingAttendance.objects.select_for_update().get(meeting=meeting)


def _seen(participant: dict[str, Any], event_at: datetime) -> Seen:
    zoom_user_id = payloads.text(participant.get("id"))
    name = payloads.text(participant.get("user_name"))
    key = payloads.text(participant.get("participant_uuid")) or payloads.text(participant.get("user_id"))
    keyed = bool(key)
    if not keyed:
        key = _fallback_key(zoom_user_id, name)
    at = None
    for field in ("join_time", "leave_time", "date_time"):
        at = at or payloads.iso_time(participant.get(field))
    return Seen(key=key[:200], zoom_user_id=zoom_user_id[:64], name=name[:200], at=at or event_at, keyed=keyed)


def _first_time(attendance: MeetingAttendance, event: str, meeting_uuid: str, seen: Seen) -> bool:
    try:
        with transaction.atomic():
            ParticipantEvent.objects.create(
                attendance=attendance,
                event=event,
                meeting_uuid=meeting_uuid[:100],
                participant_key=seen.key,
                at=seen.at,
            )
    except IntegrityError:
        return False
    return True


def people_ids(meeting: ZoomMeeting) -> set[str]:
    """The Zoom user ids of the interview's people: the host and the alternative hosts (the linked
    participants). Zoom's ``participant.id`` is the Zoom user id of a signed-in participant."""
    return {meeting.host_zoom_user_id, *meeting.alternative_host_ids} - {""}


def _row_for(attendance: MeetingAttendance, seen: Seen, role: str) -> Participation:
    """The participant's row. The join-before-host events name a person only by ``id`` and name, the
    others by their participant uuid, so one person waiting for the host and then joining is one row:
    a keyed event takes over the row its person's unkeyed events made, and an unkeyed event that comes
    late finds the row of the same ``id`` and name."""
    row = Participation.objects.filter(attendance=attendance, key=seen.key).first()
    if row is None and seen.keyed:
        row = Participation.objects.filter(
            attendance=attendance, key=_fallback_key(seen.zoom_user_id, seen.name)
        ).first()
        if row is not None:
            row.key = seen.key
    elif row is None:
        row = (
            Participation.objects.filter(attendance=attendance, zoom_user_id=seen.zoom_user_id, name=seen.name)
            .order_by("-first_seen_at", "-id")
            .first()
        )
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Participation.objects.create(attendance=attendance, key=seen.key, role=role, first_seen_at=seen.at)
    except IntegrityError:
        return Participation.objects.get(attendance=attendance, key=seen.key)


def _fold(attendance: MeetingAttendance, meeting: ZoomMeeting, event: str, seen: Seen) -> None:
    role = Role.PERSON if seen.zoom_user_id and seen.zoom_user_id in people_ids(meeting) else Role.GUEST
    row = _row_for(attendance, seen, role)
    row.role = Role.PERSON if role == Role.PERSON or row.role == Role.PERSON else Role.GUEST
    row.zoom_user_id = row.zoom_user_id or seen.zoom_user_id
    row.name = seen.name or row.name
    row.first_seen_at = min(row.first_seen_at, seen.at)
    if event in (JOINED, JBH_JOINED):
        row.joined_at = _latest(row.joined_at, seen.at)
        row.first_joined_at = min(row.first_joined_at or seen.at, seen.at)
        row.waiting_ended_at = _latest(row.waiting_ended_at, seen.at)
    elif event == LEFT:
        row.left_at = _latest(row.left_at, seen.at)
    elif event in (JBH_WAITING, JOINED_WAITING_ROOM):
        if row.waiting_since is None or seen.at >= row.waiting_since:
            row.waiting_since = seen.at
            row.waiting = Waiting.WAITING_ROOM if event == JOINED_WAITING_ROOM else Waiting.BEFORE_HOST
    elif event in (JBH_WAITING_LEFT, ADMITTED, LEFT_WAITING_ROOM):
        row.waiting_ended_at = _latest(row.waiting_ended_at, seen.at)
    row.save()


def _lifecycle(
    attendance: MeetingAttendance, meeting: ZoomMeeting, event: str, obj: dict[str, Any], at: datetime
) -> None:
    if event == MEETING_STARTED:
        attendance.started_at = attendance.started_at or payloads.iso_time(obj.get("start_time")) or at
    else:
        attendance.ended_at = _latest(attendance.ended_at, payloads.iso_time(obj.get("end_time")) or at)
        if grant_sees_participants(meeting.host_grant):
            attendance.outcome = _outcome(attendance, meeting)
        else:
            # Zoom tells a grant without the participant scope that the meeting started and ended, never
            # who came: no outcome is better than "the candidate did not join" (T38).
            attendance.rescue = False
            attendance.outcome = MeetingAttendance.Outcome.NONE
    attendance.save()


def _outcome(attendance: MeetingAttendance, meeting: ZoomMeeting) -> str:
    rows = list(attendance.participations.all())
    person = any(row.first_joined_at for row in rows if row.role == Role.PERSON)
    guest = any(row.first_joined_at or row.waiting_since for row in rows if row.role == Role.GUEST)
    if not guest:
        return MeetingAttendance.Outcome.CANDIDATE_ABSENT
    if not person:
        return MeetingAttendance.Outcome.INTERVIEWERS_ABSENT
    if attendance.ended_at is not None and attendance.ended_at < meeting.end_time - EARLY_BY:
        return MeetingAttendance.Outcome.ENDED_EARLY
    return MeetingAttendance.Outcome.HELD


# --- Incidents ----------------------------------------------------------------------------------------


def _evaluate(attendance: MeetingAttendance, meeting: ZoomMeeting, now: datetime) -> None:
    """Open, keep or close the meeting's incident from what its participants are doing now. Reads the
    interview's people who came (a handful of rows) and at most one guest, however many guests there
    are: each event costs the same (T37)."""
    incident = WaitingIncident.objects.filter(attendance=attendance, closed_at__isnull=True).first()
    people = list(attendance.participations.filter(role=Role.PERSON, joined_at__isnull=False))
    if incident is not None:
        # Closed by one of the interview's people in the meeting, or joining after the guest began to wait
        # (their leave may already be in): not by one who looked in earlier and left.
        helper = next(
            (row for row in people if row.is_inside or (row.joined_at and row.joined_at >= incident.waiting_since)),
            None,
        )
        if helper is not None or attendance.ended_at is not None:
            _close(incident, attendance, meeting, helper, now)
        return
    if attendance.ended_at is not None or not attendance.rescue:
        return
    if any(row.is_inside for row in people):
        return
    guests = attendance.participations.filter(role=Role.GUEST).order_by("first_seen_at", "id")
    waiting = guests.filter(waiting_since__isnull=False).filter(
        Q(waiting_ended_at__isnull=True) | Q(waiting_ended_at__lt=F("waiting_since"))
    )
    # A subtraction, not an addition: a row at the calendar's edge cannot overflow it (T29).
    due = now - meeting.start_time >= timedelta(seconds=meeting.company.waiting_grace_seconds)
    cause = WaitingIncident.Cause.WAITING_ROOM
    guest = waiting.filter(waiting=Waiting.WAITING_ROOM).first()
    if guest is None and due:
        cause = WaitingIncident.Cause.BEFORE_HOST
        guest = waiting.filter(waiting=Waiting.BEFORE_HOST).first()
    if guest is None and due:
        cause = WaitingIncident.Cause.ALONE
        inside = guests.filter(joined_at__isnull=False).filter(Q(left_at__isnull=True) | Q(left_at__lt=F("joined_at")))
        # A guest in the meeting is alone unless one of the interview's people was in with them: one who
        # left after the guest came (the interview is over, their leave came first) kept them company.
        last_left = max((row.left_at for row in people if row.left_at is not None), default=None)
        if last_left is not None:
            inside = inside.filter(joined_at__gt=last_left)
        guest = inside.first()
    if guest is None:
        return
    since = (
        guest.waiting_since if guest.is_waiting and guest.waiting_since else (guest.joined_at or guest.first_seen_at)
    )
    try:
        with transaction.atomic():
            opened = WaitingIncident.objects.create(
                attendance=attendance, cause=cause, guest_name=guest.name, waiting_since=since, opened_at=now
            )
    except IntegrityError:
        return  # opened by a concurrent event
    logger.info(
        "A guest is waiting in Zoom meeting %s (%s); calling the interview's people.", meeting.zoom_meeting_id, cause
    )
    signals.send_on_commit(
        signals.guest_waiting, ZoomMeeting, meeting_id=meeting.pk, company_id=meeting.company_id, incident_id=opened.pk
    )


def _close(
    incident: WaitingIncident,
    attendance: MeetingAttendance,
    meeting: ZoomMeeting,
    person: Participation | None,
    now: datetime,
) -> None:
    ended = person.joined_at if person is not None and person.joined_at else (attendance.ended_at or now)
    incident.closed_at = now
    incident.closed_by = person.name if person is not None else ""
    incident.waited_seconds = max(int((ended - incident.waiting_since).total_seconds()), 0)
    incident.save(update_fields=["closed_at", "closed_by", "waited_seconds"])
    attendance.longest_wait_seconds = max(attendance.longest_wait_seconds or 0, incident.waited_seconds)
    attendance.save(update_fields=["longest_wait_seconds", "updated_at"])
    signals.send_on_commit(
        signals.guest_rescued,
        ZoomMeeting,
        meeting_id=meeting.pk,
        company_id=meeting.company_id,
        incident_id=incident.pk,
    )


def attendance_check_due(*, now: datetime | None = None) -> int:
    """The due time: each upcoming meeting is looked at once at its start + the company's grace, so a
    guest left alone is reported although no event comes. Returns how many meetings were checked."""
    now = now or timezone.now()
    candidates = (
        ZoomMeeting.objects.filter(
            status=ZoomMeeting.Status.CREATED,
            delete_requested=False,
            zoom_meeting_id__isnull=False,
            start_time__lte=now,
            start_time__gte=now - LOOKBACK,
        )
        .filter(Q(attendance__isnull=True) | Q(attendance__checked_at__isnull=True))
        .select_related("company", "host_grant")
        .order_by("start_time")
    )
    checked = 0
    for meeting in candidates[:500]:
        if now - meeting.start_time < timedelta(seconds=meeting.company.waiting_grace_seconds):
            continue
        with transaction.atomic():
            attendance = _attendance_locked(meeting)
            if attendance.checked_at is not None:
                continue
            if not grant_sees_participants(meeting.host_grant):
                attendance.rescue = False
                _tell_rescue_needs_reconnect(meeting)
            attendance.checked_at = now
            attendance.save(update_fields=["rescue", "checked_at", "updated_at"])
            _evaluate(attendance, meeting, now)
        checked += 1
    return checked


# --- A grant with fewer scopes (T38) ------------------------------------------------------------------


def grant_sees_participants(grant: ZoomGrant | None) -> bool:
    """Zoom sends participant events only for grants holding the participant scope."""
    return grant is not None and PARTICIPANT_SCOPE in (grant.scopes or [])


def _tell_rescue_needs_reconnect(meeting: ZoomMeeting) -> None:
    """Once per grant: its owner and the company's admins learn that reconnecting turns the rescue on."""
    grant_id = meeting.host_grant_id
    owners = list(User.objects.filter(zoom_user__grant_id=grant_id, zoom_user__status=ZoomUser.Status.ACTIVE))
    installation = ZoomInstallation.objects.filter(company_id=meeting.company_id, grant_id=grant_id).first()
    if installation is not None and installation.installer is not None:
        owners.append(installation.installer)
    admins = list(User.objects.filter(company_id=meeting.company_id, role=User.Role.ADMIN, is_active=True))
    title = _("Reconnect Zoom to be told when a candidate waits")
    body = _(
        "Zoom was connected before HERP could see who joins a meeting, so HERP cannot tell you when a "
        "candidate waits for their interviewer in meetings hosted by %(email)s. Linking Zoom again turns it on."
    ) % {"email": meeting.host_email}
    bell.notify(users=owners, key=f"zoom-scope:{grant_id}", title=title, body=body, url=ACCOUNT_PAGE_PATH, level="warn")
    bell.notify(
        users=[admin for admin in admins if admin not in owners],
        key=f"zoom-scope:{grant_id}",
        title=title,
        body=body,
        url=SETTINGS_PAGE_PATH,
        level="warn",
    )


# --- Retention ----------------------------------------------------------------------------------------


def attendance_purge(*, now: datetime | None = None) -> int:
    """Upkeep: participant names and times of meetings that ended more than RETENTION ago go; the
    outcome and the waits stay, without names. Returns how many meetings were purged."""
    now = now or timezone.now()
    cutoff = now - RETENTION
    due = MeetingAttendance.objects.filter(participants_purged_at__isnull=True).filter(
        Q(ended_at__lt=cutoff) | Q(ended_at__isnull=True, meeting__start_time__lt=cutoff)
    )
    purged = 0
    for attendance_id in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            Participation.objects.filter(attendance_id=attendance_id).delete()
            ParticipantEvent.objects.filter(attendance_id=attendance_id).delete()
            WaitingIncident.objects.filter(attendance_id=attendance_id).update(guest_name="", closed_by="")
            MeetingAttendance.objects.filter(pk=attendance_id).update(participants_purged_at=now)
        purged += 1
    # The stored bodies of the participant events carry the same names (and the e-mail a guest typed):
    # they go too, once processed. The row stays, with its hash, event and result, for the record.
    WebhookDelivery.objects.filter(
        event__startswith=PARTICIPANT_EVENT_PREFIX, processed_at__isnull=False, received_at__lt=cutoff
    ).exclude(payload={}).update(payload={})
    return purged


# --- Folding ------------------------------------------------------------------------------------------


def _latest(current: datetime | None, seen: datetime) -> datetime:
    return seen if current is None or seen > current else current
