"""Reads of the invitations for the schedule's page: what was sent to whom, when, which version, and
whether it was delivered; why someone got nothing; the candidate's text to copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from herp.models import Company
from scheduling.invitations.models import Invitation, InvitationMessage
from scheduling.invitations.render import Draft, render
from scheduling.invitations.services import latest_by_recipient, url_known, wanted_now
from scheduling.models import InterviewSchedule
from zoom.models import ZoomMeeting

Recipient = InvitationMessage.Recipient
Failure = InvitationMessage.Failure

# What a failure means for the person reading the schedule's page, and what they can do.
FAILURE_TEXTS = {
    Failure.RECIPIENT_REFUSED: gettext_lazy(
        "The recipient's mail server refused the address. Check the address, then press Resend."
    ),
    Failure.SERVER_UNREACHABLE: gettext_lazy(
        "HERP's mail server could not be reached. The operators have been told; press Resend once it works again."
    ),
    Failure.SERVER_REFUSED: gettext_lazy("HERP's mail server refused the message. The operators have been told."),
    Failure.UNEXPECTED: gettext_lazy("An unexpected error stopped the sending. The operators have been told."),
}


@dataclass
class PersonLine:
    key: str
    name: str
    email: str
    recipient_kind: str
    latest: InvitationMessage | None = None
    history: list[InvitationMessage] = field(default_factory=list)

    @property
    def is_candidate(self) -> bool:
        return self.recipient_kind == Recipient.CANDIDATE

    @property
    def failure_text(self) -> str:
        if self.latest is None or not self.latest.failure:
            return ""
        text = FAILURE_TEXTS.get(Failure(self.latest.failure))
        return str(text) if text is not None else ""

    @property
    def retrying(self) -> bool:
        latest = self.latest
        return latest is not None and latest.status == InvitationMessage.Status.QUEUED and latest.attempts > 0

    @property
    def can_resend(self) -> bool:
        return self.latest is not None and self.latest.status != InvitationMessage.Status.SENDING


@dataclass
class Overview:
    people: list[PersonLine]
    messages: list[InvitationMessage]
    candidate_without_email: bool
    candidate_mail_off: bool
    waiting_for_url: bool
    url_changed_at: datetime | None
    failed: int
    copy_text: str = ""


def invitation_overview(*, schedule: InterviewSchedule) -> Overview:
    meeting = ZoomMeeting.objects.filter(pk=schedule.meeting_id).first() if schedule.meeting_id else None
    people = list(schedule.participants.order_by("name", "email", "pk"))
    messages = list(schedule.invitation_messages.order_by("-sequence", "-pk"))
    latest = latest_by_recipient(schedule.pk)
    wanted = wanted_now(schedule, meeting, people)
    lines: dict[str, PersonLine] = {}
    for key, want in wanted.items():
        lines[key] = PersonLine(key=key, name=want.name, email=want.email, recipient_kind=want.recipient_kind)
    for message in reversed(messages):
        line = lines.setdefault(
            message.recipient_key,
            PersonLine(
                key=message.recipient_key, name=message.name, email=message.email, recipient_kind=message.recipient_kind
            ),
        )
        line.history.insert(0, message)
    for key, message in latest.items():
        lines[key].latest = message
    ordered = sorted(
        lines.values(), key=lambda line: (not line.is_candidate, line.latest is None and not line.history, line.name)
    )
    invitation = Invitation.objects.filter(schedule=schedule).first()
    candidate = schedule.candidate
    return Overview(
        people=ordered,
        messages=messages,
        candidate_without_email=not candidate.email,
        candidate_mail_off=not schedule.candidate_mail_enabled,
        waiting_for_url=schedule.is_zoom and not schedule.is_cancelled and not url_known(schedule, meeting),
        url_changed_at=invitation.url_changed_at if invitation else None,
        failed=sum(1 for line in ordered if line.latest and line.latest.status == InvitationMessage.Status.FAILED),
        copy_text=candidate_copy_text(schedule=schedule, meeting=meeting, people=people),
    )


def candidate_copy_text(*, schedule: InterviewSchedule, meeting: ZoomMeeting | None, people: list[Any]) -> str:
    """「招待文をコピー」: the candidate's invitation as it reads now, for channels HERP does not send to.
    Empty until the meeting's URL is known (and for a cancelled interview)."""
    if schedule.is_cancelled or not url_known(schedule, meeting):
        return ""
    want = wanted_now(schedule, meeting, people)[f"candidate:{schedule.candidate_id}"]
    draft = Draft(
        company_id=schedule.company_id,
        schedule_id=schedule.pk,
        recipient_kind=Recipient.CANDIDATE,
        name=want.name,
        email=want.email,
        language=want.language,
        timezone=want.timezone,
        kind=InvitationMessage.Kind.INVITATION,
        event=want.event,
    )
    rendered = render(draft)
    with translation.override(want.language):
        return f"{_('Subject:')} {rendered.subject}\n\n{rendered.text}"


def url_changed_schedule_ids(*, company: Company, schedule_ids: list[int]) -> set[int]:
    """Schedules whose people were sent a new URL (the list's "URL changed" mark)."""
    return set(
        Invitation.objects.filter(
            company=company, schedule_id__in=schedule_ids, url_changed_at__isnull=False
        ).values_list("schedule_id", flat=True)
    )
