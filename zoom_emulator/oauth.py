"""Zoom's OAuth rules: consent, codes, grants, rotation and revocation. The views only translate HTTP.

Reference: https://developers.zoom.us/docs/integrations/oauth/ and NOTES.md section 1.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from zoom_emulator import accounts, faults, webhooks
from zoom_emulator.ids import DB, opaque_token
from zoom_emulator.models import App, AuthorizationCode, Grant, User

CODE_LIFETIME = timedelta(minutes=5)


class TokenError(Exception):
    """A refusal in the token endpoint's ``{"reason", "error"}`` shape."""

    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason


INVALID_CLIENT = TokenError(401, "invalid_client", "Invalid client_id or client_secret")
INVALID_CODE = TokenError(400, "invalid_request", "Invalid authorization code")
EXPIRED_CODE = TokenError(400, "invalid_request", "Invalid authorization code, code is expired")
REDIRECT_MISMATCH = TokenError(400, "invalid_request", "Redirect URI mismatch.")
INVALID_VERIFIER = TokenError(400, "invalid_request", "Invalid code_verifier")
INVALID_TOKEN = TokenError(400, "invalid_grant", "Invalid Token!")
UNSUPPORTED_GRANT = TokenError(400, "unsupported_grant_type", "Unsupported grant type")
EMPTY_TOKEN = TokenError(400, "invalid_request", "Token cannot be empty")


class Outcome(enum.Enum):
    """What Zoom shows a signed-in user who opens an app's authorize URL."""

    CONSENT = "consent"
    # The account requires pre-approval and the app has none; an owner or admin may give it on the spot.
    PREAPPROVE = "preapprove"
    # The same for a member: an admin must approve, and the member may ask for it.
    REQUEST = "request"
    # A member whose request is waiting for an admin.
    REQUESTED = "requested"


def consent_outcome(user: User, app: App) -> Outcome:
    # The one place that decides which screen the user meets: the account's policy, the app's
    # pre-approval for the whole account, the user's privileges, and a waiting request.
    account = user.account
    if not account.requires_preapproval or accounts.is_preapproved(account, app):
        return Outcome.CONSENT
    if accounts.is_admin(user):
        return Outcome.PREAPPROVE
    if accounts.pending_request(user, app) is not None:
        return Outcome.REQUESTED
    return Outcome.REQUEST


def authenticate_client(authorization: str | None) -> App:
    """HTTP Basic ``base64(client_id:client_secret)``; anything else is ``invalid_client``."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise INVALID_CLIENT
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise INVALID_CLIENT from None
    client_id, colon, client_secret = decoded.partition(":")
    if not colon:
        raise INVALID_CLIENT
    app = App.objects.filter(client_id=client_id).first()
    if app is None or not constant_time_compare(app.client_secret, client_secret):
        raise INVALID_CLIENT
    return app


def issue_code(*, user: User, app: App, redirect_uri: str, code_challenge: str, code_challenge_method: str) -> str:
    now = timezone.now()
    code = AuthorizationCode.objects.create(
        code=opaque_token()[:40],
        app=app,
        user=user,
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method if code_challenge else "",
        scopes=list(app.scopes),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    return code.code


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    scopes: list[str]
    # A rotate-then-drop switch fired: the tokens are stored, and the client must get this status instead.
    dropped_status: int | None = None


def exchange_code(*, app: App, code: str, redirect_uri: str, code_verifier: str) -> Tokens:
    if not code:
        raise INVALID_CODE
    with transaction.atomic(using=DB):
        # The lock makes a code single use even when two exchanges race.
        row = (
            AuthorizationCode.objects.select_for_update()
            .select_related("user", "app")
            .filter(code=code, app=app)
            .first()
        )
        if row is None or row.used_at is not None:
            raise INVALID_CODE
        now = timezone.now()
        # Every attempt uses the code up, as OAuth asks, so a leaked code cannot be retried until it fits.
        row.used_at = now
        row.save(update_fields=["used_at"])
    if row.expires_at <= now:
        raise EXPIRED_CODE
    if row.redirect_uri != redirect_uri:
        raise REDIRECT_MISMATCH
    if row.code_challenge and not _verifier_matches(row.code_challenge, row.code_challenge_method, code_verifier):
        raise INVALID_VERIFIER
    with transaction.atomic(using=DB):
        grant, _ = Grant.objects.select_for_update().get_or_create(
            user=row.user, app=app, defaults={"scopes": list(row.scopes)}
        )
        # Zoom keeps one live token set per user and app: this authorization cancels the previous one.
        grant.scopes = list(row.scopes)
        grant.revoked = False
        grant.revoked_at = None
        return _rotate(grant)


def refresh(*, app: App, refresh_token: str) -> Tokens:
    if not refresh_token:
        raise INVALID_TOKEN
    with transaction.atomic(using=DB):
        # Concurrent refreshes with one token queue on this row; once the first commits, the row no
        # longer matches the old token for the others (PostgreSQL re-checks the WHERE), so exactly one wins.
        grant = (
            Grant.objects.select_for_update()
            .filter(app=app, refresh_token=refresh_token, revoked=False)
            .select_related("app")
            .first()
        )
        if grant is None:
            raise INVALID_TOKEN
        return _rotate(grant)


def _rotate(grant: Grant) -> Tokens:
    now = timezone.now()
    grant.access_token = opaque_token()
    grant.refresh_token = opaque_token()
    grant.access_token_expires_at = now + timedelta(seconds=grant.app.access_token_ttl)
    grant.save()
    return Tokens(
        access_token=grant.access_token,
        refresh_token=grant.refresh_token,
        expires_in=grant.app.access_token_ttl,
        scopes=list(grant.scopes),
        dropped_status=faults.take_drop(faults.TOKEN_ENDPOINT),
    )


def revoke(*, app: App, token: str) -> Grant:
    """End the grant that ``token`` (access or refresh) belongs to; Zoom then tells the app."""
    if not token:
        raise EMPTY_TOKEN
    with transaction.atomic(using=DB):
        grant = (
            Grant.objects.select_for_update()
            .filter(app=app, revoked=False)
            .filter(_token_matches(token))
            .select_related("app", "user__account")
            .first()
        )
        if grant is None:
            raise TokenError(400, "invalid_request", "Invalid Token!")
        end_grant(grant)
    return grant


def end_grant(grant: Grant) -> None:
    """Uninstall the app for the grant's user (inside a transaction): tokens gone, webhook queued."""
    grant.revoked = True
    grant.revoked_at = timezone.now()
    grant.access_token = None
    grant.refresh_token = None
    grant.access_token_expires_at = None
    grant.save()
    webhooks.send_app_deauthorized(grant)


def set_app_scopes(scopes: list[str] | tuple[str, ...], app: App | str | None = None) -> App:
    """The developer changes the scopes the app asks for (Zoom: a new app version, once approved). Grants
    already given keep the scopes they were given, refreshes included, so their tokens answer 4711 on an
    endpoint needing a new scope; the user's next authorization (the consent page lists the new set)
    grants the new set. ``app`` defaults to the product's."""
    app = accounts.get_app(app)
    if not scopes or not all(isinstance(scope, str) and scope.strip() for scope in scopes):
        raise ValueError("An app asks for at least one scope, each a non-empty name.")
    app.scopes = list(dict.fromkeys(scope.strip() for scope in scopes))
    app.save(update_fields=["scopes"])
    return app


def granted_scopes(user: User | str, app: App | str | None = None) -> list[str]:
    """The scopes the user's live grant for the app carries (what its tokens may do); [] without one."""
    grant = Grant.objects.filter(user=accounts.get_user(user), app=accounts.get_app(app), revoked=False).first()
    return list(grant.scopes) if grant is not None else []


def added_apps(user: User | str) -> list[Grant]:
    """The apps a Zoom user has authorized and not removed (the web portal's Added apps), oldest first."""
    user = accounts.get_user(user)
    return list(Grant.objects.filter(user=user, revoked=False).select_related("app").order_by("created_at", "pk"))


def remove_app(user: User | str, app: App | str | None = None) -> Grant:
    """The Zoom user removes the app from their Zoom (Added apps › Remove): the grant ends as on
    ``/oauth/revoke`` (tokens dead) and the app receives a signed ``app_deauthorized``. ``app`` defaults
    to the product's. Raises ``accounts.AccountError`` when the user has no live grant for it."""
    user = accounts.get_user(user)
    app = accounts.get_app(app)
    with transaction.atomic(using=DB):
        grant = (
            Grant.objects.select_for_update()
            .filter(user=user, app=app, revoked=False)
            .select_related("app", "user__account")
            .first()
        )
        if grant is None:
            raise accounts.AccountError(f"{user.email} has not added {app.name}.")
        end_grant(grant)
    return grant


def _token_matches(token: str) -> Q:
    return Q(access_token=token) | Q(refresh_token=token)


def _verifier_matches(challenge: str, method: str, verifier: str) -> bool:
    if not verifier:
        return False
    if method == AuthorizationCode.Method.PLAIN:
        return constant_time_compare(challenge, verifier)
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return constant_time_compare(challenge, expected)
