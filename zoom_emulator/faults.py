"""Fault switches: make an endpoint fail on purpose, for the next N calls or until cleared.

They live in the database so that a test, the dev server and a Celery worker all see the same switches.
Only the token endpoint (``oauth.token``) honours them for now.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from zoom_emulator.ids import DB
from zoom_emulator.models import Fault

TOKEN_ENDPOINT = "oauth.token"
# Bounds that keep a typo from hanging a worker for hours or overflowing a column.
MAX_DELAY_MS = 60_000
MAX_TIMES = 1_000_000


def fail_with(status_code: int = 500, *, times: int | None = 1, endpoint: str = TOKEN_ENDPOINT) -> Fault:
    if not 500 <= status_code <= 599:
        raise ValueError("A server-error switch takes a 5xx status.")
    return _add(Fault.Kind.SERVER_ERROR, endpoint, times, status_code=status_code)


def rate_limit(*, times: int | None = 1, endpoint: str = TOKEN_ENDPOINT) -> Fault:
    return _add(Fault.Kind.RATE_LIMIT, endpoint, times, status_code=429)


def delay(ms: int, *, times: int | None = 1, endpoint: str = TOKEN_ENDPOINT) -> Fault:
    if not 0 <= ms <= MAX_DELAY_MS:
        raise ValueError(f"A delay must be between 0 and {MAX_DELAY_MS} ms.")
    return _add(Fault.Kind.DELAY, endpoint, times, delay_ms=ms)


def rotate_then_drop(*, times: int | None = 1, status_code: int = 500, endpoint: str = TOKEN_ENDPOINT) -> Fault:
    """The next successful token call stores new tokens at Zoom, but the client only gets ``status_code``."""
    if not 500 <= status_code <= 599:
        raise ValueError("A dropped response takes a 5xx status.")
    return _add(Fault.Kind.ROTATE_THEN_DROP, endpoint, times, status_code=status_code)


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
) -> Fault:
    if times is not None and not 1 <= times <= MAX_TIMES:
        raise ValueError(f"times must be between 1 and {MAX_TIMES}, or None for 'until cleared'.")
    return Fault.objects.create(
        endpoint=endpoint, kind=kind, remaining=times, status_code=status_code, delay_ms=delay_ms
    )


@dataclass(frozen=True)
class Plan:
    """What the switches ask of one call."""

    delay_ms: int = 0
    status_code: int | None = None


def take(endpoint: str) -> Plan:
    """Consume the delay, 5xx and 429 switches that apply to this call."""
    switches = _consume(endpoint, [Fault.Kind.DELAY, Fault.Kind.SERVER_ERROR, Fault.Kind.RATE_LIMIT])
    delay_ms = max((s.delay_ms or 0 for s in switches if s.kind == Fault.Kind.DELAY), default=0)
    status_code = next((s.status_code for s in switches if s.kind != Fault.Kind.DELAY), None)
    return Plan(delay_ms=delay_ms, status_code=status_code)


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
        for switch in switches:
            if switch.remaining is None:
                continue
            if switch.remaining <= 1:
                switch.delete()
            else:
                Fault.objects.filter(pk=switch.pk).update(remaining=F("remaining") - 1)
    return switches
