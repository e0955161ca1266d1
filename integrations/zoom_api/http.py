"""The HTTP conventions of every call to Zoom (STYLE rule 2): one session factory, with a timeout that
cannot be forgotten and our User-Agent, and the reading of Zoom's ``Retry-After``.

The OAuth handshake (authlib's ``OAuth2Session``, itself a ``requests.Session``) and the REST client
both take their defaults from here, and share one connection pool per process and thread: against
zoom.us over TLS every new connection costs a TCP and a TLS handshake (several round trips from Tokyo),
so connections are kept alive and reused (issue 16). A ``requests.Session`` is not promised thread-safe,
and a pool must not cross a fork (Celery's prefork children), so both are kept per thread and per
process id. Certificates are always verified, against ``ZOOM_CA_BUNDLE`` when it is set.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

USER_AGENT = "HERP-Zoom-Integration/1.0"


def timeout() -> tuple[float, float]:
    """(connect, read) seconds, read at call time: tests shorten it."""
    value: tuple[float, float] = settings.ZOOM_HTTP_TIMEOUT
    return value


def verify() -> str | bool:
    """What certificates are checked against: ZOOM_CA_BUNDLE when set, else the system's. Passed on
    every request, since requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment win over
    a session's own ``verify`` (found by bench/tls.py)."""
    ca_bundle: str | None = settings.ZOOM_CA_BUNDLE
    return ca_bundle or True


class ZoomSession(requests.Session):
    """A requests session that never waits without a timeout and always checks certificates our way."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", timeout())
        kwargs.setdefault("verify", verify())
        return super().request(method, url, *args, **kwargs)


class _PerThread(threading.local):
    pid: int = 0
    adapter: HTTPAdapter | None = None
    session: ZoomSession | None = None


_local = _PerThread()


def _current() -> _PerThread:
    if _local.pid != os.getpid():
        # A forked child inherits the parent's objects: its own pool starts empty.
        _local.pid, _local.adapter, _local.session = os.getpid(), None, None
    return _local


def pool() -> HTTPAdapter:
    """This process's and thread's connection pool (keep-alive), bounded by ZOOM_HTTP_POOL_SIZE."""
    local = _current()
    if local.adapter is None:
        size: int = settings.ZOOM_HTTP_POOL_SIZE
        local.adapter = HTTPAdapter(pool_connections=2, pool_maxsize=size, max_retries=0)
    return local.adapter


def configure(session: requests.Session) -> requests.Session:
    """Our headers, certificate checks and connection pool on any session, authlib's included."""
    session.headers["User-Agent"] = USER_AGENT
    session.verify = verify()
    adapter = pool()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def api_session() -> ZoomSession:
    """This process's and thread's session to Zoom's REST API: timeout, User-Agent, JSON, keep-alive.
    Callers must not close it."""
    local = _current()
    if local.session is None:
        session = ZoomSession()
        configure(session)
        session.headers["Accept"] = "application/json"
        local.session = session
    return local.session


def reset() -> None:
    """Drop this thread's session and pool (tests that change the CA bundle or pool size)."""
    local = _current()
    if local.session is not None:
        local.session.close()
    if local.adapter is not None:
        local.adapter.close()
    local.adapter, local.session = None, None


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
