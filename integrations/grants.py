"""The one writer for a grant that dies, and for the connection that loses its installer with it.

A grant dies in a handful of places (a refused refresh, an unreadable token, Zoom refusing the tokens
twice, ``app_deauthorized``, upkeep revoking what nothing uses, key rotation). Each of them calls one of
these services, which do the whole side effect in one transaction (zulip's ``do_*`` actions are single
writers the same way):

1. lock the row and call the model's guarded transition (with a ``LossReason`` code beside the text);
2. record the audit event;
3. carry the connection along: an installation whose installer's grant became invalid needs a
   reconnect; one whose installer removed the app is revoked;
4. on commit, alert operators and send the signal that ``zoom`` listens to (links and meetings).

Nothing is told when the transition was a no-op, so every incident alerts and mails the admins once.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from herp.alerts import AlertEvent, alert
from integrations import signals
from integrations.models import IntegrationEvent, LossReason, ZoomGrant, ZoomInstallation


def grant_invalidate(
    *, grant_id: int, reason: LossReason, detail: str = "", expected_version: int | None = None
) -> bool:
    """active → invalid. ``expected_version`` makes it a compare-and-set: a grant that got new tokens
    since the caller read it (a re-authorization) is left alone. Returns False when nothing changed."""
    with transaction.atomic():
        grant = ZoomGrant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None or not grant.is_active:
            return False
        if expected_version is not None and grant.token_version != expected_version:
            return False
        grant.invalidate(reason, detail)
        unreadable = reason == LossReason.TOKEN_UNREADABLE
        IntegrationEvent.record(
            grant.company_id,
            IntegrationEvent.Kind.TOKEN_DECRYPT_FAILED if unreadable else IntegrationEvent.Kind.GRANT_INVALIDATED,
            grant_id=grant.pk,
            zoom_user_id=grant.zoom_user_id,
            reason=reason.value,
            detail=grant.last_error,
        )
        for installation_id in _installations_of(grant, [ZoomInstallation.Status.CONNECTED]):
            installation_needs_reconnect(installation_id=installation_id, reason=reason, detail=grant.last_error)
        _alert_on_commit(
            AlertEvent.TOKEN_DECRYPT_FAILED if unreadable else AlertEvent.ZOOM_GRANT_LOST,
            "A Zoom grant is now invalid.",
            grant,
        )
        signals.send_on_commit(
            signals.grant_invalidated,
            ZoomGrant,
            grant_id=grant.pk,
            company_id=grant.company_id,
            zoom_user_id=grant.zoom_user_id,
            reason=reason.value,
        )
    return True


def grant_revoke(*, grant_id: int, reason: LossReason, detail: str = "") -> bool:
    """→ revoked, tokens wiped (Zoom's revoke endpoint, when wanted, was called before). When the
    installer removed the app in Zoom, their company's connection is revoked with it. Returns False
    when the grant was already revoked (the echo of our own revoke)."""
    with transaction.atomic():
        grant = ZoomGrant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None or not grant.revoke(reason):
            return False
        IntegrationEvent.record(
            grant.company_id,
            IntegrationEvent.Kind.GRANT_REVOKED,
            grant_id=grant.pk,
            zoom_user_id=grant.zoom_user_id,
            reason=reason.value,
            detail=detail,
        )
        if reason == LossReason.APP_REMOVED:
            attached = [ZoomInstallation.Status.CONNECTED, ZoomInstallation.Status.NEEDS_RECONNECT]
            for installation_id in _installations_of(grant, attached):
                _installation_revoked(installation_id=installation_id, grant_id=grant.pk, reason=reason, detail=detail)
        signals.send_on_commit(
            signals.grant_revoked,
            ZoomGrant,
            grant_id=grant.pk,
            company_id=grant.company_id,
            zoom_user_id=grant.zoom_user_id,
            reason=reason.value,
        )
    return True


def installation_needs_reconnect(*, installation_id: int, reason: LossReason, detail: str = "") -> bool:
    """connected → needs_reconnect: the installer's grant died or their Zoom user left the account.
    Admins are told once (e-mail through the signal, the banner), operators alerted."""
    with transaction.atomic():
        installation = ZoomInstallation.objects.select_for_update().filter(pk=installation_id).first()
        if installation is None or installation.status != ZoomInstallation.Status.CONNECTED:
            return False
        installation.mark_needs_reconnect(reason, detail)
        IntegrationEvent.record(
            installation.company_id,
            IntegrationEvent.Kind.NEEDS_RECONNECT,
            grant_id=installation.grant_id,
            reason=reason.value,
            detail=installation.last_error,
        )
        company_id, grant_id = installation.company_id, installation.grant_id
        transaction.on_commit(
            lambda: alert(
                AlertEvent.ZOOM_CONNECTION_NEEDS_RECONNECT,
                "The company's Zoom connection lost its installer; an admin must reconnect.",
                company_id=company_id,
                installation_id=installation_id,
                grant_id=grant_id,
                reason=reason.value,
            )
        )
        _signal_incident(signals.installation_needs_reconnect, installation)
    return True


def _installation_revoked(*, installation_id: int, grant_id: int, reason: LossReason, detail: str) -> None:
    installation = ZoomInstallation.objects.select_for_update().get(pk=installation_id)
    if installation.mark_revoked(reason, detail):
        IntegrationEvent.record(
            installation.company_id, IntegrationEvent.Kind.REVOKED, grant_id=grant_id, reason=reason.value
        )
        _signal_incident(signals.installation_revoked, installation)


def _installations_of(grant: ZoomGrant, statuses: list[ZoomInstallation.Status]) -> list[int]:
    return list(
        ZoomInstallation.objects.filter(grant=grant, status__in=statuses).order_by("pk").values_list("pk", flat=True)
    )


def _signal_incident(signal: Signal, installation: ZoomInstallation) -> None:
    signals.send_on_commit(
        signal,
        ZoomInstallation,
        installation=installation,
        company_id=installation.company_id,
        reason=installation.reason,
    )


def _alert_on_commit(event: AlertEvent, message: str, grant: ZoomGrant) -> None:
    grant_id, company_id, reason = grant.pk, grant.company_id, grant.reason
    transaction.on_commit(
        lambda: alert(event, message, grant_id=grant_id, company_id=company_id, reason=reason), robust=True
    )
