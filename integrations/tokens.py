"""A valid access token for a grant, refreshed single-flight; the store every handshake writes through.

Zoom's refresh tokens rotate and are single-use: two workers refreshing the same grant at once leave
one of them with a dead pair, and whichever is stored last may be the dead one (zoom/NOTES.md §1).
So a refresh happens only under the grant's row lock, re-checks staleness after locking, and writes
the new pair (encrypted) before anyone uses it, with a ``token_version`` compare-and-set as the last
guard against a writer that read an older version (RELIABILITY T06, T08).

Outcomes of a refresh (T09):
- ``invalid_grant``: re-read first (a writer outside this lock may have stored a newer pair); only
  when the stored refresh token is still the one Zoom refused, the grant becomes invalid, an audit
  entry and an alert are written, and ``grant_invalidated`` is sent (the installation listener turns
  the company's connection into needs_reconnect). Raises ``GrantUnavailable``.
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
from integrations import oauth, signals
from integrations.crypto import TokenDecryptError
from integrations.models import IntegrationEvent, ZoomGrant
from zoom.client import ZoomAuthError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Refresh a little before expiry so that a token handed out is still good for a whole Zoom call,
# including a slow one and clock skew.
REFRESH_MARGIN = timedelta(minutes=5)


class TokenError(Exception):
    """Base of what this module raises. Messages name grants by id, never a token."""

    retryable = False

    def __init__(self, message: str, *, grant_id: int | None = None) -> None:
        super().__init__(message)
        self.grant_id = grant_id


class GrantUnavailable(TokenError):
    """The grant is missing, invalid or revoked: it needs a new authorization. Permanent."""


class TokenRefreshRetryable(TokenError):
    """Zoom could not refresh right now (429, 5xx, timeout); the stored tokens are untouched."""

    retryable = True

    def __init__(self, message: str, *, grant_id: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, grant_id=grant_id)
        self.retry_after = retry_after


class ZoomClientRejected(TokenError):
    """Zoom refused our client credentials. An operator problem; retried once configuration is fixed."""


class TokenRefreshFailed(TokenError):
    """Zoom answered the refresh with an error we cannot classify; tokens untouched, not retried blindly."""


class MissingRefreshToken(TokenError):
    """A token response without a refresh token, and no stored one to keep: nothing usable to store."""


# --- Reading a token -------------------------------------------------------------------------------


def get_access_token(grant_id: int, *, rejected_token: str | None = None) -> str:
    """A usable access token for the grant, refreshing it single-flight when it is (nearly) expired.

    ``rejected_token``: the token a Zoom call just refused (401 / code 124). A refresh is then forced,
    unless another worker has already replaced that token.
    """
    grant = ZoomGrant.objects.filter(pk=grant_id).first()
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


def call_with_token(grant_id: int, fn: Callable[[str], T]) -> T:
    """``fn(access_token)``; when Zoom refuses the token (ZoomAuthError: 401 / code 124), refresh once
    and call again exactly once. A second refusal propagates: the grant's fate is then the caller's
    decision (for example a /users/me re-check)."""
    token = get_access_token(grant_id)
    try:
        return fn(token)
    except ZoomAuthError:
        logger.info("Zoom refused the access token of grant %s; refreshing once and retrying.", grant_id)
    return fn(get_access_token(grant_id, rejected_token=token))


def _get_or_refresh_locked(grant_id: int, *, rejected_token: str | None) -> str:
    # Failures are decided inside the transaction but raised after it, so that what they wrote (the
    # grant marked invalid, its audit entry) commits instead of rolling back with the exception.
    failure: TokenError | None = None
    alerts: list[tuple[AlertEvent, str, dict[str, str | int | None]]] = []
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
        except TokenDecryptError as exc:
            failure = _fail_closed_locked(grant, exc, alerts)
        else:
            try:
                token_set = oauth.refresh(refresh_token)
            except oauth.OAuthInvalidGrant as exc:
                result = _on_invalid_grant_locked(grant, refresh_token, exc, alerts)
                if isinstance(result, str):
                    return result
                failure = result
            except oauth.OAuthInvalidClient as exc:
                alerts.append(
                    (
                        AlertEvent.ZOOM_CLIENT_REJECTED,
                        "Zoom refused our client credentials while refreshing a grant; check ZOOM_CLIENT_ID/SECRET.",
                        {"grant_id": grant_id, "status": exc.status, "error": exc.error},
                    )
                )
                failure = ZoomClientRejected(f"Zoom refused our client credentials ({exc}).", grant_id=grant_id)
            except oauth.OAuthTemporaryError as exc:
                failure = TokenRefreshRetryable(
                    f"Refreshing Zoom grant {grant_id} failed for now: {exc}",
                    grant_id=grant_id,
                    retry_after=exc.retry_after,
                )
            except oauth.OAuthError as exc:
                failure = TokenRefreshFailed(f"Refreshing Zoom grant {grant_id} failed: {exc}", grant_id=grant_id)
            else:
                if persist_refreshed_tokens(grant, token_set, expected_version=grant.token_version):
                    logger.info("Refreshed Zoom grant %s (version %s).", grant_id, grant.token_version + 1)
                    return token_set.access_token
                # Someone wrote the row without holding its lock (nothing in this project should).
                # Their pair is the stored one; ours is lost, and the next refresh tells whether theirs lives.
                logger.warning("Zoom grant %s changed under its lock; using the stored tokens.", grant_id)
                failure = _stored_if_fresh(grant_id)
                if isinstance(failure, str):
                    return failure
    for event, message, fields in alerts:
        alert(event, message, **fields)
    assert failure is not None
    raise failure


def _on_invalid_grant_locked(
    grant: ZoomGrant,
    refresh_token: str,
    exc: oauth.OAuthError,
    alerts: list[tuple[AlertEvent, str, dict[str, str | int | None]]],
) -> str | TokenError:
    # Re-read before declaring the grant dead: if the stored refresh token is no longer the one Zoom
    # refused, another writer refreshed (or re-authorized) meanwhile and its tokens are the live ones.
    current = ZoomGrant.objects.filter(pk=grant.pk).first()
    if current is None:
        return GrantUnavailable(f"Zoom grant {grant.pk} disappeared.", grant_id=grant.pk)
    try:
        still_stored = current.is_active and current.decrypt_refresh_token() == refresh_token
    except TokenDecryptError:
        still_stored = True
    if not still_stored:
        logger.info("Zoom refused an old refresh token of grant %s; another writer had refreshed.", grant.pk)
        return _stored_if_fresh(grant.pk)
    reason = (
        f"Zoom refused the refresh token ({exc.error or 'invalid_grant'}{': ' + exc.reason if exc.reason else ''})."
    )
    if current.invalidate(reason):
        IntegrationEvent.record(
            current.company_id,
            IntegrationEvent.Kind.GRANT_INVALIDATED,
            grant_id=current.pk,
            zoom_user_id=current.zoom_user_id,
            reason=reason,
        )
        alerts.append(
            (
                AlertEvent.ZOOM_GRANT_LOST,
                "A Zoom grant could not be refreshed and is now invalid.",
                {"grant_id": current.pk, "company_id": current.company_id, "error": exc.error},
            )
        )
    return GrantUnavailable(f"Zoom grant {grant.pk} is invalid: {reason}", grant_id=grant.pk)


def _fail_closed_locked(
    grant: ZoomGrant,
    exc: TokenDecryptError,
    alerts: list[tuple[AlertEvent, str, dict[str, str | int | None]]],
) -> TokenError:
    reason = "A stored token could not be decrypted (missing or wrong TOKEN_ENCRYPTION_KEYS entry, or a moved value)."
    if grant.invalidate(reason):
        IntegrationEvent.record(
            grant.company_id,
            IntegrationEvent.Kind.TOKEN_DECRYPT_FAILED,
            grant_id=grant.pk,
            zoom_user_id=grant.zoom_user_id,
        )
        alerts.append(
            (
                AlertEvent.TOKEN_DECRYPT_FAILED,
                "A stored Zoom token could not be decrypted; the grant is now invalid.",
                {"grant_id": grant.pk, "company_id": grant.company_id, "detail": str(exc)},
            )
        )
    return GrantUnavailable(f"Zoom grant {grant.pk} is invalid: {reason}", grant_id=grant.pk)


def _stored_if_fresh(grant_id: int) -> str | TokenError:
    current = ZoomGrant.objects.filter(pk=grant_id).first()
    if current is None or not current.is_active:
        return GrantUnavailable(f"Zoom grant {grant_id} is no longer active.", grant_id=grant_id)
    if current.expires_within(REFRESH_MARGIN.total_seconds()):
        return TokenRefreshRetryable(f"Zoom grant {grant_id} changed during a refresh; try again.", grant_id=grant_id)
    try:
        return current.decrypt_access_token()
    except TokenDecryptError:
        return TokenRefreshRetryable(f"Zoom grant {grant_id} changed during a refresh; try again.", grant_id=grant_id)


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
    grant.status = ZoomGrant.Status.ACTIVE
    grant.last_error = ""
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


def invalidate_grant(grant_id: int, *, reason: str) -> bool:
    """Mark a grant invalid from outside a refresh (for example Zoom's 4735 on a /users/me re-check),
    with its audit entry and alert. Returns False when it was not active."""
    with transaction.atomic():
        grant = ZoomGrant.objects.select_for_update().filter(pk=grant_id).first()
        if grant is None or not grant.is_active:
            return False
        grant.invalidate(reason)
        IntegrationEvent.record(
            grant.company_id,
            IntegrationEvent.Kind.GRANT_INVALIDATED,
            grant_id=grant.pk,
            zoom_user_id=grant.zoom_user_id,
            reason=reason[:500],
        )
    alert(
        AlertEvent.ZOOM_GRANT_LOST,
        "A Zoom grant is now invalid.",
        grant_id=grant_id,
        company_id=grant.company_id,
    )
    return True
