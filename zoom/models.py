"""A person's linked Zoom user (外部サービスアカウント) and the meetings we keep in Zoom."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from herp.fields import BoundedDateTimeField
from herp.models import Company
from herp.timebounds import add_minutes
from integrations.models import IllegalTransition, ZoomGrant, ZoomInstallation


class ZoomUserQuerySet(models.QuerySet["ZoomUser"]):
    def usable(self) -> ZoomUserQuerySet:
        """Links that may host: active, and of the Zoom account the company is attached to now.

        Suspension is not stored: after a Disconnect the company holds no account id, so its links stop
        matching; reconnecting to the same account makes them match again (DESIGN.md section 3).
        """
        return self.filter(
            status=ZoomUser.Status.ACTIVE,
            company__zoom_installation__zoom_account_id=models.F("zoom_account_id"),
        ).exclude(zoom_account_id="")


class ZoomUser(models.Model):
    """One per HERP user. Its ``pk`` is the "internal id" of the host rule (DESIGN.md section 1, point 3).

    The grant is that Zoom user's ``ZoomGrant``: shared with the company connection when the installer
    links personally (Zoom keeps one live grant per Zoom user and app).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Linked")
        INVALID = "invalid", _("Invalid")
        UNLINKED = "unlinked", _("Unlinked")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="zoom_user"
    )
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(
        ZoomGrant,
        verbose_name=_("grant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="zoom_users",
    )
    zoom_user_id = models.CharField(_("Zoom user id"), max_length=64)
    zoom_account_id = models.CharField(_("Zoom account id"), max_length=64, blank=True, default="")
    email = models.EmailField(_("Zoom e-mail"), blank=True, default="")
    display_name = models.CharField(_("Zoom display name"), max_length=200, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ZoomUserQuerySet.as_manager()

    class Meta:
        verbose_name = _("linked Zoom user")
        verbose_name_plural = _("linked Zoom users")
        ordering = ["id"]
        constraints = [
            # One Zoom user hosts for one person: the link refusal says so before this ever fires.
            models.UniqueConstraint(
                fields=["zoom_user_id"], condition=Q(status="active"), name="zoomuser_zoom_user_active_unique"
            ),
        ]
        indexes = [models.Index(fields=["company", "status"], name="zoomuser_company_status")]

    def __str__(self) -> str:
        return f"{self.email or self.zoom_user_id} ({self.get_status_display()})"

    def is_suspended(self, installation: ZoomInstallation | None) -> bool:
        """Active, but the company is not attached to this link's Zoom account right now."""
        return self.status == self.Status.ACTIVE and (
            installation is None
            or not installation.zoom_account_id
            or installation.zoom_account_id != self.zoom_account_id
        )

    def invalidate(self, reason: str) -> bool:
        """active → invalid (the Zoom user left the account, its grant died, the company moved to another
        account). Returns False when it was not active, so owners are told once."""
        if self.status != self.Status.ACTIVE:
            return False
        self.status = self.Status.INVALID
        self.status_reason = reason[:300]
        self.save(update_fields=["status", "status_reason", "updated_at"])
        return True

    def unlink(self) -> None:
        """The person detaches their Zoom user. The grant is left for upkeep, which revokes grants that
        nothing uses any more."""
        if self.status == self.Status.UNLINKED:
            raise IllegalTransition("ZoomUser", "unlink", self.status)
        self.status = self.Status.UNLINKED
        self.status_reason = ""
        self.grant = None
        self.save(update_fields=["status", "status_reason", "grant", "updated_at"])


# --- ZoomMeeting -----------------------------------------------------------------------------------


class ZoomMeeting(models.Model):
    """A Zoom meeting as we want it (written by ``scheduling``) and as Zoom has it (written by the
    reconcile task in ``zoom.meetings``). No foreign key to scheduling: dependencies point down.

    ``revision`` is bumped on every change of the desired meeting; ``synced_revision`` is the revision
    Zoom last matched. ``uuid`` goes into the agenda as our marker, so that a meeting Zoom made for a
    request whose answer was lost can be found and adopted instead of made twice (RELIABILITY T20).
    ``claimed_until``/``claim_token`` are the worker lease (T19); ``start_url`` is never stored: it
    logs anyone in as the host, so it is fetched from Zoom when the host presses Start.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent to Zoom")
        CREATING = "creating", _("Being created in Zoom")
        CREATED = "created", _("Ready")
        UPDATING = "updating", _("Being updated in Zoom")
        DELETING = "deleting", _("Being deleted in Zoom")
        DELETED = "deleted", _("Deleted")
        FAILED = "failed", _("Failed")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")

    # Why a meeting failed, for the receivers that resume it and for the page's explanation.
    class Failure(models.TextChoices):
        NONE = "", _("None")
        DISCONNECTED = "disconnected", _("The host's Zoom authorization is gone")
        REJECTED = "rejected", _("Zoom refused the request")
        GAVE_UP = "gave_up", _("Too many attempts")
        LOOKUP_IMPOSSIBLE = "lookup_impossible", _("Could not check Zoom for an earlier attempt")

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    uuid = models.UUIDField(_("marker"), default=uuid.uuid4, unique=True, editable=False)

    # The desired meeting.
    host = models.ForeignKey(
        ZoomUser, verbose_name=_("host link"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    host_zoom_user_id = models.CharField(_("host's Zoom user id"), max_length=64)
    host_email = models.EmailField(_("host's Zoom e-mail"), blank=True, default="")
    host_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The grant whose token makes the calls: the host's own (meetings are created as /users/me).
    host_grant = models.ForeignKey(
        ZoomGrant, verbose_name=_("host's grant"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    alternative_hosts = models.JSONField(_("alternative hosts"), default=list, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    start_time = BoundedDateTimeField(_("start"))
    duration = models.PositiveIntegerField(_("duration (minutes)"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    revision = models.PositiveIntegerField(_("revision"), default=1)
    synced_revision = models.PositiveIntegerField(_("revision in Zoom"), default=0)
    delete_requested = models.BooleanField(_("deletion requested"), default=False)

    # What Zoom has.
    zoom_meeting_id = models.BigIntegerField(_("Zoom meeting id"), null=True, blank=True)
    join_url = models.URLField(_("join URL"), max_length=1000, blank=True, default="")
    passcode = models.CharField(_("passcode"), max_length=32, blank=True, default="")
    effective_settings = models.JSONField(_("settings applied by Zoom"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    join_url_changed = models.BooleanField(_("join URL changed"), default=False)
    # Set (and committed) before a create request leaves: from then on Zoom may hold the meeting
    # even if we never saw the answer, so we look for our marker before creating or forgetting it.
    create_sent_at = models.DateTimeField(_("create request sent at"), null=True, blank=True)

    # The work.
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    failure = models.CharField(_("failure"), max_length=32, choices=Failure.choices, blank=True, default="")
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True, default="")
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacements",
    )
    created_at = models.DateTimeField(_("created at"), default=now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=now)

    class Meta:
        verbose_name = _("Zoom meeting")
        verbose_name_plural = _("Zoom meetings")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "not_before"], name="zoommeeting_status_not_before"),
            models.Index(fields=["host_zoom_user_id", "start_time"], name="zoommeeting_host_start"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.get_status_display()})"

    # A row in one of these is being (or waiting to be) worked on; the others rest.
    WORKABLE = (Status.PENDING, Status.CREATING, Status.UPDATING, Status.DELETING)
    RESTING = (Status.CREATED, Status.FAILED, Status.NEEDS_ATTENTION)

    @property
    def end_time(self) -> datetime:
        return add_minutes(self.start_time, self.duration)

    @property
    def is_gone(self) -> bool:
        return self.status == self.Status.DELETED or self.delete_requested

    @property
    def is_busy(self) -> bool:
        return self.status in self.WORKABLE

    @property
    def has_url(self) -> bool:
        return bool(self.join_url) and not self.is_gone


# --- WebhookDelivery -------------------------------------------------------------------------------


class WebhookDelivery(models.Model):
    """Every verified webhook Zoom delivered, stored before anything acts on it (RELIABILITY T17).

    ``body_hash`` (SHA-256 of the raw body) is the dedupe key: the same delivery twice has one effect
    (T14). ``processed_at`` stays empty until processing finished; the sweeper re-queues rows left
    unprocessed by a worker or broker outage.
    """

    class Result(models.TextChoices):
        PENDING = "", _("Not processed yet")
        REVOKED = "revoked", _("Grant revoked")
        ALREADY_REVOKED = "already_revoked", _("Grant was already revoked")
        UNKNOWN_USER = "unknown_user", _("Unknown Zoom user")
        OTHER_APP = "other_app", _("Another app's event")
        IGNORED = "ignored", _("Event not handled")

    body_hash = models.CharField(_("body hash"), max_length=64, unique=True)
    event = models.CharField(_("event"), max_length=100)
    zoom_user_id = models.CharField(_("Zoom user id"), max_length=64, blank=True, default="")
    zoom_account_id = models.CharField(_("Zoom account id"), max_length=64, blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=32, choices=Result.choices, blank=True, default="")
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["processed_at", "received_at"], name="webhookdelivery_pending")]

    def __str__(self) -> str:
        return f"{self.event} {self.zoom_user_id} ({self.received_at:%Y-%m-%d %H:%M})"
