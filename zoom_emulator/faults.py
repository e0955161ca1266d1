"""Fault switches: make an endpoint fail on purpose, for the next N calls or until cleared.

They live in the database so that a test, the dev server and a Celery worker all see the same switches.
Each switch names the endpoint it targets: the token endpoint (``oauth.token``, the default) or an API
endpoint by its ``api_view`` name (``ENDPOINTS``), e.g. ``fail_with(503, endpoint="meetings.create")``.
The webhook switches (``webhook_delay``, ``webhook_duplicate``, ``webhook_reorder``) act on the events Zoom
sends instead: ``webhooks.send`` takes them for each event.
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
# What the webhook switches name as their "endpoint": every event sent through webhooks.send.
WEBHOOKS = "webhooks"
# The kinds that act on an HTTP endpoint (the forms for the token and meeting endpoints offer only these).
ENDPOINT_KINDS = (Fault.Kind.SERVER_ERROR, Fault.Kind.RATE_LIMIT, Fault.Kind.DELAY, Fault.Kind.ROTATE_THEN_DROP)
WEBHOOK_KINDS = (Fault.Kind.WEBHOOK_DELAY, Fault.Kind.WEBHOOK_DUPLICATE, Fault.Kind.WEBHOOK_REORDER)
# Bounds that keep a typo from hanging a worker for hours or overflowing a column.
MAX_DELAY_MS = 60_000
MAX_TIMES = 1_000_000
# A webhook may be held back longer than an HTTP answer (Zoom's own first retry comes after 5 minutes).
MAX_WEBHOOK_DELAY_S = 3600
MAX_COPIES = 10


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


def webhook_delay(seconds: float, *, times: int | None = 1) -> Fault:
    """The next ``times`` events wait ``seconds`` before their first attempt (Zoom publishes no latency for
    a first delivery; devforum reports minutes). The rest of the delivery (retries) is unchanged."""
    if not 0 <= seconds <= MAX_WEBHOOK_DELAY_S:
        raise ValueError(f"A webhook delay must be between 0 and {MAX_WEBHOOK_DELAY_S} seconds.")
    return _add(Fault.Kind.WEBHOOK_DELAY, WEBHOOKS, times, delay_ms=round(seconds * 1000))


def webhook_duplicate(copies: int = 2, *, times: int | None = 1) -> Fault:
    """The next ``times`` events are each delivered ``copies`` times: the same body (the same ``event_ts``),
    as separate deliveries sent at once, each signed and retried on its own."""
    if not 2 <= copies <= MAX_COPIES:
        raise ValueError(f"copies must be between 2 and {MAX_COPIES}.")
    return _add(Fault.Kind.WEBHOOK_DUPLICATE, WEBHOOKS, times, copies=copies)


def webhook_reorder(*, times: int | None = 1) -> Fault:
    """Hold the next event back and send it only after the app's following event has had its first attempt,
    so the two arrive in the opposite order. ``times`` counts the events held; the event that releases a
    held one is never held itself, so ``times=None`` swaps every pair (1st after 2nd, 3rd after 4th, ...).
    ``webhooks.release_held()`` sends a held event that no later event came to release."""
    return _add(Fault.Kind.WEBHOOK_REORDER, WEBHOOKS, times)


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
    copies: int | None = None,
) -> Fault:
    if times is not None and not 1 <= times <= MAX_TIMES:
        raise ValueError(f"times must be between 1 and {MAX_TIMES}, or None for 'until cleared'.")
    if kind in WEBHOOK_KINDS:
        if endpoint != WEBHOOKS:
            raise ValueError(f"A webhook switch applies to {WEBHOOKS!r} only.")
    elif endpoint not in ENDPOINTS:
        raise ValueError(f"Unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}.")
    return Fault.objects.create(
        endpoint=endpoint,
        kind=kind,
        remaining=times,
        status_code=status_code,
        delay_ms=delay_ms,
        probability=probability,
        retry_after=retry_after,
        copies=copies,
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


@dataclass(frozen=True)
class DeliveryPlan:
    """What the webhook switches ask of one event."""

    delay_s: float = 0.0
    copies: int = 1
    hold: bool = False


def take_webhook(*, may_hold: bool = True) -> DeliveryPlan:
    """Consume the webhook switches that apply to the event being sent now. ``may_hold`` is False when the
    app already has a held delivery: this event is the "following one" that releases it, so a reorder
    switch is neither applied to it nor used up."""
    kinds: list[str] = [Fault.Kind.WEBHOOK_DELAY, Fault.Kind.WEBHOOK_DUPLICATE]
    if may_hold:
        kinds.append(Fault.Kind.WEBHOOK_REORDER)
    switches = _consume(WEBHOOKS, kinds)
    return DeliveryPlan(
        delay_s=max(((s.delay_ms or 0) / 1000 for s in switches if s.kind == Fault.Kind.WEBHOOK_DELAY), default=0.0),
        copies=max((s.copies or 1 for s in switches if s.kind == Fault.Kind.WEBHOOK_DUPLICATE), default=1),
        hold=any(s.kind == Fault.Kind.WEBHOOK_REORDER for s in switches),
    )


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
