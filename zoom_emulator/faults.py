"""Fault switches: make an endpoint fail on purpose, for the next N calls or until cleared.

They live in the database so that a test, the dev server and a Celery worker all see the same switches.
Each switch names the endpoint it targets: the token endpoint (``oauth.token``, the default) or an API
endpoint by its ``api_view`` name (``ENDPOINTS``), e.g. ``fail_with(503, endpoint="meetings.create")``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from zoom_emulator.ids import DB
from zoom_emulator.models import Fault

TOKEN_ENDPOINT = "oauth.token"
MEETING_ENDPOINTS = (
    "meetings.create",
    "meetings.get",
    "meetings.update",
    "meetings.delete",
    "meetings.list",
    "users.settings",
)
ENDPOINTS = (TOKEN_ENDPOINT, "users.me", "users.get", *MEETING_ENDPOINTS)
# Bounds that keep a typo from hanging a worker for hours or overflowing a column.
MAX_DELAY_MS = 60_000
MAX_TIMES = 1_000_000


def fail_with(
    status_code: int = 500, *, times: int | None = 1, endpoint: str = TOKEN_ENDPOINT, rate: float | None = None
) -> Fault:
    """A 5xx for the next ``times`` calls; with ``rate`` (0 < rate <= 1) only that share of calls fails,
    and only the calls it hits count towards ``times``."""
    if not 500 <= status_code <= 599:
        raise ValueError("A server-error switch takes a 5xx status.")
    if rate is not None and not 0 < rate <= 1:
        raise ValueError("A rate must be above 0 and at most 1.")
    return _add(Fault.Kind.SERVER_ERROR, endpoint, times, status_code=status_code, probability=rate)


def rate_limit(*, times: int | None = 1, endpoint: str = TOKEN_ENDPOINT, retry_after: int | None = None) -> Fault:
    """A burst of per-second 429s; ``retry_after`` (seconds) is sent as ``Retry-After`` by API endpoints."""
    if retry_after is not None and not 0 <= retry_after <= 86_400:
        raise ValueError("retry_after must be between 0 and 86400 seconds.")
    return _add(Fault.Kind.RATE_LIMIT, endpoint, times, status_code=429, retry_after=retry_after)


def delay(ms: int, *, times: int | None = 1, endpoint: str = TOKEN_ENDPOINT) -> Fault:
    if not 0 <= ms <= MAX_DELAY_MS:
        raise ValueError(f"A delay must be between 0 and {MAX_DELAY_MS} ms.")
    return _add(Fault.Kind.DELAY, endpoint, times, delay_ms=ms)


def rotate_then_drop(*, times: int | None = 1, status_code: int = 500, endpoint: str = TOKEN_ENDPOINT) -> Fault:
    """The next successful token call stores new tokens at Zoom, but the client only gets ``status_code``."""
    if not 500 <= status_code <= 599:
        raise ValueError("A dropped response takes a 5xx status.")
    return _add(Fault.Kind.ROTATE_THEN_DROP, endpoint, times, status_code=status_code)


def drop_after(endpoint: str, *, times: int | None = 1, status_code: int = 500) -> Fault:
    """The next successful call to an API endpoint does its work (the meeting is made, changed or
    deleted) but the client only gets ``status_code``: the "lost response" a client must recover from."""
    return rotate_then_drop(times=times, status_code=status_code, endpoint=endpoint)


def clear(endpoint: str | None = None) -> None:
    queryset = Fault.objects.all()
    if endpoint is not None:
        queryset = queryset.filter(endpoint=endpoint)
    queryset.delete()


def active(endpoint: str | None = None) -> list[Fault]:
    queryset = Fault.objects.all()
    if endpoint is not None:
        queryset = queryset.filter(endpoint=endpoint)
    return list(queryset)


def _add(
    kind: str,
    endpoint: str,
    times: int | None,
    *,
    status_code: int | None = None,
    delay_ms: int | None = None,
    probability: float | None = None,
    retry_after: int | None = None,
) -> Fault:
    if times is not None and not 1 <= times <= MAX_TIMES:
        raise ValueError(f"times must be between 1 and {MAX_TIMES}, or None for 'until cleared'.")
    if endpoint not in ENDPOINTS:
        raise ValueError(f"Unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}.")
    return Fault.objects.create(
        endpoint=endpoint,
        kind=kind,
        remaining=times,
        status_code=status_code,
        delay_ms=delay_ms,
        probability=probability,
        retry_after=retry_after,
    )


@dataclass(frozen=True)
class Plan:
    """What the switches ask of one call."""

    delay_ms: int = 0
    status_code: int | None = None
    retry_after: int | None = None


def take(endpoint: str) -> Plan:
    """Consume the delay, 5xx and 429 switches that apply to this call."""
    switches = _consume(endpoint, [Fault.Kind.DELAY, Fault.Kind.SERVER_ERROR, Fault.Kind.RATE_LIMIT])
    delay_ms = max((s.delay_ms or 0 for s in switches if s.kind == Fault.Kind.DELAY), default=0)
    failing = next((s for s in switches if s.kind != Fault.Kind.DELAY), None)
    if failing is None:
        return Plan(delay_ms=delay_ms)
    return Plan(delay_ms=delay_ms, status_code=failing.status_code, retry_after=failing.retry_after)


def take_drop(endpoint: str) -> int | None:
    """Consume a rotate-then-drop switch; called only once new tokens were stored, so a failed call
    (a bad code, a stale refresh token) does not use the switch up."""
    switches = _consume(endpoint, [Fault.Kind.ROTATE_THEN_DROP])
    if not switches:
        return None
    return switches[0].status_code or 500


def _consume(endpoint: str, kinds: list[str]) -> list[Fault]:
    # The row lock makes "the next N calls" exact when many requests arrive at once (on PostgreSQL).
    with transaction.atomic(using=DB):
        switches = list(Fault.objects.select_for_update().filter(endpoint=endpoint, kind__in=kinds))
        # A rated switch spares some calls; a spared call neither fails nor uses the switch up.
        switches = [s for s in switches if s.probability is None or random.random() < s.probability]  # noqa: S311
        for switch in switches:
            if switch.remaining is None:
                continue
            if switch.remaining <= 1:
                switch.delete()
            else:
                Fault.objects.filter(pk=switch.pk).update(remaining=F("remaining") - 1)
    return switches
