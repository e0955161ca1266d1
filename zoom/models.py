"""A person's linked Zoom user (外部サービスアカウント) and the meetings we keep in Zoom."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from herp.models import Company
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


class ZoomMeetingQuerySet(models.QuerySet["ZoomMeeting"]):
    def stop_disconnected(self, message: str) -> int:
        """Meetings waiting on a grant that died fail with "disconnected" (no further Zoom calls) until
        the host links again. Rows a worker holds find out themselves, at their next Zoom call."""
        current = timezone.now()
        return (
            self.filter(status__in=ZoomMeeting.WORKABLE)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=current))
            .update(
                status=ZoomMeeting.Status.FAILED,
                failure=ZoomMeeting.Failure.DISCONNECTED,
                last_error=message[:1000],
                claimed_until=None,
                claim_token="",
                updated_at=current,
            )
        )


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
        CHANGED_IN_ZOOM = "changed_in_zoom", _("Changed in Zoom again and again")

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
    # Their Zoom user ids: with the host's, how the interview's people are told from guests in Zoom's
    # participant events (a guest types their own name and e-mail; a Zoom user id is not typed).
    alternative_host_ids = models.JSONField(_("alternative hosts' Zoom user ids"), default=list, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    start_time = models.DateTimeField(_("start"))
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
    # The revision whose PATCH last left (committed before sending): while it is not synced, the
    # answer may have been lost, so the meeting is read back before anything is sent again (T28).
    patch_sent_revision = models.PositiveIntegerField(_("revision last sent as an update"), default=0)

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

    objects = ZoomMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zoom meeting")
        verbose_name_plural = _("Zoom meetings")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "not_before"], name="zoommeeting_status_not_before"),
            models.Index(fields=["host_zoom_user_id", "start_time"], name="zoommeeting_host_start"),
            # Zoom's events name the meeting by its number: one indexed lookup tells ours from the rest.
            models.Index(fields=["zoom_meeting_id"], name="zoommeeting_zoom_id"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.get_status_display()})"

    # A row in one of these is being (or waiting to be) worked on; the others rest.
    WORKABLE = (Status.PENDING, Status.CREATING, Status.UPDATING, Status.DELETING)
    RESTING = (Status.CREATED, Status.FAILED, Status.NEEDS_ATTENTION)

    @property
    def end_time(self) -> datetime:
        return self.start_time + timedelta(minutes=self.duration)

    @property
    def is_gone(self) -> bool:
        return self.status == self.Status.DELETED or self.delete_requested

    @property
    def is_busy(self) -> bool:
        return self.status in self.WORKABLE

    @property
    def has_url(self) -> bool:
        return bool(self.join_url) and not self.is_gone

    def forget_zoom_meeting(self) -> None:
        """The meeting is gone at Zoom (deleted there): the next run makes a new one. The old URL stays
        shown, flagged as changing, until the new one exists."""
        self.zoom_meeting_id = None
        self.create_sent_at = None
        self.join_url_changed = bool(self.join_url)

    def flag(self, failure: str, message: str) -> None:
        """A resting row needs a person (the caller saves)."""
        self.status = self.Status.NEEDS_ATTENTION
        self.failure = failure
        self.last_error = message[:1000]
        self.updated_at = timezone.now()

    def reopen(self, *, revision: bool = True) -> None:
        """A new desired state (the caller saves): a fresh count of attempts, and back to work if the
        row was resting (a row being worked on keeps its status: its worker sees the new revision
        before releasing its lease)."""
        if revision:
            self.revision += 1
        if self.status in self.RESTING:
            self.status = self.Status.PENDING
        self.attempts = 0
        self.failure = self.Failure.NONE
        self.last_error = ""
        # Try the new state now: a backoff wait was about the old one, and if Zoom's daily limit still
        # holds, its 429 defers the row again (a delete is not even subject to it).
        self.not_before = None
        self.updated_at = timezone.now()


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
        UNKNOWN_MEETING = "unknown_meeting", _("A meeting HERP did not make")
        NOT_UPCOMING = "not_upcoming", _("The interview is past or cancelled")
        IN_SYNC = "in_sync", _("Zoom matches the interview")
        PUT_BACK = "put_back", _("Put back as the interview says")
        RECREATED = "recreated", _("Deleted in Zoom; made again")
        FLAGGED = "flagged", _("Changed in Zoom too often; a person must look")

    body_hash = models.CharField(_("body hash"), max_length=64, unique=True)
    event = models.CharField(_("event"), max_length=100)
    zoom_user_id = models.CharField(_("Zoom user id"), max_length=64, blank=True, default="")
    zoom_account_id = models.CharField(_("Zoom account id"), max_length=64, blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    # The event's own time (``event_ts``): events come late and out of order, so they are ordered by it.
    event_at = models.DateTimeField(_("event time (Zoom's)"), null=True, blank=True)
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


# --- ZoomSideChange --------------------------------------------------------------------------------


class ZoomSideChange(models.Model):
    """Someone changed or deleted one of our meetings in Zoom, and what we did about it (issue 14).

    The interview is the source of truth: an upcoming interview's meeting is put back (or made again),
    up to ``PUT_BACKS_PER_DAY`` times a day, after which a person is asked to look. Who and when are as
    Zoom told them in the event (``operator``, ``time_stamp``); the fields are those that differ when we
    read the meeting back.
    """

    class Kind(models.TextChoices):
        UPDATED = "updated", _("Changed in Zoom")
        DELETED = "deleted", _("Deleted in Zoom")

    class Action(models.TextChoices):
        PUT_BACK = "put_back", _("Put back")
        RECREATED = "recreated", _("Made again")
        FLAGGED = "flagged", _("Left for a person")

    meeting = models.ForeignKey(
        ZoomMeeting, verbose_name=_("Zoom meeting"), on_delete=models.CASCADE, related_name="zoom_side_changes"
    )
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    zoom_meeting_id = models.BigIntegerField(_("Zoom meeting id"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    fields = models.JSONField(_("fields that differed"), default=list, blank=True)
    before = models.JSONField(_("before, as Zoom told"), default=dict, blank=True)
    after = models.JSONField(_("after, as Zoom told"), default=dict, blank=True)
    operator = models.CharField(_("changed by (Zoom e-mail)"), max_length=254, blank=True, default="")
    changed_at = models.DateTimeField(_("changed at (Zoom's time)"), null=True, blank=True)
    action = models.CharField(_("what HERP did"), max_length=16, choices=Action.choices)
    host_notified = models.BooleanField(_("host told"), default=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("change made in Zoom")
        verbose_name_plural = _("changes made in Zoom")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["meeting", "created_at"], name="zoomsidechange_meeting")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.zoom_meeting_id} ({self.get_action_display()})"


# --- Attendance and waiting guests (issue 15) ------------------------------------------------------


class MeetingAttendance(models.Model):
    """Who came to one of our meetings, from Zoom's participant events, and whether a guest waited.

    ``checked_at`` marks the due check at start + the company's grace period (the case where no event
    comes when it should: the interviewer never joins). ``rescue`` is off when the host's grant lacks
    the participant scope (its events never come)."""

    class Outcome(models.TextChoices):
        NONE = "", _("Not over yet")
        HELD = "held", _("Held")
        CANDIDATE_ABSENT = "candidate_absent", _("The candidate did not join")
        INTERVIEWERS_ABSENT = "interviewers_absent", _("The interviewers did not join")
        ENDED_EARLY = "ended_early", _("Ended early")

    meeting = models.OneToOneField(
        ZoomMeeting, verbose_name=_("Zoom meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+")
    rescue = models.BooleanField(_("waiting guests are reported"), default=True)
    checked_at = models.DateTimeField(_("due check done at"), null=True, blank=True)
    started_at = models.DateTimeField(_("meeting started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("meeting ended at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices, blank=True, default="")
    longest_wait_seconds = models.PositiveIntegerField(_("longest a guest waited (seconds)"), null=True, blank=True)
    participants_purged_at = models.DateTimeField(_("participant details removed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["-id"]
        indexes = [models.Index(fields=["company", "ended_at"], name="attendance_company_ended")]

    def __str__(self) -> str:
        return f"{self.meeting} ({self.get_outcome_display()})"


class Participation(models.Model):
    """One participant of one meeting, folded from their events in whatever order they came: the times
    only ever move forward (the latest join, the latest leave), so a late or repeated event changes
    nothing it should not."""

    class Role(models.TextChoices):
        PERSON = "person", _("Interviewer")  # the host, an alternative host or a linked participant
        GUEST = "guest", _("Guest")

    class Waiting(models.TextChoices):
        NONE = "", _("Not waiting")
        WAITING_ROOM = "waiting_room", _("In the waiting room")
        BEFORE_HOST = "before_host", _("Waiting for the host to start")

    attendance = models.ForeignKey(
        MeetingAttendance, verbose_name=_("attendance"), on_delete=models.CASCADE, related_name="participations"
    )
    key = models.CharField(_("participant key"), max_length=200)
    zoom_user_id = models.CharField(_("Zoom user id"), max_length=64, blank=True, default="")
    name = models.CharField(_("name shown in Zoom"), max_length=200, blank=True, default="")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    first_seen_at = models.DateTimeField(_("first seen at"))
    joined_at = models.DateTimeField(_("joined at (latest)"), null=True, blank=True)
    first_joined_at = models.DateTimeField(_("first joined at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at (latest)"), null=True, blank=True)
    waiting = models.CharField(_("waiting"), max_length=16, choices=Waiting.choices, blank=True, default="")
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    waiting_ended_at = models.DateTimeField(_("stopped waiting at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["first_seen_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attendance", "key"], name="participation_attendance_key_unique")
        ]

    def __str__(self) -> str:
        return self.name or self.key

    @property
    def is_inside(self) -> bool:
        return self.joined_at is not None and (self.left_at is None or self.left_at < self.joined_at)

    @property
    def is_waiting(self) -> bool:
        return self.waiting_since is not None and (
            self.waiting_ended_at is None or self.waiting_ended_at < self.waiting_since
        )


class ParticipantEvent(models.Model):
    """The dedupe key of a participant event: Zoom re-sends events whose bodies differ, so the body's
    hash cannot tell them apart; (event, meeting instance, participant, the event's own time) can."""

    attendance = models.ForeignKey(MeetingAttendance, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=64)
    meeting_uuid = models.CharField(max_length=100)
    participant_key = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "meeting_uuid", "participant_key", "at"], name="participantevent_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.participant_key} {self.at:%Y-%m-%d %H:%M:%S}"


class WaitingIncident(models.Model):
    """A guest waited and none of the interview's people was there: one per incident, told once to the
    host, the alternative hosts and the interview's creator; it closes itself when one of them joins."""

    class Cause(models.TextChoices):
        WAITING_ROOM = "waiting_room", _("The candidate is in the waiting room")
        BEFORE_HOST = "before_host", _("The candidate is waiting for the host to start")
        ALONE = "alone", _("The candidate is in the meeting with no interviewer")

    attendance = models.ForeignKey(
        MeetingAttendance, verbose_name=_("attendance"), on_delete=models.CASCADE, related_name="incidents"
    )
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices)
    guest_name = models.CharField(_("guest's name in Zoom"), max_length=200, blank=True, default="")
    waiting_since = models.DateTimeField(_("waiting since"))
    opened_at = models.DateTimeField(_("reported at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=200, blank=True, default="")
    waited_seconds = models.PositiveIntegerField(_("waited (seconds)"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting guest")
        verbose_name_plural = _("waiting guests")
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One open incident per meeting: a second guest waiting joins the same call for help.
            models.UniqueConstraint(
                fields=["attendance"], condition=Q(closed_at__isnull=True), name="waitingincident_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_cause_display()} ({self.opened_at:%Y-%m-%d %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
