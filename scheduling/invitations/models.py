"""The invitations' rows: one calendar event per interview, one message per (interview, recipient,
version), and the company's candidate template. Registered through ``scheduling.models``."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from herp.models import Company, Language


class Invitation(models.Model):
    """The calendar event of one interview, as its people have been told of it.

    ``uid`` is the event's UID for the life of the interview (never the Zoom meeting id: a new host
    means a new meeting, and the event must stay the same one). ``sequence`` is the last SEQUENCE given
    out; each change that makes new messages takes the next one, in the transaction of that change,
    under this row's lock. This row, not the schedule's, is the lock: the reconcile already holds the
    meeting's row when it writes invitations, and a schedule's save locks the schedule and then the
    meeting, so both take this one last and cannot deadlock.
    """

    schedule = models.OneToOneField(
        "scheduling.InterviewSchedule",
        verbose_name=_("interview schedule"),
        on_delete=models.CASCADE,
        related_name="invitation",
    )
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    uid = models.UUIDField(_("calendar event UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.IntegerField(_("last calendar sequence"), default=-1)
    # When people were last sent a URL that differs from the one they had (a new host, a meeting made again).
    url_changed_at = models.DateTimeField(_("URL changed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.schedule_id} ({self.uid})"


class InvitationMessage(models.Model):
    """One version of one person's calendar event, and its delivery.

    Written in the transaction that makes it sendable (a schedule's save, or the reconcile storing
    Zoom's answer), sent by ``scheduling.invitations.tasks.invitation_send_task`` queued on commit,
    re-queued by the sweeper when that task was lost. ``event`` holds the facts as of this version, so
    a resend or a retry after a crash sends the very same event (same UID, SEQUENCE and DTSTAMP).
    """

    class Recipient(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        PARTICIPANT = "participant", _("Participant")

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        UPDATE = "update", _("Update")
        CANCELLATION = "cancellation", _("Cancellation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")
        SUPERSEDED = "superseded", _("Replaced by a newer version before it was sent")

    class Reason(models.TextChoices):
        NONE = "", _("None")
        CANCELLED = "cancelled", _("The interview was cancelled")
        REMOVED = "removed", _("No longer a participant")
        CANDIDATE_CHANGED = "candidate_changed", _("Another candidate was chosen")

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    schedule = models.ForeignKey(
        "scheduling.InterviewSchedule",
        verbose_name=_("interview schedule"),
        on_delete=models.CASCADE,
        related_name="invitation_messages",
    )
    # "candidate:<id>" or "user:<id>": who this version is for, whatever their address is now.
    recipient_key = models.CharField(_("recipient"), max_length=40)
    recipient_kind = models.CharField(_("recipient kind"), max_length=16, choices=Recipient.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    candidate = models.ForeignKey(
        "scheduling.Candidate",
        verbose_name=_("candidate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=150, blank=True, default="")
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    timezone = models.CharField(_("time zone"), max_length=64)
    sequence = models.PositiveIntegerField(_("calendar sequence"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True, default="")
    changes = models.JSONField(_("what changed"), default=list, blank=True)
    event = models.JSONField(_("event"), default=dict)

    class Failure(models.TextChoices):
        NONE = "", _("None")
        RECIPIENT_REFUSED = "recipient_refused", _("The mail server refused the address")
        SERVER_UNREACHABLE = "server_unreachable", _("The mail server could not be reached")
        SERVER_REFUSED = "server_refused", _("The mail server refused the message")
        UNEXPECTED = "unexpected", _("An unexpected error")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(_("failure"), max_length=32, choices=Failure.choices, blank=True, default="")
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True, default="")
    # DTSTAMP of this version: when it was generated (RFC 5545), fixed so a resend is identical.
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=now)

    class Meta:
        verbose_name = _("invitation message")
        verbose_name_plural = _("invitation messages")
        ordering = ["schedule_id", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "recipient_key", "sequence"], name="invitationmessage_one_per_version"
            ),
        ]
        indexes = [models.Index(fields=["status", "not_before"], name="invitationmessage_status_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.sequence} → {self.email} ({self.get_status_display()})"

    @property
    def is_cancellation(self) -> bool:
        return self.kind == self.Kind.CANCELLATION

    @property
    def method(self) -> str:
        """The iTIP method of this version's calendar object (RFC 5546)."""
        return "CANCEL" if self.is_cancellation else "REQUEST"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.SENDING)

    def fingerprint(self) -> tuple[Any, ...]:
        from scheduling.invitations.content import fingerprint

        return fingerprint(self.method, self.email, self.event)


class CandidateMessageTemplate(models.Model):
    """The company's words for the candidate's invitation, per language (subject and body, with named
    placeholders). Without one, HERP's own default applies. Never rendered by Django's template engine:
    ``scheduling.invitations.placeholders`` substitutes the named values and nothing else."""

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("candidate message template")
        verbose_name_plural = _("candidate message templates")
        constraints = [
            models.UniqueConstraint(fields=["company", "language"], name="candidatemessagetemplate_one_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.language}"
