"""Personal links (外部サービスアカウント): linking, refusing, unlinking, and following the company connection."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from herp.models import Company, User
from integrations.handshake import Pending
from integrations.models import IntegrationEvent, ZoomInstallation
from integrations.services import ConnectionFailed, authorize_with_code
from zoom.models import ZoomUser
from zoom.signals import link_lost, send_on_commit

logger = logging.getLogger(__name__)

ACCOUNT_PAGE_PATH = "/accounts/zoom/"


def company_zoom_account(company: Company) -> ZoomInstallation | None:
    """The company's installation when it is attached to a Zoom account, else None."""
    installation = ZoomInstallation.objects.filter(company=company).select_related("installer").first()
    if installation is None or not installation.zoom_account_id:
        return None
    return installation


def zoom_user_link(*, user: User, pending: Pending, code: str) -> ZoomUser:
    """The callback of Link: the person's Zoom user is linked, or ConnectionFailed says why not.

    Whatever the outcome, the fresh tokens have replaced that Zoom user's stored grant (Zoom cancelled
    the old ones when it issued these); a refusal creates or changes no link.
    """
    try:
        installation = company_zoom_account(user.tenant)
        if installation is None:
            raise ConnectionFailed("company_not_connected", retry=False)
        authorized = authorize_with_code(user=user, pending=pending, code=code)
        me = authorized.me
        if me.account_id is None:
            raise ConnectionFailed("zoom_user_pending", zoom_email=me.email)
        if me.account_id != installation.zoom_account_id:
            raise ConnectionFailed(
                "other_account",
                retry=False,
                zoom_email=me.email,
                installer=installation.installer.display_name if installation.installer else "",
            )
        if not me.is_active:
            raise ConnectionFailed("zoom_user_inactive", retry=False, zoom_email=me.email)
        with transaction.atomic():
            taken = ZoomUser.objects.filter(zoom_user_id=me.id, status=ZoomUser.Status.ACTIVE).exclude(user=user)
            if taken.exists():
                raise ConnectionFailed("zoom_user_linked_elsewhere", retry=False, zoom_email=me.email)
            if authorized.grant.company_id != user.company_id:
                raise ConnectionFailed("zoom_user_linked_elsewhere", retry=False, zoom_email=me.email)
            link, _created = ZoomUser.objects.select_for_update().update_or_create(
                user=user,
                defaults={
                    "company": user.tenant,
                    "grant": authorized.grant,
                    "zoom_user_id": me.id,
                    "zoom_account_id": me.account_id,
                    "email": me.email,
                    "display_name": me.display_name,
                    "status": ZoomUser.Status.ACTIVE,
                    "status_reason": "",
                    "linked_at": timezone.now(),
                },
            )
            IntegrationEvent.record(
                user.tenant,
                IntegrationEvent.Kind.ZOOM_USER_LINKED,
                actor=user,
                zoom_user_id=me.id,
                zoom_email=me.email,
                link_id=link.pk,
            )
        return link
    except ConnectionFailed as failure:
        IntegrationEvent.record(
            user.tenant,
            IntegrationEvent.Kind.ZOOM_USER_LINK_REFUSED,
            actor=user,
            reason=failure.reason,
            zoom_email=str(failure.context.get("zoom_email", "")),
        )
        raise


def zoom_user_unlink(*, user: User, actor: User | None = None, reason: str = "") -> ZoomUser:
    """The person (or, when they are deactivated, ``actor``) detaches their Zoom user; ``link_lost`` on
    commit makes scheduling re-plan the meetings it hosts."""
    with transaction.atomic():
        link = ZoomUser.objects.select_for_update().get(user=user)
        link.unlink()
        send_on_commit(link_lost, ZoomUser, company_id=link.company_id, zoom_user_id=link.zoom_user_id, link_id=link.pk)
        IntegrationEvent.record(
            link.company_id,
            IntegrationEvent.Kind.ZOOM_USER_UNLINKED,
            actor=actor if actor is not None and actor.pk is not None else user,
            zoom_user_id=link.zoom_user_id,
            zoom_email=link.email,
            **({"reason": reason} if reason else {}),
        )
    return link


def links_invalidate(links: list[ZoomUser], *, reason: str, notice: str) -> int:
    """Marks links invalid and tells each owner once (only links that were active)."""
    told = 0
    for link in links:
        with transaction.atomic():
            if not link.invalidate(reason):
                continue
            send_on_commit(
                link_lost, ZoomUser, company_id=link.company_id, zoom_user_id=link.zoom_user_id, link_id=link.pk
            )
            IntegrationEvent.record(
                link.company_id,
                IntegrationEvent.Kind.ZOOM_USER_INVALIDATED,
                zoom_user_id=link.zoom_user_id,
                zoom_email=link.email,
                reason=reason,
            )
        owner_notify(link.user, notice)
        told += 1
    return told


def owner_notify(user: User, notice: str) -> None:
    url = settings.SITE_URL.rstrip("/") + ACCOUNT_PAGE_PATH
    body = _("%(notice)s\n\nOpen 外部サービスアカウント to link your Zoom again:\n%(url)s") % {
        "notice": notice,
        "url": url,
    }
    send_mail(
        subject=_("[HERP] Your Zoom link needs attention"),
        message=body,
        from_email=None,
        recipient_list=[user.email],
        fail_silently=True,
    )


def people_without_link(company: Company) -> QuerySet[User]:
    """The company's active people without a usable Zoom link: those the link status page counts and the
    reminder reaches."""
    return User.objects.filter(company=company, is_active=True).exclude(zoom_user__status=ZoomUser.Status.ACTIVE)


def members_remind_unlinked(*, company: Company, actor: User) -> int:
    """E-mails every active person of the company without a usable link a reminder to link."""
    people = people_without_link(company).order_by("pk")
    url = settings.SITE_URL.rstrip("/") + ACCOUNT_PAGE_PATH
    sent = 0
    for person in people:
        send_mail(
            subject=_("[HERP] Please link your Zoom"),
            message=_(
                "%(actor)s asks you to link your Zoom user, so that your interviews can be hosted by you.\n\n"
                "Sign in to Zoom in your browser with your work Zoom user (not a personal one), then open:\n%(url)s"
            )
            % {"actor": actor.display_name, "url": url},
            from_email=None,
            recipient_list=[person.email],
            fail_silently=True,
        )
        sent += 1
    return sent
