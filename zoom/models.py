"""A person's linked Zoom user (外部サービスアカウント)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
