"""Who is in a meeting, and what Zoom tells the apps about it: people join from the join page (as guests,
signed in to Zoom or not), wait for the host or in the waiting room, or sit in the meeting when join
before host is on; the host (or an alternative host) starts it from the start link or the portal's
Meetings page, admits people from the waiting room and ends it; anyone leaves.

Each step sends Zoom's events (NOTES.md section 9; the shapes of Zoom's event types in
``zoom/rivet-javascript`` ``meetings/meetings.d.ts``) in the order Zoom sends them, on one delivery
thread (``webhooks.start_in_order``) once the step's transaction commits:

- the participant events (``meeting.participant_joined``, ``_left``, ``_jbh_waiting``, ``_jbh_waiting_left``,
  ``_jbh_joined``, ``_joined_waiting_room``, ``_admitted``, ``_left_waiting_room``) go to each app the
  meeting's host has a live grant for whose scopes include the participant scope
  (``meeting:read:participant``; also its classic and admin names);
- ``meeting.started`` and ``meeting.ended`` go to each such app holding a meeting read scope
  (``meeting_events.EVENT_SCOPES``), as ``meeting.updated`` and ``meeting.deleted`` do.

What the emulator assumes where Zoom documents nothing is in docs/decisions.md ("The emulator's
participant events") and zoom_emulator/README.md ("Participant events").

Helpers for tests (a meeting by row or id, a participant by row or its page's key): ``guest_join``,
``host_join``, ``admit``, ``leave``, ``end``, ``participants_of``, ``present``, ``sent_for``.
"""

from __future__ import annotations

import base64
import secrets
import uuid as uuid_module
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from zoom_emulator import meeting_events, webhooks
from zoom_emulator.accounts import get_user
from zoom_emulator.api.base import zoom_time
from zoom_emulator.ids import DB
from zoom_emulator.models import App, Grant, Meeting, Participant, User, WebhookDelivery

STARTED = "meeting.started"
ENDED = "meeting.ended"
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
LIFECYCLE_EVENTS = (STARTED, ENDED)
EVENTS = (*LIFECYCLE_EVENTS, *PARTICIPANT_EVENTS)
# The scope an app's grant must hold to hear participant events (NOTES section 9 and 11: the granular
# name is NOTES' best reading; the classic ``meeting:read`` and the admin forms count too).
PARTICIPANT_SCOPES = (
    "meeting:read:participant",
    "meeting:read:participant:admin",
    "meeting:read",
    "meeting:read:admin",
)
# Zoom's ``leave_reason`` texts (the emulator's wording; Zoom's set of reasons is not documented).
LEFT_THE_MEETING = "left the meeting"
HOST_ENDED = "left the meeting. Reason : Host ended the meeting"
# Zoom's per-session participant numbers (``user_id``) look like 16778240 and grow by 1024.
FIRST_SESSION_NUMBER = 16778240

Role = Participant.Role
State = Participant.State


class ParticipantError(ValueError):
    """What Zoom's client would not let a person do (admit while no host is in, leave twice)."""


# ------------------------------------------------------------------------------------------- lookups


def _meeting(meeting: Meeting | int | str) -> Meeting:
    # Read afresh, locked: two people joining at once must not both start the instance.
    number = meeting.meeting_id if isinstance(meeting, Meeting) else meeting
    try:
        found = (
            Meeting.objects.select_for_update()
            .select_related("host__account")
            .filter(meeting_id=int(number), deleted_at__isnull=True)
            .first()
        )
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ParticipantError(f"No meeting {number!r} (deleted?).")
    return found


def get_participant(participant: Participant | str) -> Participant | None:
    """A visit by row (read afresh) or by the key in its page's address."""
    queryset = Participant.objects.select_related("meeting__host__account", "zoom_user")
    if isinstance(participant, Participant):
        return queryset.filter(pk=participant.pk).first()
    if not isinstance(participant, str) or not participant or len(participant) > 64:
        return None
    return queryset.filter(session_key=participant).first()


def participants_of(meeting: Meeting | int, *, state: str | None = None) -> list[Participant]:
    """Every visit to the meeting, oldest first (``state`` narrows them: ``Participant.State``)."""
    number = meeting.meeting_id if isinstance(meeting, Meeting) else int(meeting)
    queryset = Participant.objects.filter(meeting__meeting_id=number).select_related("zoom_user")
    if state is not None:
        queryset = queryset.filter(state=state)
    return list(queryset.order_by("pk"))


def present(meeting: Meeting | int) -> list[Participant]:
    """Who is there now: in the meeting, in the waiting room or waiting for the host."""
    return [p for p in participants_of(meeting) if p.state != State.LEFT]


def sent_for(meeting_id: int, event: str | None = None) -> list[dict[str, Any]]:
    """The bodies of the participant and started/ended events sent about one meeting, oldest first."""
    events = EVENTS if event is None else (event,)
    bodies = [d.data for d in WebhookDelivery.objects.filter(event__in=events).order_by("pk")]
    return [body for body in bodies if str(body.get("payload", {}).get("object", {}).get("id")) == str(meeting_id)]


def alternative_host_emails(meeting: Meeting) -> set[str]:
    raw = str(meeting.settings.get("alternative_hosts") or "")
    return {part.strip().lower() for part in raw.replace(",", ";").split(";") if part.strip()}


def entry_for(meeting: Meeting, now: datetime | None = None) -> str:
    """Where an attendee arriving now lands: ``waiting_room`` (the waiting room is on: everyone but the
    hosts waits there), ``in_meeting`` (the meeting is live, or join before host lets them start it), or
    ``waiting_for_host`` (join before host off, or before its ``jbh_time`` window)."""
    now = now or timezone.now()
    if meeting.settings.get("waiting_room"):
        return State.WAITING_ROOM
    if meeting.started_at is not None:
        return State.IN_MEETING
    if not meeting.settings.get("join_before_host"):
        return State.WAITING_FOR_HOST
    jbh_minutes = int(meeting.settings.get("jbh_time") or 0)
    if jbh_minutes and meeting.start_time and now < meeting.start_time - timedelta(minutes=jbh_minutes):
        return State.WAITING_FOR_HOST
    return State.IN_MEETING


# ------------------------------------------------------------------------------------------- the steps


def guest_join(
    meeting: Meeting | int, name: str, *, signed_in_as: User | str | None = None, email: str = ""
) -> Participant:
    """Someone opens the join link and joins as ``name``. Not signed in to Zoom (``signed_in_as`` None):
    ``participant.id`` is "" in every event. Signed in: it is their Zoom user id, and the meeting's host
    or an alternative host joins as such (``host_join``). An attendee lands in the waiting room
    (``participant_joined_waiting_room``), waits for the host (``participant_jbh_waiting``), joins the live
    meeting (``participant_joined``), or starts it before the host (``meeting.started``,
    ``participant_jbh_joined``, ``participant_joined``). Returns the visit (its ``session_key`` is its page)."""
    user = get_user(signed_in_as) if signed_in_as is not None else None
    with transaction.atomic(using=DB):
        found = _meeting(meeting)
        if user is not None and (user.pk == found.host_id or user.email.lower() in alternative_host_emails(found)):
            return _host_joins(found, user, name=name)
        now = timezone.now()
        entry = entry_for(found, now)
        visit = _new_visit(found, name=name or (user.display_name if user else ""), user=user, email=email, now=now)
        steps = _Steps(found)
        if entry == State.WAITING_ROOM:
            visit.state = State.WAITING_ROOM
            steps.participant(JOINED_WAITING_ROOM, visit, now)
        elif entry == State.WAITING_FOR_HOST:
            visit.state = State.WAITING_FOR_HOST
            steps.participant(JBH_WAITING, visit, now)
        else:
            visit.state, visit.joined_at = State.IN_MEETING, now
            if found.started_at is None:
                # Join before host: the first one in starts the instance.
                _start_instance(found, steps, now)
                steps.participant(JBH_JOINED, visit, now)
            steps.participant(JOINED, visit, now)
        visit.save()
        steps.send()
        return visit


def host_join(meeting: Meeting | int, *, as_user: User | str | None = None) -> Participant:
    """The host (or ``as_user``, an alternative host) opens the start link or presses Start on the portal:
    the instance starts if nobody had started it (``meeting.started``), they join (``participant_joined``),
    and whoever waited for the host gets in (``participant_jbh_waiting_left``, then ``participant_joined``).
    The waiting room stays as it is: the host admits people (``admit``). Joining again while in changes
    nothing and returns the same visit."""
    with transaction.atomic(using=DB):
        found = _meeting(meeting)
        user = found.host if as_user is None else get_user(as_user)
        if user.pk != found.host_id and user.email.lower() not in alternative_host_emails(found):
            raise ParticipantError(f"{user.email} is neither the host nor an alternative host of this meeting.")
        return _host_joins(found, user)


def admit(participant: Participant | str, *, by: Participant | str | None = None) -> Participant:
    """The host (or an alternative host) in the meeting admits someone from the waiting room
    (Participants › Admit): ``participant_admitted``, then ``participant_joined``. ``by`` is the visit of
    whoever admits (by default any host in the meeting); nobody may admit while no host is in."""
    with transaction.atomic(using=DB):
        visit = _visit(participant)
        found = _meeting(visit.meeting)
        hosts = [p for p in participants_of(found, state=State.IN_MEETING) if p.is_host]
        admitter = _visit(by) if by is not None else (hosts[0] if hosts else None)
        if admitter is None or admitter.state != State.IN_MEETING or not admitter.is_host:
            raise ParticipantError("Only the host or an alternative host in the meeting can admit people.")
        if visit.state != State.WAITING_ROOM:
            raise ParticipantError(f"{visit.name} is not in the waiting room.")
        now = timezone.now()
        steps = _Steps(found)
        steps.participant(ADMITTED, visit, now)
        visit.state, visit.joined_at = State.IN_MEETING, now
        steps.participant(JOINED, visit, now)
        visit.save(update_fields=["state", "joined_at"])
        steps.send()
        return visit


def leave(participant: Participant | str) -> Participant:
    """Someone leaves: from the waiting room (``participant_left_waiting_room``), from waiting for the host
    (``participant_jbh_waiting_left``) or from the meeting (``participant_left``). When the last person in
    the meeting leaves, the meeting ends (see ``end``)."""
    with transaction.atomic(using=DB):
        visit = _visit(participant)
        found = _meeting(visit.meeting)
        if visit.state == State.LEFT:
            raise ParticipantError(f"{visit.name} has already left.")
        now = timezone.now()
        steps = _Steps(found)
        was = visit.state
        _take_out(visit, steps, now, LEFT_THE_MEETING)
        if was == State.IN_MEETING and not participants_of(found, state=State.IN_MEETING):
            _end_instance(found, steps, now, reason=LEFT_THE_MEETING)
        steps.send()
        return visit


def end(meeting: Meeting | int) -> Meeting:
    """The host ends the meeting for all: everyone in it leaves (``participant_left``, reason "Host ended
    the meeting"), the waiting room empties (``participant_left_waiting_room``), then ``meeting.ended``.
    The next start is a new instance with a new ``uuid``. A meeting nobody started ends nothing."""
    with transaction.atomic(using=DB):
        found = _meeting(meeting)
        if found.started_at is None:
            raise ParticipantError("The meeting has not started.")
        steps = _Steps(found)
        _end_instance(found, steps, timezone.now(), reason=HOST_ENDED)
        steps.send()
        return found


# ------------------------------------------------------------------------------------------- machinery


def _visit(participant: Participant | str) -> Participant:
    found = get_participant(participant)
    if found is None:
        raise ParticipantError("No such participant.")
    return found


def _new_visit(meeting: Meeting, *, name: str, user: User | None, email: str, now: datetime) -> Participant:
    number = FIRST_SESSION_NUMBER + 1024 * Participant.objects.filter(meeting=meeting).count()
    return Participant(
        meeting=meeting,
        instance_uuid=meeting.current_uuid,
        participant_uuid=str(uuid_module.uuid4()).upper(),
        session_number=str(number),
        zoom_user=user,
        name=(name or "").strip()[:200] or "Zoom user",
        email=(user.email if user is not None else email.strip())[:254],
        session_key=secrets.token_urlsafe(24),
        created_at=now,
    )


def _host_joins(meeting: Meeting, user: User, *, name: str = "") -> Participant:
    inside = Participant.objects.filter(meeting=meeting, zoom_user=user, state=State.IN_MEETING).first()
    if inside is not None:
        return inside
    now = timezone.now()
    steps = _Steps(meeting)
    if meeting.started_at is None:
        _start_instance(meeting, steps, now)
    visit = _new_visit(meeting, name=name or user.display_name, user=user, email="", now=now)
    visit.role = Role.HOST if user.pk == meeting.host_id else Role.ALTERNATIVE_HOST
    visit.state, visit.joined_at = State.IN_MEETING, now
    visit.save()
    steps.participant(JOINED, visit, now)
    for waiting in participants_of(meeting, state=State.WAITING_FOR_HOST):
        steps.participant(JBH_WAITING_LEFT, waiting, now)
        waiting.state, waiting.joined_at = State.IN_MEETING, now
        waiting.save(update_fields=["state", "joined_at"])
        steps.participant(JOINED, waiting, now)
    steps.send()
    return visit


def _start_instance(meeting: Meeting, steps: _Steps, now: datetime) -> None:
    meeting.started_at = now
    if not meeting.instance_uuid:
        meeting.instance_uuid = meeting.uuid
    meeting.save(update_fields=["started_at", "instance_uuid"])
    steps.lifecycle(STARTED, now)


def _end_instance(meeting: Meeting, steps: _Steps, now: datetime, *, reason: str) -> None:
    for visit in participants_of(meeting):
        if visit.state in (State.IN_MEETING, State.WAITING_ROOM):
            _take_out(visit, steps, now, reason)
    steps.lifecycle(ENDED, now)
    meeting.started_at = None
    # The next start is a new instance (Zoom: "a new uuid per start"), told from its first event on.
    meeting.instance_uuid = base64.b64encode(secrets.token_bytes(16)).decode()
    meeting.save(update_fields=["started_at", "instance_uuid"])


def _take_out(visit: Participant, steps: _Steps, now: datetime, reason: str) -> None:
    leaving: dict[str, str] = {State.WAITING_ROOM: LEFT_WAITING_ROOM, State.WAITING_FOR_HOST: JBH_WAITING_LEFT}
    event = leaving.get(visit.state, LEFT)
    visit.state, visit.left_at = State.LEFT, now
    visit.save(update_fields=["state", "left_at"])
    steps.participant(event, visit, now, leave_reason=reason)


class _Steps:
    """The events of one step, in Zoom's order, for the host's apps; sent in that order on commit."""

    def __init__(self, meeting: Meeting) -> None:
        self.meeting = meeting
        self.events: list[tuple[str, dict[str, Any], int]] = []

    def lifecycle(self, event: str, now: datetime) -> None:
        obj = self._object(now)
        if event == ENDED:
            obj["end_time"] = zoom_time(now)
        self.events.append((event, obj, _millis(now)))

    def participant(self, event: str, visit: Participant, now: datetime, *, leave_reason: str = "") -> None:
        obj = self._object(now, numeric_id=event == JBH_WAITING_LEFT)
        obj["participant"] = _participant(event, visit, now, leave_reason)
        self.events.append((event, obj, _millis(now)))

    def _object(self, now: datetime, *, numeric_id: bool = False) -> dict[str, Any]:
        meeting = self.meeting
        # While the instance is live Zoom reports its actual start; before, the scheduled one.
        start = meeting.started_at or meeting.start_time or meeting.created_at
        return {
            # A string on these events, except jbh_waiting_left, which Zoom's type gives as a number.
            "id": meeting.meeting_id if numeric_id else str(meeting.meeting_id),
            "uuid": meeting.current_uuid,
            "host_id": meeting.host.user_id,
            "topic": meeting.topic,
            "type": meeting.type,
            "start_time": zoom_time(start),
            "timezone": meeting.timezone,
            "duration": meeting.duration,
        }

    def send(self) -> list[WebhookDelivery]:
        chain: list[int] = []
        sent: list[WebhookDelivery] = []
        hearing = _apps_hearing(self.meeting.host)
        for event, obj, at_ms in self.events:
            for app, scopes in hearing:
                wanted = PARTICIPANT_SCOPES if event in PARTICIPANT_EVENTS else meeting_events.EVENT_SCOPES
                if not scopes & set(wanted):
                    continue
                body = {
                    "event": event,
                    "event_ts": at_ms,
                    "payload": {"account_id": self.meeting.host.account.account_id, "object": obj},
                }
                delivery = webhooks.send(app, event, body, chain=chain)
                if delivery is not None:
                    sent.append(delivery)
        webhooks.start_in_order(chain)
        self.events = []
        return sent


def _apps_hearing(host: User) -> list[tuple[App, set[str]]]:
    """Each app the host authorized (a live grant) that has an event URL, with the grant's scopes."""
    grants = Grant.objects.filter(user=host, revoked=False).select_related("app").order_by("app_id")
    return [(grant.app, set(grant.scopes)) for grant in grants if grant.app.event_url]


def _participant(event: str, visit: Participant, now: datetime, leave_reason: str) -> dict[str, Any]:
    """``object.participant`` as Zoom's type for the event lists it (optional fields Zoom would only fill
    for registrants, phone users or SDK apps are left out)."""
    if event in (JBH_WAITING, JBH_WAITING_LEFT, JBH_JOINED):
        # The join-before-host events carry only who: no email, no time, no session ids.
        return {"id": visit.participant_id, "user_name": visit.name}
    fields: dict[str, Any] = {
        "user_id": visit.session_number,
        "user_name": visit.name,
        "id": visit.participant_id,
        "participant_uuid": visit.participant_uuid,
    }
    if event == JOINED:
        fields["join_time"] = zoom_time(now)
    elif event == LEFT:
        fields["leave_time"] = zoom_time(now)
        fields["leave_reason"] = leave_reason
    else:
        fields["date_time"] = zoom_time(now)
    fields["email"] = visit.email
    return fields


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
