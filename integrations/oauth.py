"""The OAuth handshake with Zoom: the only OAuth network code of the project (STYLE rule 1).

Built on authlib's requests client; nothing here writes OAuth by hand. Every session comes from
``oauth_session()`` (timeout and User-Agent), endpoints are read from settings.ZOOM_OAUTH_BASE_URL at
call time so that tests and the emulator can stand in for https://zoom.us, and every failure becomes
one of a few exceptions the callers can act on (all under ``zoom_api.errors.ZoomError``):

- ``OAuthInvalidGrant``: the code or refresh token is dead (400 invalid_grant, or invalid_request
  "Invalid Token!" in older Zoom answers). The grant needs a new authorization.
- ``OAuthInvalidClient``: Zoom refused our client credentials (401). An operator problem, not a company's.
- ``OAuthTemporaryError``: 429, 5xx, a timeout or a broken connection; nothing was decided, retry later.
- ``OAuthError``: anything else (a misconfiguration or an unexpected answer); not worth retrying blindly.

Exception messages carry the HTTP status and Zoom's error name and reason, never a token, code,
verifier or client secret.

Reference: https://developers.zoom.us/docs/integrations/oauth/
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError as AuthlibOAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.utils import timezone

from integrations.zoom_api import http
from integrations.zoom_api.errors import (
    OAuthError,
    OAuthInvalidClient,
    OAuthInvalidGrant,
    OAuthNotConfigured,
    OAuthTemporaryError,
)

# The scopes the app is registered with in Zoom, chosen once (issue 14): changing a published app's
# scopes makes every user authorize again (zoom/NOTES.md section 11), so the set covers the roadmap too.
# Zoom grants what the app's configuration lists, so the authorize URL does not send them; they are here
# to compare with what a token response says it granted. No scope is used before its feature exists;
# the reasons are in docs/decisions.md and the README's "Zoom app configuration".
ZOOM_SCOPES: tuple[str, ...] = (
    "user:read:user",  # /users/me: whose tokens, which account (connect, link, upkeep's re-check)
    "user:read:settings",  # the host's effective settings for the "waiting for host" checklist
    "meeting:write:meeting",  # create the interview's meeting as its host
    "meeting:read:meeting",  # read it back; meeting.updated / meeting.deleted events
    "meeting:update:meeting",  # moves, and putting back what was changed in Zoom
    "meeting:delete:meeting",  # cancellations and replaced meetings
    "meeting:read:list_meetings",  # find our meeting by its marker after a lost answer
    "meeting:read:participant",  # participant and waiting-room events: the waiting-guest rescue
    "meeting:read:list_past_participants",  # attendance checked after the meeting ended (roadmap)
    "meeting:read:summary",  # the AI Companion summary into the selection record (roadmap)
    "cloud_recording:read:list_recording_files",  # the recording's transcript into the record (roadmap)
)

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"
REVOKE_PATH = "/oauth/revoke"

# Zoom's access tokens live an hour; when a response omits expires_in we assume a little less.
DEFAULT_EXPIRES_IN = 3599


@dataclass(frozen=True)
class TokenSet:
    """A token endpoint's answer. Tokens are left out of repr so that logging the object is safe.

    ``refresh_token`` is None when Zoom answered 200 without one: a refresh then keeps the stored one,
    and a first connection must be refused.
    """

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...] = ()
    token_type: str = "bearer"


@dataclass(frozen=True)
class AuthorizeRequest:
    """What the Connect/Link view needs: the URL to send the browser to, and what to keep server-side."""

    url: str
    state: str = field(repr=False)
    code_verifier: str = field(repr=False)

    # Unpacking as (url, state, code_verifier) keeps call sites short.
    def __iter__(self) -> Iterator[str]:
        return iter((self.url, self.state, self.code_verifier))


def _endpoint(path: str) -> str:
    return settings.ZOOM_OAUTH_BASE_URL.rstrip("/") + path


class ZoomOAuthSession(OAuth2Session):  # type: ignore[misc]  # authlib ships no types
    """authlib's session, passing our certificate check on every request (zoom_api.http.verify)."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("verify", http.verify())
        response: requests.Response = super().request(method, url, *args, **kwargs)
        return response


def oauth_session(**kwargs: Any) -> OAuth2Session:
    """Every OAuth call goes through a session made here: our client credentials, HTTP Basic client
    authentication, PKCE S256, the project's timeout, User-Agent and pooled connections. Callers do not
    close it: that would close the connections it shares with the REST client (zoom_api.http)."""
    client_id = settings.ZOOM_CLIENT_ID
    client_secret = settings.ZOOM_CLIENT_SECRET
    if not client_id or not client_secret:
        raise OAuthNotConfigured("Zoom is not configured: ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET are not set.")
    session = ZoomOAuthSession(
        client_id=client_id,
        client_secret=client_secret,
        # Zoom documents Basic base64(client_id:client_secret) on /oauth/token and /oauth/revoke.
        token_endpoint_auth_method="client_secret_basic",
        revocation_endpoint_auth_method="client_secret_basic",
        code_challenge_method="S256",
        default_timeout=http.timeout(),
        **kwargs,
    )
    http.configure(session)
    return session


def new_code_verifier() -> str:
    # 64 random bytes → 86 URL-safe characters: within RFC 7636's 43..128 and its character set.
    return secrets.token_urlsafe(64)


def build_authorize_url(redirect_uri: str) -> AuthorizeRequest:
    """A fresh authorize URL with a random ``state`` and a PKCE S256 challenge.

    The caller keeps ``state`` and ``code_verifier`` server-side (session or DB row); only the
    challenge travels in the URL.
    Reference: https://developers.zoom.us/docs/integrations/oauth/#step-1-request-user-authorization
    """
    state = secrets.token_urlsafe(32)
    code_verifier = new_code_verifier()
    session = oauth_session(redirect_uri=redirect_uri)
    url, _ = session.create_authorization_url(_endpoint(AUTHORIZE_PATH), state=state, code_verifier=code_verifier)
    return AuthorizeRequest(url=url, state=state, code_verifier=code_verifier)


def exchange_code(code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
    """Trade an authorization code for tokens. A code is single-use: callers never retry this.

    Reference: https://developers.zoom.us/docs/integrations/oauth/#step-2-request-access-token
    """
    session = oauth_session(redirect_uri=redirect_uri)
    return _token_call(
        session,
        "access_token_response",
        lambda: session.fetch_token(
            _endpoint(TOKEN_PATH),
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
        ),
    )


def refresh(refresh_token: str) -> TokenSet:
    """Trade a refresh token for a new pair. Zoom rotates refresh tokens: the old one dies on success.

    Reference: https://developers.zoom.us/docs/integrations/oauth/#refreshing-an-access-token
    """
    session = oauth_session()
    return _token_call(
        session,
        "refresh_token_response",
        lambda: session.refresh_token(_endpoint(TOKEN_PATH), refresh_token=refresh_token),
    )


def revoke(token: str) -> None:
    """Revoke a grant at Zoom. Zoom then uninstalls the app for that Zoom user and sends
    ``app_deauthorized``. A token Zoom no longer knows raises ``OAuthInvalidGrant``: the caller may
    treat that as already revoked.

    Reference: https://developers.zoom.us/docs/integrations/oauth/#revoking-an-access-token
    """
    session = oauth_session()
    try:
        response = session.revoke_token(_endpoint(REVOKE_PATH), token=token)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise OAuthTemporaryError(f"Zoom's revoke endpoint did not answer ({type(exc).__name__}).") from None
    _raise_for_error(response)


# --- Response handling -----------------------------------------------------------------------------


def _token_call(session: OAuth2Session, hook_type: str, call: Callable[[], Any]) -> TokenSet:
    # authlib fills a missing refresh_token with the one it sent, which would hide the case T09 needs
    # to see. The compliance hook sees the raw response first: it turns failures into our exceptions
    # before authlib guesses at them, and keeps the raw JSON for building the TokenSet.
    seen: dict[str, Any] = {}

    def inspect(response: requests.Response) -> requests.Response:
        _raise_for_error(response)
        seen["body"] = _json_object(response)
        return response

    session.register_compliance_hook(hook_type, inspect)
    try:
        call()
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise OAuthTemporaryError(f"Zoom's token endpoint did not answer ({type(exc).__name__}).") from None
    except AuthlibOAuthError as exc:
        # A 200 whose body still says "error" (authlib's check after our hook).
        raise _error_for(200, str(exc.error or ""), str(exc.description or "")) from None
    return _token_set(seen.get("body") or {})


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _raise_for_error(response: requests.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    body = _json_object(response)
    error = str(body.get("error") or "")
    # Zoom says "reason"; RFC 6749 says "error_description". Either is a short human text, no secret.
    reason = str(body.get("reason") or body.get("error_description") or body.get("message") or "")
    if status == 429 or status >= 500:
        raise OAuthTemporaryError(
            _message(status, error, reason),
            status=status,
            error=error,
            reason=reason,
            retry_after=http.parse_retry_after(response.headers.get("Retry-After")),
        )
    raise _error_for(status, error, reason)


def _error_for(status: int, error: str, reason: str) -> OAuthError:
    message = _message(status, error, reason)
    # Dead refresh token: 400 {"reason":"Invalid Token!","error":"invalid_grant"}, or "invalid_request"
    # in older answers; a used or expired code is also invalid_request/invalid_grant (zoom/NOTES.md §1).
    if error in ("invalid_grant", "invalid_request"):
        return OAuthInvalidGrant(message, status=status, error=error, reason=reason)
    # RFC 6749 §5.2: a 401 from the token endpoint is the client's authentication failing.
    if error == "invalid_client" or (status == 401 and error != "invalid_grant"):
        return OAuthInvalidClient(message, status=status, error=error, reason=reason)
    return OAuthError(message, status=status, error=error, reason=reason)


def _message(status: int, error: str, reason: str) -> str:
    detail = ": ".join(part for part in (error, reason) if part)
    return f"Zoom's OAuth endpoint answered HTTP {status}" + (f" ({detail[:200]})" if detail else "")


def _token_set(body: dict[str, Any]) -> TokenSet:
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        # A 200 without a token is not something to store; it is likely a proxy's page.
        raise OAuthTemporaryError("Zoom's token endpoint answered 200 without an access token.", status=200)
    refresh_token = body.get("refresh_token")
    try:
        expires_in = int(body.get("expires_in") or DEFAULT_EXPIRES_IN)
    except (TypeError, ValueError):
        expires_in = DEFAULT_EXPIRES_IN
    scope = body.get("scope")
    return TokenSet(
        access_token=access_token,
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
        expires_at=timezone.now() + timedelta(seconds=max(expires_in, 0)),
        scopes=tuple(scope.split()) if isinstance(scope, str) else (),
        token_type=str(body.get("token_type") or "bearer"),
    )
