"""One root for everything that can go wrong talking to Zoom, so callers catch ``ZoomError`` and ask it
what to do instead of listing classes (sentry's ``ApiError`` tree; healthchecks' ``TransportError``
with its ``permanent`` flag).

Every error answers three questions:
- ``retryable``: may the same call succeed later without a person acting?
- ``retry_after``: seconds Zoom asked us to wait, when it said (None otherwise).
- ``outcome_unknown``: may Zoom have acted although we saw an error? True for a transport failure, any
  5xx, any answer we cannot read and any status Zoom does not document as a refusal: a gateway or Zoom
  itself may fail after the meeting was made (RELIABILITY T28). Only a documented refusal (400, 401,
  404, 429 with Zoom's error body) proves nothing happened.

The tree:

    ZoomError
    ├── ZoomAuthError          401 / code 124: the access token was refused
    ├── ZoomScopeError         code 4711: the token lacks a scope
    ├── ZoomNotFound           404 / code 1001 / 3001
    ├── ZoomRefused            400: Zoom refused the request as it stands
    ├── ZoomRateLimited        429 (``daily_limit`` for the per-host daily cap)
    ├── ZoomUnavailable        no usable answer: transport, 5xx, unreadable, undocumented status
    ├── OAuthError             the token endpoint (integrations.oauth)
    │   ├── OAuthNotConfigured
    │   ├── OAuthInvalidGrant
    │   ├── OAuthInvalidClient
    │   └── OAuthTemporaryError
    └── TokenError             a usable access token could not be had (integrations.tokens)
        ├── GrantUnavailable
        ├── TokenRefreshRetryable
        ├── ZoomClientRejected
        ├── TokenRefreshFailed
        └── MissingRefreshToken

Messages carry statuses, Zoom's error codes and short texts, never a token, code or secret.
"""

from __future__ import annotations

from datetime import datetime


class ZoomError(Exception):
    retryable: bool = False
    outcome_unknown: bool = False

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after


# --- REST ------------------------------------------------------------------------------------------


class ZoomAuthError(ZoomError):
    """The access token was refused (401 / code 124). Refresh once, then give up."""


class ZoomScopeError(ZoomError):
    """The token lacks a scope the endpoint needs (code 4711): permanent until the user re-authorizes."""


class ZoomNotFound(ZoomError):
    """The user or meeting does not exist for this token (404 / 1001 / 3001). Permanent."""


class ZoomRefused(ZoomError):
    """Zoom refused the request as it stands (400 with its error body): nothing was made or changed."""


class ZoomRateLimited(ZoomError):
    """429. Zoom did not act; ``daily_limit`` is the per-host cap that resets at ``retry_at``."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        code: int | None = None,
        retry_after: float | None = None,
        retry_at: datetime | None = None,
        daily_limit: bool = False,
    ) -> None:
        super().__init__(message, status=status, code=code, retry_after=retry_after)
        self.retry_at = retry_at
        self.daily_limit = daily_limit


class ZoomUnavailable(ZoomError):
    """No usable answer: a timeout, a broken connection, a 5xx, a body we cannot read, or a status Zoom
    does not document. Try again later, and assume Zoom may have acted."""

    retryable = True
    outcome_unknown = True


# --- OAuth (the token endpoint) --------------------------------------------------------------------


class OAuthError(ZoomError):
    """A token endpoint failure. ``error`` and ``reason`` are Zoom's short texts (never a token)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str = "",
        reason: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, retry_after=retry_after)
        self.error = error
        self.reason = reason


class OAuthNotConfigured(OAuthError):
    """ZOOM_CLIENT_ID or ZOOM_CLIENT_SECRET is missing (DEBUG without credentials or the emulator)."""


class OAuthInvalidGrant(OAuthError):
    """The authorization code or refresh token is no longer valid: a new authorization is needed."""


class OAuthInvalidClient(OAuthError):
    """Zoom refused our client credentials: an operator problem, not a company's."""


class OAuthTemporaryError(OAuthError):
    """429, 5xx, a timeout or a broken connection: nothing was decided, retry later."""

    retryable = True


# --- Tokens ----------------------------------------------------------------------------------------


class TokenError(ZoomError):
    """A usable access token for a grant could not be had. Messages name grants by id, never a token."""

    def __init__(self, message: str, *, grant_id: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        self.grant_id = grant_id


class GrantUnavailable(TokenError):
    """The grant is missing, invalid or revoked: it needs a new authorization. Permanent."""


class TokenRefreshRetryable(TokenError):
    """Zoom could not refresh right now (429, 5xx, timeout); the stored tokens are untouched."""

    retryable = True


class ZoomClientRejected(TokenError):
    """Zoom refused our client credentials while refreshing. Retried: operators fix the configuration,
    and the grant itself may be fine."""

    retryable = True


class TokenRefreshFailed(TokenError):
    """Zoom answered the refresh with an error we cannot classify; tokens untouched, not retried blindly."""


class MissingRefreshToken(TokenError):
    """A token response without a refresh token, and no stored one to keep: nothing usable to store."""
