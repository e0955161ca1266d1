"""Workflows of the company connection (外部サービス連携) that cross models.

Views call these and render what they return or raise; nothing here knows about HTTP requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from herp.alerts import AlertEvent, alert
from herp.models import User
from integrations import oauth, tokens
from integrations.handshake import Pending
from integrations.models import IntegrationEvent, ZoomGrant, ZoomInstallation
from integrations.zoom_api import client as zoom_client
from integrations.zoom_api.errors import (
    MissingRefreshToken,
    OAuthError,
    OAuthInvalidClient,
    OAuthInvalidGrant,
    OAuthTemporaryError,
    ZoomError,
)


class ConnectionFailed(Exception):
    """The handshake did not connect the company. ``reason`` names the case (the page explains it and
    the audit log records it); ``context`` holds what the page shows (never a token)."""

    def __init__(self, reason: str, *, status: int = 400, retry: bool = True, **context: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry = retry
        self.context = context


@dataclass(frozen=True)
class Authorized:
    """What Zoom said about the person who authorized: their fresh grant and their Zoom user."""

    grant: ZoomGrant
    me: zoom_client.ZoomUserInfo
    details: dict[str, Any] = field(default_factory=dict)


def installation_for(user: User) -> ZoomInstallation:
    return ZoomInstallation.objects.for_company(user.tenant)


def installation_connect_start(*, user: User) -> ZoomInstallation:
    installation = installation_for(user)
    installation.start_connect(by=user)
    IntegrationEvent.record(user.tenant, IntegrationEvent.Kind.CONNECT_STARTED, actor=user, status=installation.status)
    return installation


def installation_pre_approval_requested(*, user: User) -> ZoomInstallation:
    installation = installation_for(user)
    installation.mark_pre_approval_requested(by=user)
    IntegrationEvent.record(user.tenant, IntegrationEvent.Kind.PRE_APPROVAL_REQUESTED, actor=user)
    return installation


def installation_disconnect(*, user: User) -> ZoomInstallation:
    with transaction.atomic():
        installation = ZoomInstallation.objects.select_for_update().get(company=user.tenant)
        account_id = installation.zoom_account_id
        installation.disconnect(by=user)
        IntegrationEvent.record(user.tenant, IntegrationEvent.Kind.DISCONNECTED, actor=user, zoom_account_id=account_id)
    return installation


def authorize_with_code(*, user: User, pending: Pending, code: str) -> Authorized:
    """Exchanges the code and asks Zoom who authorized. Stores the fresh tokens into that Zoom user's
    grant (creating it for this company if new) — also when the caller then refuses the result, since
    Zoom has already cancelled that user's previous tokens (DESIGN.md section 2)."""
    try:
        token_set = oauth.exchange_code(code, pending.redirect_uri, pending.code_verifier)
    except OAuthInvalidClient as exc:
        alert(
            AlertEvent.ZOOM_CLIENT_REJECTED,
            "Zoom refused the app's client credentials during a code exchange",
            company_id=user.company_id,
            status=exc.status,
        )
        raise ConnectionFailed("invalid_client", status=502) from exc
    except OAuthInvalidGrant as exc:
        raise ConnectionFailed("code_rejected") from exc
    except OAuthTemporaryError as exc:
        raise ConnectionFailed("zoom_unavailable", status=502) from exc
    except OAuthError as exc:
        raise ConnectionFailed("zoom_error", status=502) from exc
    try:
        me = zoom_client.get_me(token_set.access_token)
    except ZoomError as exc:
        # Nothing is stored: without /users/me we do not know whose tokens these are.
        raise ConnectionFailed("zoom_unavailable", status=502) from exc
    try:
        grant = tokens.store_new_tokens(company=user.tenant, zoom_user_id=me.id, token_set=token_set)
    except MissingRefreshToken as exc:
        raise ConnectionFailed("no_refresh_token", status=502) from exc
    return Authorized(grant=grant, me=me)


def installation_complete(*, user: User, pending: Pending, code: str) -> ZoomInstallation:
    """The callback of Connect: the company is connected to the authorizing Zoom user's account, or
    ConnectionFailed says why not (and the audit log records it)."""
    try:
        authorized = authorize_with_code(user=user, pending=pending, code=code)
        me = authorized.me
        if me.account_id is None:
            raise ConnectionFailed("zoom_user_pending", retry=True, zoom_email=me.email)
        if not me.is_active:
            raise ConnectionFailed("zoom_user_inactive", zoom_email=me.email)
        with transaction.atomic():
            installation = ZoomInstallation.objects.select_for_update().get(company=user.tenant)
            taken = ZoomInstallation.objects.filter(zoom_account_id=me.account_id).exclude(company=user.tenant).exists()
            if taken:
                raise ConnectionFailed("account_taken", status=409, retry=False, zoom_email=me.email)
            if authorized.grant.company_id != user.company_id:
                # The Zoom user already serves another company (its grant is theirs): one Zoom user's
                # grant cannot belong to two companies.
                raise ConnectionFailed("zoom_user_taken", status=409, retry=False, zoom_email=me.email)
            if installation.status == ZoomInstallation.Status.NOT_CONNECTED:
                # Disconnected in another tab meanwhile: this callback no longer stands.
                raise ConnectionFailed("not_started")
            previous_grant_id = installation.grant_id
            installation.complete(authorized.grant, me.account_id, installer=user, email=me.email)
            IntegrationEvent.record(
                user.tenant,
                IntegrationEvent.Kind.CONNECTED,
                actor=user,
                zoom_account_id=me.account_id,
                zoom_user_id=me.id,
                zoom_email=me.email,
                replaced_grant_id=previous_grant_id if previous_grant_id != authorized.grant.pk else None,
            )
        return installation
    except ConnectionFailed as failure:
        IntegrationEvent.record(
            user.tenant,
            IntegrationEvent.Kind.CONNECT_REFUSED if failure.status == 409 else IntegrationEvent.Kind.CONNECT_FAILED,
            actor=user,
            reason=failure.reason,
            **{key: value for key, value in failure.context.items() if isinstance(value, str | int)},
        )
        raise
