"""The HTTP conventions of every call to Zoom (STYLE rule 2): one session factory, with a timeout that
cannot be forgotten and our User-Agent, and the reading of Zoom's ``Retry-After``.

The OAuth handshake (authlib's ``OAuth2Session``, itself a ``requests.Session``) and the REST client
both take their defaults from here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings

USER_AGENT = "HERP-Zoom-Integration/1.0"


def timeout() -> tuple[float, float]:
    """(connect, read) seconds, read at call time: tests shorten it."""
    value: tuple[float, float] = settings.ZOOM_HTTP_TIMEOUT
    return value


class ZoomSession(requests.Session):
    """A requests session that never waits without a timeout."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", timeout())
        return super().request(method, url, *args, **kwargs)


def configure(session: requests.Session) -> requests.Session:
    """Our headers on any session, authlib's included."""
    session.headers["User-Agent"] = USER_AGENT
    return session


def api_session() -> ZoomSession:
    """A session to Zoom's REST API: timeout, User-Agent, JSON."""
    session = ZoomSession()
    configure(session)
    session.headers["Accept"] = "application/json"
    return session


def next_utc_midnight(now: datetime) -> datetime:
    return (now.astimezone(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds, an HTTP date, or (Zoom's daily
    limit) an ISO 8601 date such as ``2020-05-31T00:00:00Z``. None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    now = now or datetime.now(UTC)
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # "nan" and "inf" parse as floats; neither is a wait anyone can honour.
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    when: datetime | None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)
