"""A valid access token for a grant, refreshed single-flight; the store every handshake writes through.

Zoom's refresh tokens rotate and are single-use: two workers refreshing the same grant at once leave
one of them with a dead pair, and whichever is stored last may be the dead one (zoom/NOTES.md §1).
So a refresh happens only under the grant's row lock, re-checks staleness after locking, and writes
the new pair (encrypted) before anyone uses it, with a ``token_version`` compare-and-set as the last
guard against a writer that read an older version (RELIABILITY T06, T08).

Outcomes of a refresh (T09), all raised as ``zoom_api.errors.TokenError`` subclasses:
- ``invalid_grant``: the grant becomes invalid through ``grants.grant_invalidate`` (a compare-and-set
  on the version we saw refused, so a re-authorization meanwhile wins), which records, alerts and tells
  the connection. Raises ``GrantUnavailable``.
- ``invalid_client``: our credentials are wrong; an operators' alert, no company flagged, tokens
  untouched. Raises ``ZoomClientRejected``.
- 429, 5xx, timeout: tokens untouched; raises ``TokenRefreshRetryable`` (with ``retry_after``).
- 200 without a refresh token: the old refresh token is kept.
- A token that does not decrypt: the grant is marked invalid (fail closed, never plaintext).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from herp.alerts import AlertEvent, alert
from herp.models import Company
from integrations import grants, oauth, signals
from integrations.crypto import TokenDecryptError
from integrations.models import LossReason, ZoomGrant
from integrations.zoom_api.errors import (
    GrantUnavailable,
    MissingRefreshToken,
    OAuthError,
    OAuthInvalidClient,
    OAuthInvalidGrant,
    OAuthTemporaryError,
    TokenRefreshFailed,
    TokenRefreshRetryable,
    ZoomAuthError,
    ZoomClientRejected,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Refresh a little before expiry so that a token handed out is still good for a whole Zoom call,
# including a slow one and clock skew.
REFRESH_MARGIN = timedelta(minutes=5)


# --- Reading a token -------------------------------------------------------------------------------


def get_access_token(grant_id: int, *, rejected_token: str | None = None, loaded: ZoomGrant | None = None) -> str:
    """A usable access token for the grant, refreshing it single-flight when it is (nearly) expired.

    ``rejected_token``: the token a Zoom call just refused (401 / code 124). A refresh is then forced,
    unless another worker has already replaced that token. ``loaded``: the grant row the caller already
    read (the reconcile loads it with the meeting), which saves a query while its token is fresh.
    """
    grant = loaded if loaded is not None and loaded.pk == grant_id else ZoomGrant.objects.filter(pk=grant_id).first()
    if grant is None:
        raise GrantUnavailable(f"Zoom grant {grant_id} does not exist.", grant_id=grant_id)
    if not grant.is_active:
        raise GrantUnavailable(f"Zoom grant {grant_id} is {grant.status}.", grant_id=grant_id)
    if rejected_token is None and not grant.expires_within(REFRESH_MARGIN.total_seconds()):
        try:
            return grant.decrypt_access_token()
        except TokenDecryptError:
            # Decide under the lock: a writer may have replaced the row since we read it.
            pass
    return _get_or_refresh_locked(grant_id, rejected_token=rejected_token)


def call_with_token(grant_id: int, fn: Callable[[str], T], *, loaded: ZoomGrant | None = None) -> T:
    """``fn(access_token)``; when Zoom refuses the token (ZoomAuthError: 401 / code 124), refresh once
    and call again exactly once. A second refusal propagates: the grant's fate is then the caller's
    decision (for example a /users/me re-check)."""
    token = get_access_token(grant_id, loaded=loaded)
    try:
        return fn(token)
    except ZoomAuthError:
        logger.info("Zoom refused the access token of grant %s; refreshing once and retrying.", grant_id)
    return fn(get_access_token(grant_id, rejected_token=token))


def _get_or_refresh_locked(grant_id: int, *, rejected_token: str | None) -> str:
    lost: tuple[LossReason, str, int] | None = None
    invalidated = False
    with transaction.atomic():
        # Single flight: concurrent callers queue here; the first refreshes, the others find a fresh
        # token after the lock is released and return it without calling Zoom. The lock is held across
        # the HTTP call on purpose; ZOOM_HTTP_TIMEOUT bounds how long the others wait.
        grant = ZoomGrant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None or not grant.is_active:
            status = "missing" if grant is None else grant.status
            raise GrantUnavailable(f"Zoom grant {grant_id} is {status}.", grant_id=grant_id)
        try:
            stored_access = grant.decrypt_access_token()
            if not grant.expires_within(REFRESH_MARGIN.total_seconds()) and stored_access != rejected_token:
                return stored_access
            refresh_token = grant.decrypt_refresh_token()
        except TokenDecryptError:
            detail = (
                "A stored token could not be decrypted "
                "(a missing or wrong TOKEN_ENCRYPTION_KEYS entry, or a moved value)."
            )
            lost = (LossReason.TOKEN_UNREADABLE, detail, grant.token_version)
        else:
            try:
                token_set = oauth.refresh(refresh_token)
            except OAuthInvalidGrant as exc:
                said = exc.error or "invalid_grant"
                detail = f"Zoom refused the refresh token ({said}{': ' + exc.reason if exc.reason else ''})."
                lost = (LossReason.REFRESH_REFUSED, detail, grant.token_version)
            except OAuthInvalidClient as exc:
                alert(
                    AlertEvent.ZOOM_CLIENT_REJECTED,
                    "Zoom refused our client credentials while refreshing a grant; check ZOOM_CLIENT_ID/SECRET.",
                    grant_id=grant_id,
                    status=exc.status,
                    error=exc.error,
                )
                raise ZoomClientRejected(f"Zoom refused our client credentials ({exc}).", grant_id=grant_id) from None
            except OAuthTemporaryError as exc:
                raise TokenRefreshRetryable(
                    f"Refreshing Zoom grant {grant_id} failed for now: {exc}",
                    grant_id=grant_id,
                    retry_after=exc.retry_after,
                ) from None
            except OAuthError as exc:
                raise TokenRefreshFailed(f"Refreshing Zoom grant {grant_id} failed: {exc}", grant_id=grant_id) from None
            else:
                if persist_refreshed_tokens(grant, token_set, expected_version=grant.token_version):
                    logger.info("Refreshed Zoom grant %s (version %s).", grant_id, grant.token_version + 1)
                    return token_set.access_token
                # Someone wrote the row without holding its lock (nothing in this project should).
                # Their pair is the stored one; ours is lost, and the next refresh tells whether theirs lives.
                logger.warning("Zoom grant %s changed under its lock; using the stored tokens.", grant_id)
        if lost is not None:
            # Under the lock still, so the queued callers find the grant invalid instead of sending the
            # same dead refresh token again; the compare-and-set spares a grant re-authorized meanwhile.
            reason, detail, version = lost
            invalidated = grants.grant_invalidate(
                grant_id=grant_id, reason=reason, detail=detail, expected_version=version
            )
    if invalidated and lost is not None:
        # Raised after the transaction, so that the invalidation and its audit entry commit.
        raise GrantUnavailable(f"Zoom grant {grant_id} is invalid: {lost[1]}", grant_id=grant_id)
    return _stored_token(grant_id)


def _stored_token(grant_id: int) -> str:
    """The stored access token after another writer changed the grant, if it is still fresh."""
    current = ZoomGrant.objects.filter(pk=grant_id).first()
    if current is None or not current.is_active:
        raise GrantUnavailable(f"Zoom grant {grant_id} is no longer active.", grant_id=grant_id)
    try:
        if not current.expires_within(REFRESH_MARGIN.total_seconds()):
            return current.decrypt_access_token()
    except TokenDecryptError:
        pass
    raise TokenRefreshRetryable(f"Zoom grant {grant_id} changed during a refresh; try again.", grant_id=grant_id)


# --- Writing tokens --------------------------------------------------------------------------------


def persist_refreshed_tokens(grant: ZoomGrant, token_set: oauth.TokenSet, *, expected_version: int) -> bool:
    """Store a refreshed pair if the row is still at ``expected_version`` and active; False otherwise.

    The compare-and-set is what rejects a stale writer (T08): a worker that read version v, stalled,
    and comes back after another refresh finds v+1 and writes nothing. When Zoom sent no new refresh
    token, the stored one is kept (T09).
    """
    now = timezone.now()
    values = {
        "access_token": grant.encrypt("access_token", token_set.access_token),
        "expires_at": token_set.expires_at,
        "token_version": expected_version + 1,
        "last_refreshed_at": now,
        "last_error": "",
        "updated_at": now,
    }
    if token_set.refresh_token:
        values["refresh_token"] = grant.encrypt("refresh_token", token_set.refresh_token)
    if token_set.scopes:
        values["scopes"] = list(token_set.scopes)
    updated = ZoomGrant.objects.filter(
        pk=grant.pk, token_version=expected_version, status=ZoomGrant.Status.ACTIVE
    ).update(**values)
    return updated == 1


def store_new_tokens(
    *, company: Company, zoom_user_id: str, token_set: oauth.TokenSet, reassign_company: bool = False
) -> ZoomGrant:
    """Store the tokens of a new authorization for a Zoom user: create the grant, or update the Zoom
    user's existing grant in place (bumping ``token_version``) and make it active again.

    Zoom has already cancelled that Zoom user's previous tokens when this runs, so the handshake calls
    it even when it then refuses the connection or link (DESIGN.md section 2). An existing grant keeps
    its company unless ``reassign_company``. Raises ``MissingRefreshToken`` when the response had no
    refresh token and there is no stored one to keep (a first connection is then refused).
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                grant = ZoomGrant.objects.select_for_update().filter(zoom_user_id=zoom_user_id).first()
                if grant is None:
                    return _create_grant(company, zoom_user_id, token_set)
                return _update_grant(grant, company, token_set, reassign_company=reassign_company)
        except IntegrityError:
            # Two handshakes of the same Zoom user created the row at once; the second updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _create_grant(company: Company, zoom_user_id: str, token_set: oauth.TokenSet) -> ZoomGrant:
    if not token_set.refresh_token:
        raise MissingRefreshToken("Zoom's token response had no refresh token; nothing usable to store.")
    grant = ZoomGrant(
        company=company,
        zoom_user_id=zoom_user_id,
        expires_at=token_set.expires_at,
        scopes=list(token_set.scopes),
        token_version=1,
    )
    grant.access_token = grant.encrypt("access_token", token_set.access_token)
    grant.refresh_token = grant.encrypt("refresh_token", token_set.refresh_token)
    grant.save()
    return grant


def _update_grant(
    grant: ZoomGrant, company: Company, token_set: oauth.TokenSet, *, reassign_company: bool
) -> ZoomGrant:
    was_active = grant.is_active
    if token_set.refresh_token:
        refresh_token = token_set.refresh_token
    else:
        # T09: keep the stored refresh token, re-encrypted if the grant changes company. A revoked or
        # unreadable one cannot be kept.
        try:
            refresh_token = grant.decrypt_refresh_token() if grant.status != ZoomGrant.Status.REVOKED else ""
        except TokenDecryptError:
            refresh_token = ""
        if not refresh_token:
            raise MissingRefreshToken("Zoom's token response had no refresh token and no stored one can be kept.")
    if reassign_company:
        grant.company = company
    grant.access_token = grant.encrypt("access_token", token_set.access_token)
    grant.refresh_token = grant.encrypt("refresh_token", refresh_token)
    grant.expires_at = token_set.expires_at
    if token_set.scopes:
        grant.scopes = list(token_set.scopes)
    grant.token_version += 1
    grant.reactivate()
    grant.save()
    if not was_active:
        signals.send_on_commit(
            signals.grant_reauthorized,
            ZoomGrant,
            grant_id=grant.pk,
            company_id=grant.company_id,
            zoom_user_id=grant.zoom_user_id,
        )
    return grant
