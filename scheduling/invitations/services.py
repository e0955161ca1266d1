"""Writes of the invitations: which message each person gets after a change, resends, the template.

``invitations_sync`` is the one writer of message rows. It computes, per recipient, what their
calendar event should say now, and compares it with the last version written for them; only a
difference makes a row, all rows of one change taking the interview's next SEQUENCE. So a person
hears of a change once, when it is sendable, and never of a change that does not concern them:

- scheduled, on Zoom, URL known       → REQUEST (invitation, or update when they had one)
- scheduled, on Zoom, URL not known   → nothing yet (a replacement's URL comes with Zoom's answer)
- scheduled, no longer on Zoom        → REQUEST without URL, only to people who hold our event
- cancelled, or no longer a recipient → CANCEL, only to people who hold our event
- the candidate's mail turned off, or no address → nothing, ever (the recruiters write themselves)

It runs inside the transaction of the change: a schedule's save or cancel, a re-plan, and the
reconcile's write of Zoom's answer (zoom's ``meeting_synced``, received in that transaction). The send
task is queued on commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from herp.models import Company, User
from scheduling.invitations import content
from scheduling.invitations.models import CandidateMessageTemplate, Invitation, InvitationMessage
from scheduling.invitations.placeholders import validate
from scheduling.models import InterviewSchedule
from zoom.models import ZoomMeeting

logger = logging.getLogger(__name__)

Message = InvitationMessage
Kind = InvitationMessage.Kind
Reason = InvitationMessage.Reason
Recipient = InvitationMessage.Recipient


@dataclass(frozen=True)
class Wanted:
    """What one recipient's event should be now. ``method`` None: leave them as they are."""

    recipient_key: str
    recipient_kind: str
    name: str
    email: str
    language: str
    timezone: str
    method: str | None
    event: dict[str, Any]
    user_id: int | None = None
    candidate_id: int | None = None
    reason: str = ""


def candidate_key(candidate_id: int) -> str:
    return f"candidate:{candidate_id}"


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


def invitations_sync(*, schedule_id: int) -> list[int]:
    """Write the messages the schedule's current state calls for; returns their ids."""
    from scheduling.invitations.delivery import invitation_enqueue

    with transaction.atomic():
        invitation = _locked_invitation(schedule_id)
        if invitation is None:
            return []
        schedule = InterviewSchedule.objects.select_related("candidate", "company").get(pk=schedule_id)
        # Read again now that we hold the invitation's lock: the reconcile may have just stored Zoom's answer.
        meeting = ZoomMeeting.objects.filter(pk=schedule.meeting_id).first() if schedule.meeting_id else None
        people = list(schedule.participants.order_by("name", "email", "pk"))
        latest = latest_by_recipient(schedule_id)
        wanted = wanted_now(schedule, meeting, people)
        rows = [
            row
            for key in sorted(set(wanted) | set(latest))
            if (row := _next_version(wanted.get(key), latest.get(key), schedule)) is not None
        ]
        if not rows:
            return []
        now = timezone.now()
        invitation.sequence += 1
        if any("url" in row.changes for row in rows):
            invitation.url_changed_at = now
        invitation.save(update_fields=["sequence", "url_changed_at", "updated_at"])
        for row in rows:
            row.sequence = invitation.sequence
            row.created_at = row.updated_at = now
        # Older versions still waiting are not sent: the new one says everything (T35).
        Message.objects.filter(
            schedule_id=schedule_id, recipient_key__in=[row.recipient_key for row in rows], status=Message.Status.QUEUED
        ).update(status=Message.Status.SUPERSEDED, claimed_until=None, claim_token="", updated_at=now)
        created = Message.objects.bulk_create(rows)
        ids = [row.pk for row in created]
        for message_id in ids:
            invitation_enqueue(message_id)
    return ids


def _locked_invitation(schedule_id: int) -> Invitation | None:
    invitation = Invitation.objects.select_for_update().filter(schedule_id=schedule_id).first()
    if invitation is not None:
        return invitation
    company_id = InterviewSchedule.objects.filter(pk=schedule_id).values_list("company_id", flat=True).first()
    if company_id is None:
        return None
    try:
        with transaction.atomic():
            Invitation.objects.create(schedule_id=schedule_id, company_id=company_id)
    except IntegrityError:
        pass  # made meanwhile by another transaction: lock that one
    return Invitation.objects.select_for_update().get(schedule_id=schedule_id)


def latest_by_recipient(schedule_id: int) -> dict[str, InvitationMessage]:
    latest: dict[str, InvitationMessage] = {}
    for row in Message.objects.filter(schedule_id=schedule_id).order_by("sequence", "pk"):
        latest[row.recipient_key] = row
    return latest


def url_known(schedule: InterviewSchedule, meeting: ZoomMeeting | None) -> bool:
    """The meeting's URL as Zoom gave it for this meeting (a replacement has none until Zoom made it)."""
    return schedule.is_zoom and meeting is not None and meeting.has_url and meeting.zoom_meeting_id is not None


def event_facts(
    schedule: InterviewSchedule, meeting: ZoomMeeting | None, people: list[User], *, for_candidate: bool
) -> dict[str, Any]:
    on_zoom = url_known(schedule, meeting)
    facts: dict[str, Any] = {
        "schedule_id": schedule.pk,
        "title": schedule.title,
        "company": schedule.company.name,
        "candidate_name": schedule.candidate.name,
        "starts_at": schedule.starts_at.astimezone(UTC).isoformat(),
        "duration": schedule.duration_minutes,
        "timezone": schedule.timezone,
        "location": schedule.location,
        "join_url": meeting.join_url if on_zoom and meeting else "",
        "meeting_id": str(meeting.zoom_meeting_id) if on_zoom and meeting else "",
        "passcode": meeting.passcode if on_zoom and meeting else "",
    }
    if for_candidate:
        # Names only: a candidate never sees the interviewers' addresses (display_name may be one).
        facts["interviewers"] = [person.name for person in people if person.is_active and person.name]
    else:
        facts["host"] = _host_name(meeting, people) if on_zoom else ""
    return facts


def _host_name(meeting: ZoomMeeting | None, people: list[User]) -> str:
    if meeting is None:
        return ""
    for person in people:
        if person.pk == meeting.host_user_id:
            return person.display_name
    host = User.objects.filter(pk=meeting.host_user_id).first() if meeting.host_user_id else None
    return host.display_name if host else meeting.host_email


def wanted_now(schedule: InterviewSchedule, meeting: ZoomMeeting | None, people: list[User]) -> dict[str, Wanted]:
    method = "CANCEL" if schedule.is_cancelled else "REQUEST"
    reason = Reason.CANCELLED if schedule.is_cancelled else Reason.NONE
    wanted: dict[str, Wanted] = {}
    candidate = schedule.candidate
    key = candidate_key(candidate.pk)
    managed = schedule.candidate_mail_enabled and bool(candidate.email)
    wanted[key] = Wanted(
        recipient_key=key,
        recipient_kind=Recipient.CANDIDATE,
        name=candidate.name,
        email=candidate.email,
        language=candidate.language,
        timezone=candidate.timezone or schedule.timezone,
        # Turned off or without an address: the recruiters tell the candidate; HERP sends nothing.
        method=method if managed else None,
        event=event_facts(schedule, meeting, people, for_candidate=True),
        candidate_id=candidate.pk,
        reason=reason,
    )
    participant_facts = event_facts(schedule, meeting, people, for_candidate=False)
    for person in people:
        if not person.is_active or not person.email:
            continue  # someone who left gets what a removed participant gets
        key = user_key(person.pk)
        wanted[key] = Wanted(
            recipient_key=key,
            recipient_kind=Recipient.PARTICIPANT,
            name=person.display_name,
            email=person.email,
            language=person.language,
            timezone=person.timezone,
            method=method,
            event=participant_facts,
            user_id=person.pk,
            reason=reason,
        )
    return wanted


RECIPIENT_FIELDS = (
    "recipient_key",
    "recipient_kind",
    "user_id",
    "candidate_id",
    "name",
    "email",
    "language",
    "timezone",
)


def _message(schedule: InterviewSchedule, recipient: Wanted | InvitationMessage, **fields: Any) -> InvitationMessage:
    return Message(
        company_id=schedule.company_id,
        schedule_id=schedule.pk,
        **{name: getattr(recipient, name) for name in RECIPIENT_FIELDS},
        **fields,
    )


def _next_version(
    want: Wanted | None, last: InvitationMessage | None, schedule: InterviewSchedule
) -> InvitationMessage | None:
    holds_event = last is not None and not last.is_cancellation
    if want is None or want.method == "CANCEL":
        if last is None or not holds_event:
            return None
        reason: str
        if want is None:
            reason = Reason.CANDIDATE_CHANGED if last.recipient_kind == Recipient.CANDIDATE else Reason.REMOVED
        else:
            reason = want.reason
        # Addressed as they were told, with the event as they hold it: its time is what the cancellation names.
        return _message(schedule, last, kind=Kind.CANCELLATION, reason=reason, event=last.event)
    if want.method is None:
        return None
    if schedule.is_zoom and not want.event.get("join_url"):
        return None  # not sendable yet: the meeting's URL is not known
    if not schedule.is_zoom and not holds_event:
        return None  # invitations are for Zoom interviews; someone holding one is kept true
    if last is not None and holds_event:
        if last.fingerprint() == content.fingerprint("REQUEST", want.email, want.event):
            return None
        changes = content.changes_between(last.event, want.event)
        return _message(schedule, want, kind=Kind.UPDATE, changes=changes, event=want.event)
    return _message(schedule, want, kind=Kind.INVITATION, event=want.event)


# --- Resend ------------------------------------------------------------------------------------------


class NothingToResend(Exception):
    """The person has no message yet, or theirs is being sent right now."""


def invitation_resend(*, schedule: InterviewSchedule, recipient_key: str) -> InvitationMessage:
    """「再送」: the person's current version goes out again, unchanged (same UID and SEQUENCE, so their
    calendar keeps one event). Raises NothingToResend."""
    from scheduling.invitations.delivery import invitation_enqueue

    with transaction.atomic():
        latest = (
            Message.objects.select_for_update()
            .filter(schedule_id=schedule.pk, recipient_key=recipient_key)
            .order_by("-sequence", "-pk")
            .first()
        )
        if latest is None or latest.status == Message.Status.SENDING:
            raise NothingToResend
        Message.objects.filter(pk=latest.pk).update(
            status=Message.Status.QUEUED,
            attempts=0,
            failure="",
            last_error="",
            not_before=None,
            claimed_until=None,
            claim_token="",
            updated_at=timezone.now(),
        )
        latest.refresh_from_db()
    invitation_enqueue(latest.pk)
    return latest


# --- The candidate template --------------------------------------------------------------------------


def candidate_template_save(*, company: Company, language: str, subject: str, body: str, by: User) -> None:
    """Raises placeholders.TemplateError with every reason it cannot be saved; saves nothing then."""
    validate(subject, body)
    CandidateMessageTemplate.objects.update_or_create(
        company=company, language=language, defaults={"subject": subject, "body": body, "updated_by": by}
    )


def candidate_template_reset(*, company: Company, language: str) -> None:
    CandidateMessageTemplate.objects.filter(company=company, language=language).delete()
