"""Candidates and their interview schedules (選考予定).

A schedule states what its Zoom meeting should be; ``zoom`` makes Zoom match (DESIGN.md section 3).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from herp.fields import BoundedDateTimeField
from herp.models import DEFAULT_LANGUAGE, Company, Language
from herp.timebounds import add_minutes
from herp.timezones import DEFAULT_TIMEZONE
from integrations.models import IllegalTransition
from zoom.models import ZoomMeeting


class Candidate(models.Model):
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"), blank=True, default="")
    # The language and time zone of the candidate's e-mails; an empty zone means each interview's own.
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=DEFAULT_LANGUAGE)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


class InterviewSchedule(models.Model):
    class Location(models.TextChoices):
        ZOOM = "zoom", _("Zoom")
        ONSITE = "onsite", _("On-site")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="schedules"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = BoundedDateTimeField(_("start"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIMEZONE)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), related_name="interview_schedules"
    )
    location = models.CharField(_("location"), max_length=16, choices=Location.choices, default=Location.ZOOM)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    meeting = models.OneToOneField(
        ZoomMeeting,
        verbose_name=_("Zoom meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interview_schedule",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Off when the recruiters write to the candidate themselves: HERP then sends the candidate nothing
    # for this interview (the participants are still told).
    candidate_mail_enabled = models.BooleanField(_("e-mail the candidate"), default=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Set when the person whose Zoom user hosts the meeting left (deactivated or deleted) and nobody else
    # could host it: the meeting stays as it was, the page says so, until a re-plan finds a host.
    host_left_at = models.DateTimeField(_("host left at"), null=True, blank=True)
    host_left_name = models.CharField(_("host who left"), max_length=150, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("interview schedule")
        verbose_name_plural = _("interview schedules")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["company", "starts_at"], name="schedule_company_starts")]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self) -> datetime:
        return add_minutes(self.starts_at, self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_zoom(self) -> bool:
        return self.location == self.Location.ZOOM

    def cancel(self) -> None:
        """scheduled → cancelled. The meeting's deletion is the service's job (scheduling.services)."""
        if self.status != self.Status.SCHEDULED:
            raise IllegalTransition("InterviewSchedule", "cancel", self.status)
        self.status = self.Status.CANCELLED
        self.cancelled_at = now()
        self.save(update_fields=["status", "cancelled_at", "updated_at"])


# The invitations' models live in their own package; importing them here registers them with the app.
from scheduling.invitations.models import (  # noqa: E402, F401
    CandidateMessageTemplate,
    Invitation,
    InvitationMessage,
)
