"""Upkeep: keeps connections alive and finds out first when one dies (issue 6, DESIGN.md "Upkeep").

Run by beat (``zoom.tasks.upkeep_task``) and by hand (``manage.py zoom_upkeep``):
- refresh every grant whose refresh token has not been used for a while, before Zoom lets it go stale;
- re-check every active link and every installer with ``GET /users/me``: a Zoom user moved out of the
  company's account makes the link invalid (owner told) or the connection needs_reconnect (admins told);
- revoke at Zoom, and mark revoked, grants that nothing uses any more.

Each step works grant by grant and records what it did; a failure of one never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations import grants, oauth, tokens
from integrations.crypto import TokenDecryptError
from integrations.models import LossReason, ZoomGrant, ZoomInstallation
from integrations.zoom_api import client as zoom_client
from integrations.zoom_api.errors import GrantUnavailable, OAuthError, OAuthInvalidGrant, ZoomAuthError, ZoomError
from zoom.attendance import attendance_purge
from zoom.models import ZoomMeeting, ZoomUser
from zoom.services import links_invalidate

logger = logging.getLogger(__name__)

# Zoom's refresh tokens may go stale when unused for months (NOTES section 1: "~90 days is common");
# refreshing any grant untouched for two weeks keeps a wide margin.
REFRESH_AFTER = timedelta(days=14)


@dataclass
class UpkeepReport:
    refreshed: int = 0
    rechecked: int = 0
    links_invalidated: int = 0
    installations_flagged: int = 0
    revoked: int = 0
    attendances_purged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_line(self) -> str:
        return (
            f"refreshed={self.refreshed} rechecked={self.rechecked} links_invalidated={self.links_invalidated} "
            f"installations_flagged={self.installations_flagged} revoked={self.revoked} "
            f"attendances_purged={self.attendances_purged} errors={len(self.errors)}"
        )


def upkeep_run() -> UpkeepReport:
    report = UpkeepReport()
    grants_refresh_stale(report)
    links_recheck(report)
    installers_recheck(report)
    grants_revoke_unused(report)
    report.attendances_purged = attendance_purge()
    logger.info("Zoom upkeep: %s", report.as_line())
    return report


def grants_refresh_stale(report: UpkeepReport) -> None:
    cutoff = timezone.now() - REFRESH_AFTER
    stale = ZoomGrant.objects.filter(status=ZoomGrant.Status.ACTIVE).filter(
        Q(last_refreshed_at__lt=cutoff) | Q(last_refreshed_at__isnull=True, created_at__lt=cutoff)
    )
    for grant_id in stale.values_list("pk", flat=True):
        try:
            current = ZoomGrant.objects.get(pk=grant_id).decrypt_access_token()
            # Passing the current token as "rejected" forces one single-flight refresh.
            tokens.get_access_token(grant_id, rejected_token=current)
            report.refreshed += 1
        except (ZoomError, TokenDecryptError) as exc:
            report.errors.append(f"grant {grant_id}: {type(exc).__name__}")


def links_recheck(report: UpkeepReport) -> None:
    links = ZoomUser.objects.filter(status=ZoomUser.Status.ACTIVE, grant__isnull=False).select_related("user")
    for link in links:
        me = _me(link.grant_id, report)
        if me is None:
            continue
        report.rechecked += 1
        if me.account_id != link.zoom_account_id or not me.is_active:
            report.links_invalidated += links_invalidate(
                [link],
                reason="moved_out_of_account" if me.account_id != link.zoom_account_id else "zoom_user_inactive",
                notice=_(
                    "Your Zoom user is no longer an active member of your company's Zoom account, so it can no "
                    "longer host interviews. Link a Zoom user of the company's account."
                ),
            )


def installers_recheck(report: UpkeepReport) -> None:
    installations = ZoomInstallation.objects.filter(status=ZoomInstallation.Status.CONNECTED, grant__isnull=False)
    for installation in installations:
        me = _me(installation.grant_id, report)
        if me is None:
            continue
        report.rechecked += 1
        if me.account_id != installation.zoom_account_id and grants.installation_needs_reconnect(
            installation_id=installation.pk,
            reason=LossReason.LEFT_ACCOUNT,
            detail="The installer's Zoom user is no longer in the company's Zoom account.",
        ):
            report.installations_flagged += 1


def _me(grant_id: int, report: UpkeepReport) -> zoom_client.ZoomUserInfo | None:
    """The grant's Zoom user, or None when it cannot be read now. A dead grant (invalid_grant, Zoom's
    4735 for a deleted user) is invalidated by the token layer, which tells links and the connection."""
    try:
        return tokens.call_with_token(grant_id, zoom_client.get_me)
    except GrantUnavailable:
        return None
    except ZoomAuthError:
        # Refused twice, even with a fresh token: the authorization is gone.
        grants.grant_invalidate(
            grant_id=grant_id, reason=LossReason.TOKENS_REFUSED, detail="Zoom refused the grant's tokens (401)."
        )
        return None
    except ZoomError as exc:
        report.errors.append(f"grant {grant_id}: {type(exc).__name__}")
        return None


def grants_in_use() -> Q:
    """A grant is in use while an installation or a link points at it, or while a meeting not yet
    deleted is hosted by its Zoom user (that meeting may still need moving or deleting)."""
    hosting = ZoomMeeting.objects.exclude(status=ZoomMeeting.Status.DELETED).values("host_zoom_user_id")
    return (
        Q(installations__isnull=False)
        | Q(zoom_users__status__in=[ZoomUser.Status.ACTIVE, ZoomUser.Status.INVALID])
        | Q(zoom_user_id__in=hosting)
    )


def grants_revoke_unused(report: UpkeepReport) -> None:
    unused = (
        ZoomGrant.objects.exclude(status=ZoomGrant.Status.REVOKED)
        .exclude(pk__in=ZoomGrant.objects.filter(grants_in_use()).values("pk"))
        .order_by("pk")
    )
    for grant in unused:
        # Zoom revokes by access token; a refresh token of the same grant works too.
        token = ""
        for encrypted, decrypt in (
            (grant.access_token, grant.decrypt_access_token),
            (grant.refresh_token, grant.decrypt_refresh_token),
        ):
            if encrypted and not token:
                try:
                    token = decrypt()
                except TokenDecryptError:
                    token = ""
        if token:
            try:
                oauth.revoke(token)
            except OAuthInvalidGrant:
                pass  # Zoom no longer knows it: already revoked there.
            except OAuthError as exc:
                report.errors.append(f"grant {grant.pk}: revoke {type(exc).__name__}")
                continue
        if grants.grant_revoke(grant_id=grant.pk, reason=LossReason.UNUSED):
            report.revoked += 1
