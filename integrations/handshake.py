"""Pending OAuth authorizations, kept server-side in the person's session.

The ``state`` sent to Zoom is random and single-use, and only means something in the session of the
person who started the handshake: a callback opened in anyone else's browser (another admin, another
company) finds nothing and changes nothing (RELIABILITY T01, T02). The PKCE verifier stays here and
never travels (T03). The same store serves the company connection and the personal link.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from herp.tenancy import MemberRequest
from integrations import oauth

SESSION_KEY = "zoom_oauth_pending"
# A person may have a few handshakes open (two tabs, a retry); older ones are dropped beyond this.
MAX_PENDING = 5
# RELIABILITY T01: a state older than an hour is refused.
STATE_TTL_SECONDS = 60 * 60

CONNECT_CALLBACK_PATH = "/integrations/zoom/callback/"
LINK_CALLBACK_PATH = "/accounts/zoom/callback/"


class Purpose(StrEnum):
    CONNECT = "connect"
    LINK = "link"


CALLBACK_PATHS = {Purpose.CONNECT: CONNECT_CALLBACK_PATH, Purpose.LINK: LINK_CALLBACK_PATH}


class StateRejected(Exception):
    """The callback's ``state`` does not belong to a handshake this person started. ``reason`` is
    one of missing, unknown, expired, wrong_purpose, wrong_user (for the audit log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pending:
    purpose: str
    user_id: int
    company_id: int
    code_verifier: str
    redirect_uri: str
    started_at: float


def redirect_uri(purpose: Purpose) -> str:
    """Always the configured one: never derived from the request's Host (RELIABILITY T04)."""
    return settings.SITE_URL.rstrip("/") + CALLBACK_PATHS[purpose]


def start(request: MemberRequest, purpose: Purpose) -> str:
    """Creates a pending authorization for the signed-in person and returns Zoom's authorize URL."""
    uri = redirect_uri(purpose)
    authorize = oauth.build_authorize_url(uri)
    pending = _load(request)
    pending[authorize.state] = asdict(
        Pending(
            purpose=purpose.value,
            user_id=request.user.id,
            company_id=request.user.tenant.id,
            code_verifier=authorize.code_verifier,
            redirect_uri=uri,
            started_at=time.time(),
        )
    )
    # Keep the newest few: dict order is insertion order.
    for stale in list(pending)[:-MAX_PENDING]:
        del pending[stale]
    request.session[SESSION_KEY] = pending
    return authorize.url


def finish(request: MemberRequest, state: str | None, purpose: Purpose) -> Pending:
    """Pops the pending authorization for ``state``: single use, whatever the outcome."""
    if not state:
        raise StateRejected("missing")
    pending = _load(request)
    entry = pending.pop(state, None)
    request.session[SESSION_KEY] = pending
    if entry is None:
        raise StateRejected("unknown")
    found = Pending(**entry)
    if time.time() - found.started_at > STATE_TTL_SECONDS:
        raise StateRejected("expired")
    if found.purpose != purpose.value:
        raise StateRejected("wrong_purpose")
    if found.user_id != request.user.id or found.company_id != request.user.company_id:
        raise StateRejected("wrong_user")
    return found


def _load(request: HttpRequest) -> dict[str, dict[str, Any]]:
    stored = request.session.get(SESSION_KEY)
    return dict(stored) if isinstance(stored, dict) else {}
