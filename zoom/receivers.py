"""zoom follows the company connection through integrations' signals (integrations never imports zoom):
links are suspended or invalidated, and meetings stop or resume with their host's grant."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from herp import signals as herp_signals
from herp.models import User
from integrations import signals
from zoom.meetings import desired as meetings
from zoom.models import ZoomUser
from zoom.services import links_invalidate, zoom_user_unlink


@receiver(signals.installation_connected, dispatch_uid="zoom.links_follow_connection")
def links_follow_connection(sender: type, *, company_id: int, zoom_account_id: str, **kwargs: Any) -> None:
    # Links of the same account resume by themselves (ZoomUserQuerySet.usable); those of another
    # account cannot serve this company any more.
    stale = ZoomUser.objects.filter(company_id=company_id, status=ZoomUser.Status.ACTIVE).exclude(
        zoom_account_id=zoom_account_id
    )
    links_invalidate(
        list(stale.select_related("user")),
        reason="company_connected_to_another_account",
        notice=_(
            "Your company connected HERP to a different Zoom account, so your linked Zoom user can no longer host "
            "interviews. Link a Zoom user of the new account."
        ),
    )


@receiver(signals.grant_invalidated, dispatch_uid="zoom.links_lose_invalid_grant")
@receiver(signals.grant_revoked, dispatch_uid="zoom.links_lose_revoked_grant")
def links_lose_grant(sender: type, *, grant_id: int, reason: str = "grant_revoked", **kwargs: Any) -> None:
    links = ZoomUser.objects.filter(grant_id=grant_id, status=ZoomUser.Status.ACTIVE).select_related("user")
    links_invalidate(
        list(links),
        reason=reason or "grant_revoked",
        notice=_(
            "HERP can no longer use your linked Zoom user (Zoom ended its authorization). Link your Zoom user again."
        ),
    )


# --- Meetings ----------------------------------------------------------------------------------------


@receiver(signals.grant_invalidated, dispatch_uid="zoom.meetings_stop_invalid_grant")
@receiver(signals.grant_revoked, dispatch_uid="zoom.meetings_stop_revoked_grant")
def meetings_stop_for_grant(sender: type, *, grant_id: int, reason: str = "grant_revoked", **kwargs: Any) -> None:
    meetings.meetings_stop_for_grant(grant_id=grant_id, reason=reason or "grant_revoked")


@receiver(signals.installation_connected, dispatch_uid="zoom.meetings_resume_after_connect")
def meetings_resume_after_connect(sender: type, *, company_id: int, **kwargs: Any) -> None:
    meetings.meetings_resume_disconnected(company_id=company_id)


@receiver(signals.grant_reauthorized, dispatch_uid="zoom.meetings_resume_after_reauthorize")
def meetings_resume_after_reauthorize(sender: type, *, grant_id: int, **kwargs: Any) -> None:
    meetings.meetings_resume_disconnected(grant_id=grant_id)


# --- People leaving (herp's signals) -----------------------------------------------------------------


@receiver(herp_signals.user_deactivated, dispatch_uid="zoom.link_stops_when_deactivated")
def link_stops_when_deactivated(sender: type, *, user: User, actor: User | None = None, **kwargs: Any) -> None:
    # Unlinked, not invalidated: nobody is asked to link again, and upkeep revokes the grant once no
    # meeting of theirs needs it (the replaced ones are deleted at Zoom with it first).
    if ZoomUser.objects.filter(user=user).exclude(status=ZoomUser.Status.UNLINKED).exists():
        zoom_user_unlink(user=user, actor=actor, reason="user_deactivated")


@receiver(herp_signals.deactivation_consequences, dispatch_uid="zoom.link_consequences")
def link_consequences(sender: type, *, user: User, **kwargs: Any) -> list[str]:
    link = ZoomUser.objects.filter(user=user).exclude(status=ZoomUser.Status.UNLINKED).first()
    if link is None:
        return []
    return [
        _("Their Zoom link (%(email)s) is removed: their Zoom user no longer hosts interviews in HERP.")
        % {"email": link.email or link.zoom_user_id}
    ]
