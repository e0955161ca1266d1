"""Zoom's side of the world: accounts, users, the product's OAuth app, codes, grants, and test switches.

These rows live in the ``zoom_emulator`` database (see router.py). Tokens are stored in clear: this is a
stand-in for Zoom on a developer machine, and tests need to look them up.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.timezone import now


class Account(models.Model):
    account_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    # Zoom's Marketplace policy "apps must be pre-approved by an admin" (oauth.consent_outcome enforces it).
    requires_preapproval = models.BooleanField(default=False)
    # Zoom's "email notifications for app requests"; an admin may turn them off, and then no e-mail comes.
    notify_app_requests = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id})"

    @property
    def account_number(self) -> int:
        # Zoom shows a numeric account number beside the id; derived so it never needs seeding.
        return int.from_bytes(self.account_id.encode()[:4], "big") % 10**9


class User(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    class Type(models.IntegerChoices):
        BASIC = 1, "Basic"
        LICENSED = 2, "Licensed"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        PENDING = "pending", "Pending"

    user_id = models.CharField(max_length=32, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    type = models.PositiveSmallIntegerField(choices=Type.choices, default=Type.LICENSED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    timezone = models.CharField(max_length=64, default="Asia/Tokyo")
    language = models.CharField(max_length=16, default="ja-JP")
    pmi = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=now)
    # Zoom's "meeting hosting and scheduling capabilities": off → 3161 on meeting endpoints.
    hosting_allowed = models.BooleanField(default=True)
    # The user's own values for unlocked meeting settings (keys of meetings.USER_SETTINGS); a locked
    # account setting wins over them, as in Zoom's account > group > user hierarchy.
    setting_overrides = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["account_id", "pk"]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def initials(self) -> str:
        # The web portal's stand-in for a profile picture: Zoom shows initials when none was uploaded.
        letters = (self.first_name[:1] + self.last_name[:1]) or self.email[:1]
        return letters.upper()

    @property
    def role_name(self) -> str:
        return self.Role(self.role).label

    @property
    def role_id(self) -> str:
        # Zoom's sample shows "0" for Owner; 1 and 2 follow Zoom's default role order.
        return {self.Role.OWNER: "0", self.Role.ADMIN: "1", self.Role.MEMBER: "2"}[self.Role(self.role)]


class App(models.Model):
    class Management(models.TextChoices):
        USER = "user", "User-managed"
        ADMIN = "admin", "Admin-managed"

    name = models.CharField(max_length=200)
    client_id = models.CharField(max_length=64, unique=True)
    client_secret = models.CharField(max_length=128)
    management = models.CharField(max_length=10, choices=Management.choices, default=Management.USER)
    redirect_uris = models.JSONField(default=list)
    scopes = models.JSONField(default=list)
    webhook_secret_token = models.CharField(max_length=128, blank=True)
    event_url = models.CharField(max_length=500, blank=True)
    access_token_ttl = models.PositiveIntegerField(default=3599)
    # Whether deleting a Zoom user who authorized the app sends ``app_deauthorized``. Zoom documents the event
    # for uninstalls and revokes only; for a deleted user of a user-managed app it is unconfirmed, so the
    # default is off (the product then learns of it through a failing refresh) and a test may turn it on.
    deauthorize_on_user_delete = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    def allows_redirect(self, redirect_uri: str) -> bool:
        # Zoom compares against the allow-list character for character: no prefix or trailing-slash leniency.
        return bool(redirect_uri) and redirect_uri in self.redirect_uris


class AuthorizationCode(models.Model):
    class Method(models.TextChoices):
        S256 = "S256", "S256"
        PLAIN = "plain", "plain"

    code = models.CharField(max_length=128, unique=True)
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="codes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="codes")
    redirect_uri = models.CharField(max_length=500)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=5, choices=Method.choices, blank=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.user} → {self.app.name}"


class Grant(models.Model):
    """The one live authorization of an app by a Zoom user: only its current tokens work."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    access_token = models.CharField(max_length=255, unique=True, null=True, blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = models.CharField(max_length=255, unique=True, null=True, blank=True)
    scopes = models.JSONField(default=list)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "app"], name="zoom_emulator_one_grant_per_user_app")]

    def __str__(self) -> str:
        return f"{self.user} → {self.app.name}"


class Preapproval(models.Model):
    """An app pre-approved for a whole account: every Zoom user of it may then authorize the app."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="preapprovals")
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="preapprovals")
    # Who pressed the button; kept as an e-mail so that deleting that user leaves the record readable.
    approved_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "app"], name="zoom_emulator_one_preapproval")]

    def __str__(self) -> str:
        return f"{self.app.name} pre-approved for {self.account.name}"


class PreapprovalRequest(models.Model):
    """A member's "request pre-approval" for an app, waiting in the account's Marketplace App Requests."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="preapproval_requests")
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="preapproval_requests")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="preapproval_requests")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=now)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One waiting request per user and app: pressing the button again changes nothing.
            models.UniqueConstraint(
                fields=["account", "app", "user"],
                condition=models.Q(status="pending"),
                name="zoom_emulator_one_pending_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} asks for {self.app.name} ({self.status})"


class OutboxEmail(models.Model):
    """An e-mail Zoom "sent": kept here instead, for people and tests to read."""

    sender = models.CharField(max_length=254, default="noreply@zoom.us")
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Call(models.Model):
    """One request the emulator answered. Never holds a token, code, secret or query string."""

    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    endpoint = models.CharField(max_length=64, db_index=True)
    status_code = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code}"


class Fault(models.Model):
    """A switch that makes an endpoint misbehave. Kept in the database so every process sees it."""

    class Kind(models.TextChoices):
        SERVER_ERROR = "server_error", "Return a 5xx"
        RATE_LIMIT = "rate_limit", "Return 429"
        DELAY = "delay", "Delay the response"
        # The value keeps its token-era name; on API endpoints the "work" is making or changing the meeting.
        ROTATE_THEN_DROP = "rotate_then_drop", "Do the work (rotate tokens, make the meeting), then drop the response"
        # Switches on webhook deliveries (endpoint ``webhooks``): each applies to the next N events sent.
        WEBHOOK_DELAY = "webhook_delay", "Delay the webhook's first attempt"
        WEBHOOK_DUPLICATE = "webhook_duplicate", "Deliver the same webhook body several times"
        WEBHOOK_REORDER = "webhook_reorder", "Hold a webhook and send it after the following one"

    endpoint = models.CharField(max_length=64, default="oauth.token")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delay_ms = models.PositiveIntegerField(null=True, blank=True)
    # None: applies until cleared. A positive number: applies to that many more calls.
    remaining = models.PositiveIntegerField(null=True, blank=True)
    # A 5xx "rate": the share of calls (0 < p <= 1) the switch hits; a call it spares does not count.
    probability = models.FloatField(null=True, blank=True)
    # A 429 burst's Retry-After in seconds (Zoom's per-second limit answers seconds, not a date).
    retry_after = models.PositiveIntegerField(null=True, blank=True)
    # A duplicate switch: how many deliveries each event it hits becomes (2 = the body arrives twice).
    copies = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        if self.kind in (self.Kind.WEBHOOK_DELAY, self.Kind.WEBHOOK_DUPLICATE, self.Kind.WEBHOOK_REORDER):
            times = "until cleared" if self.remaining is None else f"{self.remaining} more event(s)"
            if self.kind == self.Kind.WEBHOOK_DELAY:
                detail = f" {(self.delay_ms or 0) / 1000:g} s"
            elif self.kind == self.Kind.WEBHOOK_DUPLICATE:
                detail = f" × {self.copies}"
            else:
                detail = ""
            return f"webhooks: {self.get_kind_display()}{detail} ({times})"
        times = "until cleared" if self.remaining is None else f"{self.remaining} more call(s)"
        detail = f" {self.delay_ms} ms" if self.kind == self.Kind.DELAY else f" → {self.status_code}"
        if self.probability is not None:
            detail += f" at {self.probability:.0%} of calls"
        if self.retry_after is not None:
            detail += f", Retry-After {self.retry_after} s"
        return f"{self.endpoint}: {self.get_kind_display()}{detail} ({times})"


class WebhookDelivery(models.Model):
    """One event sent to one app's event URL, with Zoom's retries (webhooks.py). ``status_code`` and ``error``
    hold the latest attempt's outcome; each attempt is a ``WebhookAttempt``."""

    class State(models.TextChoices):
        # Due now (``next_attempt_at``): the first attempt, or a retry that a restart lost.
        PENDING = "pending", "Pending"
        # An attempt is in flight; ``next_attempt_at`` is its lease, after which ``deliver_due`` may take over.
        SENDING = "sending", "Sending"
        RETRYING = "retrying", "Waiting to retry"
        # Held back by a reorder switch: sent once the app's following delivery has had its first attempt.
        HELD = "held", "Held (reordered)"
        DELIVERED = "delivered", "Delivered"
        # Every attempt failed (or the one attempt of a url_validation): Zoom drops the event.
        DROPPED = "dropped", "Dropped"

    client_id = models.CharField(max_length=64)
    url = models.CharField(max_length=500)
    event = models.CharField(max_length=100)
    body = models.TextField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Zoom does not retry its url_validation challenge; events are retried.
    retry = models.BooleanField(default=True)
    resent_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.event} → {self.url} ({self.status_code or self.error or self.state})"

    @property
    def delivered(self) -> bool:
        return self.state == self.State.DELIVERED

    @property
    def data(self) -> Any:
        """The body as JSON (what the app receives)."""
        return json.loads(self.body)


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, what came back (or what went wrong), and when the next one is due."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # None after a success or the last attempt.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="zoom_emulator_one_attempt_per_number")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class MeetingPolicy(models.Model):
    """An account's meeting settings and their locks (Zoom: Account Settings > Meeting, each with a padlock).

    A locked setting is forced on every user and every meeting; an unlocked one is the default a user may
    change (``User.setting_overrides``) and a meeting may ask otherwise."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="meeting_policy")
    waiting_room = models.BooleanField(default=False)
    waiting_room_locked = models.BooleanField(default=False)
    join_before_host = models.BooleanField(default=True)
    join_before_host_locked = models.BooleanField(default=False)
    embed_password_in_join_link = models.BooleanField(default=True)
    embed_password_in_join_link_locked = models.BooleanField(default=False)
    require_password = models.BooleanField(default=True)
    require_password_locked = models.BooleanField(default=False)
    # Zoom's meeting_password_requirement.
    password_min_length = models.PositiveSmallIntegerField(default=6)
    password_have_letter = models.BooleanField(default=False)
    password_have_number = models.BooleanField(default=False)
    password_only_numeric = models.BooleanField(default=False)
    # "Require that all meetings are secured with one security option" (on and locked on most plans).
    require_security_option = models.BooleanField(default=True)
    # Meeting create+update requests per host per UTC day (Zoom: 100).
    daily_limit = models.PositiveIntegerField(default=100)
    # Zoom sometimes answers the daily-limit 429 without Retry-After (devforum 18928).
    omit_retry_after = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"meeting settings of {self.account}"


class Meeting(models.Model):
    """A scheduled meeting. Deleting keeps the row (``deleted_at``) so the admin page can show it went."""

    meeting_id = models.BigIntegerField(unique=True)
    uuid = models.CharField(max_length=32, unique=True)
    host = models.ForeignKey(User, on_delete=models.CASCADE, related_name="meetings")
    topic = models.CharField(max_length=200, blank=True)
    type = models.PositiveSmallIntegerField(default=2)
    start_time = models.DateTimeField(null=True, blank=True)
    duration = models.PositiveIntegerField(default=60)
    timezone = models.CharField(max_length=64, blank=True)
    agenda = models.TextField(blank=True)
    password = models.CharField(max_length=10, blank=True)
    encrypted_password = models.CharField(max_length=64, blank=True)
    # Whether join_url carries ?pwd=: decided from the host's setting when the meeting was written.
    embed_password = models.BooleanField(default=True)
    # The effective settings object as Zoom answers it.
    settings = models.JSONField(default=dict)
    # The last zak handed out in a start_url; /s/{id} accepts only it.
    zak = models.CharField(max_length=128, blank=True)
    # When the live instance started (the host, an alternative host or a join-before-host guest opened
    # it); None while nobody has started it and again after it ended.
    started_at = models.DateTimeField(null=True, blank=True)
    # The uuid of the live instance, or of the next one while none is live: blank means the meeting's own
    # ``uuid`` (its first instance); every instance after an end draws a new one (participants.py).
    instance_uuid = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.topic}"

    @property
    def current_uuid(self) -> str:
        return self.instance_uuid or self.uuid


class MeetingCounter(models.Model):
    """Meeting creates+updates of one host on one UTC day (Zoom's daily limit counts per host user)."""

    host = models.ForeignKey(User, on_delete=models.CASCADE, related_name="meeting_counters")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["host", "day"], name="zoom_emulator_one_counter_per_day")]

    def __str__(self) -> str:
        return f"{self.host} {self.day}: {self.count}"


class Participant(models.Model):
    """One person's one visit to a meeting (participants.py): from the join page or the start link, until
    they leave or the meeting ends. A rejoin is a new visit, as Zoom gives it a new ``user_id``."""

    class Role(models.TextChoices):
        HOST = "host", "Host"
        ALTERNATIVE_HOST = "alternative_host", "Alternative host"
        ATTENDEE = "attendee", "Attendee"

    class State(models.TextChoices):
        WAITING_FOR_HOST = "waiting_for_host", "Waiting for the host"
        WAITING_ROOM = "waiting_room", "In the waiting room"
        IN_MEETING = "in_meeting", "In the meeting"
        LEFT = "left", "Left"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    # The instance this visit belongs to (Meeting.current_uuid when they came).
    instance_uuid = models.CharField(max_length=32)
    # Zoom's ``participant_uuid`` (identifies the participant within the meeting) and ``user_id`` (a number
    # for this session, not a Zoom user id).
    participant_uuid = models.CharField(max_length=36, unique=True)
    session_number = models.CharField(max_length=16)
    # Set when they joined signed in to Zoom: ``participant.id`` is then their Zoom user id, else "".
    zoom_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ATTENDEE)
    state = models.CharField(max_length=20, choices=State.choices)
    # The secret in the address of this visit's page (/zoom-emulator/m/{key}/): whoever holds it is this person.
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} in {self.meeting.meeting_id} ({self.state})"

    @property
    def participant_id(self) -> str:
        """Zoom's ``participant.id``: the Zoom user id when signed in, else an empty string."""
        return self.zoom_user.user_id if self.zoom_user is not None else ""

    @property
    def is_host(self) -> bool:
        return self.role in (self.Role.HOST, self.Role.ALTERNATIVE_HOST)
