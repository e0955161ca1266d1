"""The company's Zoom connection (外部サービス連携): grants, the installation and its audit log.

Status fields are TextChoices and every transition is a model method that guards itself and sets
every dependent field together (STYLE rule 5). Callers that may race (views, tasks) call them on a row
they locked with ``select_for_update`` inside ``transaction.atomic``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from herp.models import Company, User
from integrations import signals
from integrations.crypto import Binding, TokenField, decrypt_token, encrypt_token

logger = logging.getLogger(__name__)


class NotCompanyAdmin(PermissionDenied):
    """Only an admin of the installation's company may do this (a 403 if it reaches a view)."""


class InvalidConnection(Exception):
    """``ZoomInstallation.complete`` was given an account, grant or installer that cannot connect it."""


class IllegalTransition(Exception):
    """A status change that the current status does not allow. The message names both."""

    def __init__(self, model: str, action: str, status: str) -> None:
        super().__init__(f"{model}: cannot {action} from status {status!r}.")
        self.action = action
        self.status = status


class LossReason(models.TextChoices):
    """Why a grant died or a connection needs an admin, stored as a code beside the human ``last_error``
    so that pages and e-mails pick their words from the code, never from a log message. The labels are
    what an admin reads."""

    NONE = "", _("None")
    REFRESH_REFUSED = "refresh_refused", _("Zoom no longer accepts the authorization (its refresh was refused).")
    TOKENS_REFUSED = "tokens_refused", _("Zoom refused the authorization's tokens.")
    TOKEN_UNREADABLE = (
        "token_unreadable",
        _("A stored token could not be read (a configuration problem for the operators)."),
    )
    APP_REMOVED = "app_removed", _("The HERP app was removed from the Zoom user's apps in Zoom.")
    LEFT_ACCOUNT = "left_account", _("The Zoom user is no longer in the company's Zoom account.")
    UNUSED = "unused", _("Nothing in HERP uses the authorization any more.")
    INSTALLER_DEACTIVATED = (
        "installer_deactivated",
        _("The person who connected Zoom was deactivated in HERP (or their account was deleted)."),
    )
    OTHER = "other", _("Another problem (see the details).")


# --- ZoomGrant -------------------------------------------------------------------------------------


class ZoomGrant(models.Model):
    """One Zoom user's OAuth grant for our app. Zoom keeps one live grant per Zoom user and app, so
    there is one row per Zoom user: the installation and a personal link of the same Zoom user share it.

    ``access_token`` and ``refresh_token`` hold ciphertext (integrations.crypto), bound to this row's
    company, Zoom user and field. ``token_version`` increases on every write of the pair; writers
    compare-and-set on it so a stale writer cannot put back a dead pair (RELIABILITY T08).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INVALID = "invalid", _("Invalid")
        REVOKED = "revoked", _("Revoked")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="zoom_grants"
    )
    zoom_user_id = models.CharField(_("Zoom user id"), max_length=64, unique=True)
    access_token = models.TextField(_("access token (encrypted)"), blank=True, default="", editable=False)
    refresh_token = models.TextField(_("refresh token (encrypted)"), blank=True, default="", editable=False)
    expires_at = models.DateTimeField(_("access token expires at"), null=True, blank=True)
    token_version = models.PositiveIntegerField(_("token version"), default=0)
    scopes = models.JSONField(_("granted scopes"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    reason = models.CharField(_("reason"), max_length=32, choices=LossReason.choices, blank=True, default="")
    last_refreshed_at = models.DateTimeField(_("last refreshed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Zoom grant")
        verbose_name_plural = _("Zoom grants")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Zoom user {self.zoom_user_id} ({self.get_status_display()})"

    # Tokens -----------------------------------------------------------------------------------

    def binding(self, field: TokenField) -> Binding:
        return Binding(company_id=self.company_id, zoom_user_id=self.zoom_user_id, field=field)

    def encrypt(self, field: TokenField, token: str) -> str:
        return encrypt_token(token, self.binding(field))

    def decrypt_access_token(self) -> str:
        """Raises integrations.crypto.TokenDecryptError; callers fail closed (tokens.py)."""
        return decrypt_token(self.access_token, self.binding("access_token"))

    def decrypt_refresh_token(self) -> str:
        return decrypt_token(self.refresh_token, self.binding("refresh_token"))

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def expires_within(self, margin_seconds: float, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return True
        now = now or timezone.now()
        return (self.expires_at - now).total_seconds() <= margin_seconds

    # Transitions ------------------------------------------------------------------------------

    def invalidate(self, reason: LossReason, detail: str = "") -> bool:
        """active → invalid: the grant can no longer be refreshed or decrypted; it needs a new
        authorization. Tokens are kept (they are dead or unreadable, and an operator may want to
        look at the row); nothing will use them. Returns False when already invalid.

        Only ``integrations.grants.grant_invalidate`` calls this: it also records, alerts and signals."""
        if self.status == self.Status.INVALID:
            return False
        if self.status != self.Status.ACTIVE:
            raise IllegalTransition("ZoomGrant", "invalidate", self.status)
        self.status = self.Status.INVALID
        self.reason = reason
        self.last_error = _short(detail or str(reason.label))
        self.save(update_fields=["status", "reason", "last_error", "updated_at"])
        return True

    def revoke(self, reason: LossReason) -> bool:
        """active/invalid → revoked: tokens wiped, row kept for history (the installation, links and
        meetings still point at it). Calling Zoom's revoke endpoint is the caller's job, before this.
        Returns False when already revoked. Only ``integrations.grants.grant_revoke`` calls this."""
        if self.status == self.Status.REVOKED:
            return False
        self.status = self.Status.REVOKED
        self.reason = reason
        self.access_token = ""
        self.refresh_token = ""
        self.expires_at = None
        # A writer holding the previous version must not put the wiped tokens back.
        self.token_version += 1
        self.save(
            update_fields=[
                "status",
                "reason",
                "access_token",
                "refresh_token",
                "expires_at",
                "token_version",
                "updated_at",
            ]
        )
        return True

    def reactivate(self) -> None:
        """A new authorization gave this Zoom user fresh tokens: whatever it was, it is active again."""
        self.status = self.Status.ACTIVE
        self.reason = LossReason.NONE
        self.last_error = ""


# --- ZoomInstallation ------------------------------------------------------------------------------


class ZoomInstallationQuerySet(models.QuerySet["ZoomInstallation"]):
    def for_company(self, company: Company) -> ZoomInstallation:
        """The company's installation, created not_connected on first use."""
        installation, _ = self.get_or_create(company=company)
        return installation


class ZoomInstallation(models.Model):
    """The company's connection to one Zoom account (one row per company).

    The installer is the HERP admin whose Zoom user authorized the app; their grant reads the account id
    and is the fallback host. ``zoom_account_id`` is unique among rows that hold one: a Zoom account
    serves one company.
    """

    class Status(models.TextChoices):
        NOT_CONNECTED = "not_connected", _("Not connected")
        AUTHORIZING = "authorizing", _("Authorizing")
        PRE_APPROVAL_REQUESTED = "pre_approval_requested", _("Pre-approval requested")
        CONNECTED = "connected", _("Connected")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")
        REVOKED = "revoked", _("Revoked")

    company = models.OneToOneField(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="zoom_installation"
    )
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.NOT_CONNECTED)
    zoom_account_id = models.CharField(_("Zoom account id"), max_length=64, blank=True, default="")
    installer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("installer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    grant = models.ForeignKey(
        ZoomGrant,
        verbose_name=_("installer's grant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="installations",
    )
    installer_zoom_email = models.EmailField(_("installer's Zoom e-mail"), blank=True, default="")
    pre_approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pre-approval requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pre_approval_requested_at = models.DateTimeField(_("pre-approval requested at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last connection attempt"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=32, choices=LossReason.choices, blank=True, default="")
    last_error = models.TextField(_("last error"), blank=True, default="")
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ZoomInstallationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zoom installation")
        verbose_name_plural = _("Zoom installations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["zoom_account_id"],
                condition=~Q(zoom_account_id=""),
                name="zoominstallation_account_unique_when_set",
                violation_error_message=_("This Zoom account is already connected to another company."),
            ),
            # The states that show a Zoom account have one; not_connected holds none (Disconnect frees
            # the account for another company). authorizing/pre_approval_requested may hold one: a
            # reconnect after a revocation keeps the company's account meanwhile.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["connected", "needs_reconnect", "revoked"], zoom_account_id__gt="")
                    | Q(status="not_connected", zoom_account_id="")
                    | Q(status__in=["authorizing", "pre_approval_requested"])
                ),
                name="zoominstallation_account_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.get_status_display()}"

    # States where the company is attached to a Zoom account (links keep working for hosting while
    # connected; needs_reconnect/revoked only lack the fallback host).
    ATTACHED = (Status.CONNECTED, Status.NEEDS_RECONNECT, Status.REVOKED)

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED

    @property
    def shows_reconnect(self) -> bool:
        return self.status in (self.Status.NEEDS_RECONNECT, self.Status.REVOKED)

    def _require_company_admin(self, user: User | None, action: str) -> None:
        if user is None or user.company_id != self.company_id or not user.is_company_admin:
            raise NotCompanyAdmin(f"ZoomInstallation: only an admin of this company may {action}.")

    def start_connect(self, by: User) -> None:
        """The admin pressed Connect, Retry or Reconnect.

        not_connected/revoked → authorizing. Elsewhere the status stays (a reconnect of a connected or
        needs_reconnect company keeps serving its links meanwhile; a retry while authorizing or waiting
        for pre-approval keeps what the card explains) and only the attempt is recorded.
        """
        self._require_company_admin(by, "connect Zoom")
        now = timezone.now()
        fields = ["last_attempt_at", "updated_at"]
        self.last_attempt_at = now
        if self.status in (self.Status.NOT_CONNECTED, self.Status.REVOKED):
            self.status = self.Status.AUTHORIZING
            self.reason = LossReason.NONE
            self.last_error = ""
            fields += ["status", "reason", "last_error"]
        self.save(update_fields=fields)

    def mark_pre_approval_requested(self, by: User) -> None:
        """The admin says they pressed Zoom's 「事前に承認をとるためのリクエスト」: authorizing →
        pre_approval_requested (again from pre_approval_requested records the newer request)."""
        self._require_company_admin(by, "record a pre-approval request")
        if self.status not in (self.Status.AUTHORIZING, self.Status.PRE_APPROVAL_REQUESTED):
            raise IllegalTransition("ZoomInstallation", "record a pre-approval request", self.status)
        self.status = self.Status.PRE_APPROVAL_REQUESTED
        self.pre_approval_requested_by = by
        self.pre_approval_requested_at = timezone.now()
        self.save(update_fields=["status", "pre_approval_requested_by", "pre_approval_requested_at", "updated_at"])

    def complete(self, grant: ZoomGrant, account_id: str, installer: User, email: str) -> None:
        """The handshake succeeded: → connected with this account, installer and grant.

        Legal from every state but not_connected (an admin disconnected meanwhile: the attempt no
        longer stands). Reconnecting to another Zoom account than before is allowed here; the signal
        carries ``previous_account_id`` so that links of the old account can be invalidated.
        """
        if self.status == self.Status.NOT_CONNECTED:
            raise IllegalTransition("ZoomInstallation", "complete the connection", self.status)
        if not account_id:
            raise InvalidConnection("ZoomInstallation.complete needs the Zoom account id.")
        if grant.company_id != self.company_id or not grant.is_active:
            raise InvalidConnection("ZoomInstallation.complete needs an active grant of this company.")
        if installer is None or installer.company_id != self.company_id:
            raise InvalidConnection("ZoomInstallation.complete needs an installer of this company.")
        previous_account_id = self.zoom_account_id
        self.status = self.Status.CONNECTED
        self.zoom_account_id = account_id
        self.grant = grant
        self.installer = installer
        self.installer_zoom_email = email or ""
        self.connected_at = timezone.now()
        self.reason = LossReason.NONE
        self.last_error = ""
        self.pre_approval_requested_by = None
        self.pre_approval_requested_at = None
        self.save()
        signals.send_on_commit(
            signals.installation_connected,
            ZoomInstallation,
            installation=self,
            company_id=self.company_id,
            zoom_account_id=account_id,
            previous_account_id=previous_account_id,
            grant_id=grant.pk,
        )

    def disconnect(self, by: User) -> None:
        """A deliberate admin act: → not_connected, account id cleared, nothing revoked (zoom's upkeep
        revokes grants nothing uses any more). Personal links are suspended by zoom on the signal."""
        self._require_company_admin(by, "disconnect Zoom")
        if self.status == self.Status.NOT_CONNECTED:
            raise IllegalTransition("ZoomInstallation", "disconnect", self.status)
        previous_account_id = self.zoom_account_id
        previous_grant_id = self.grant_id
        self.status = self.Status.NOT_CONNECTED
        self.zoom_account_id = ""
        self.grant = None
        self.installer = None
        self.installer_zoom_email = ""
        self.connected_at = None
        self.reason = LossReason.NONE
        self.last_error = ""
        self.pre_approval_requested_by = None
        self.pre_approval_requested_at = None
        self.save()
        signals.send_on_commit(
            signals.installation_disconnected,
            ZoomInstallation,
            installation=self,
            company_id=self.company_id,
            previous_account_id=previous_account_id,
            previous_grant_id=previous_grant_id,
            actor_id=by.pk,
        )

    def mark_needs_reconnect(self, reason: LossReason, detail: str = "") -> bool:
        """connected → needs_reconnect: the installer's grant failed (invalid_grant, Zoom 4735, the
        installer left the account). Returns False when already so (admins are told once). Only
        ``integrations.grants`` calls this: it also records, alerts and signals."""
        if self.status == self.Status.NEEDS_RECONNECT:
            return False
        if self.status != self.Status.CONNECTED:
            raise IllegalTransition("ZoomInstallation", "mark as needing reconnect", self.status)
        self._set_reason(self.Status.NEEDS_RECONNECT, reason, detail)
        return True

    def mark_revoked(self, reason: LossReason, detail: str = "") -> bool:
        """connected/needs_reconnect → revoked: the installer removed the app in Zoom
        (``app_deauthorized``). The account id stays until the admin reconnects or disconnects.
        Returns False when already revoked."""
        if self.status == self.Status.REVOKED:
            return False
        if self.status not in (self.Status.CONNECTED, self.Status.NEEDS_RECONNECT):
            raise IllegalTransition("ZoomInstallation", "mark as revoked", self.status)
        self._set_reason(self.Status.REVOKED, reason, detail)
        return True

    def _set_reason(self, status: str, reason: LossReason, detail: str) -> None:
        self.status = status
        self.reason = reason
        self.last_error = _short(detail or str(reason.label))
        self.save(update_fields=["status", "reason", "last_error", "updated_at"])


# --- IntegrationEvent ------------------------------------------------------------------------------

# Keys whose values must never be stored, whatever a caller passes: the audit log is read by support
# staff and outlives every token. Matching is on the lower-cased key.
_SECRET_KEY_PARTS = ("token", "secret", "verifier", "password", "authorization", "cookie", "credential")
_SECRET_KEYS = {"code", "auth_code", "authorization_code", "state", "pkce", "zak"}
# Zoom's tokens look like JWTs; a value of that shape is dropped even under an innocent key.
_JWT_SHAPE = re.compile(r"^eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]+$")
REDACTED = "[redacted]"


def scrub(value: Any) -> Any:
    """``value`` with secret-looking keys and token-shaped strings replaced (recursively)."""
    if isinstance(value, dict):
        return {str(key): (REDACTED if _is_secret_key(str(key)) else scrub(item)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str) and _JWT_SHAPE.match(value):
        return REDACTED
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in _SECRET_KEYS or any(part in lowered for part in _SECRET_KEY_PARTS)


class AppendOnly(Exception):
    """An audit event was asked to change or go."""


class IntegrationEvent(models.Model):
    """Append-only audit log of the connection: who did what, and why it failed. Rows are never
    updated or deleted through the ORM; ``record`` scrubs anything that looks like a secret."""

    class Kind(models.TextChoices):
        CONNECT_STARTED = "connect_started", _("Connection started")
        PRE_APPROVAL_REQUESTED = "pre_approval_requested", _("Pre-approval requested")
        CONNECTED = "connected", _("Connected")
        CONNECT_FAILED = "connect_failed", _("Connection failed")
        CONNECT_REFUSED = "connect_refused", _("Connection refused")
        CALLBACK_REJECTED = "callback_rejected", _("Callback rejected")
        DISCONNECTED = "disconnected", _("Disconnected")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")
        REVOKED = "revoked", _("Revoked in Zoom")
        GRANT_INVALIDATED = "grant_invalidated", _("Grant invalidated")
        GRANT_REVOKED = "grant_revoked", _("Grant revoked")
        TOKEN_DECRYPT_FAILED = "token_decrypt_failed", _("Stored token unreadable")
        ZOOM_USER_LINKED = "zoom_user_linked", _("Zoom user linked")
        ZOOM_USER_LINK_REFUSED = "zoom_user_link_refused", _("Zoom user link refused")
        ZOOM_USER_UNLINKED = "zoom_user_unlinked", _("Zoom user unlinked")
        ZOOM_USER_INVALIDATED = "zoom_user_invalidated", _("Zoom link invalidated")
        MEMBERS_REMINDED = "members_reminded", _("Unlinked people reminded")
        MEETING_CHANGED_IN_ZOOM = "meeting_changed_in_zoom", _("Interview meeting changed in Zoom")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="integration_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("integration event")
        verbose_name_plural = _("integration events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "kind", "-created_at"], name="integrationevent_company_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.company_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("IntegrationEvent is append-only: an event cannot be changed once recorded.")
        self.details = scrub(self.details or {})
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("IntegrationEvent is append-only: an event cannot be deleted.")

    @classmethod
    def record(
        cls, company: Company | int, kind: IntegrationEvent.Kind, *, actor: User | None = None, **details: Any
    ) -> IntegrationEvent:
        company_id = company if isinstance(company, int) else company.pk
        return cls.objects.create(company_id=company_id, actor=actor, kind=kind, details=scrub(details))


def _short(reason: str) -> str:
    return (reason or "").strip()[:500]
