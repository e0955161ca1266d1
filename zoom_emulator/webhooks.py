"""Signed webhooks, sent the way Zoom sends them: after the fact, from elsewhere, retried when refused.

A delivery is a row written in the transaction that caused it; its first attempt starts on a background
thread once that transaction commits, so the request that caused it (say, a product request revoking a
grant while holding a row lock) never waits on the product's webhook endpoint.

Zoom's rule (NOTES.md section 4): the endpoint must answer 200 or 204 within 3 seconds; otherwise Zoom
retries after 5 minutes, then 20 minutes later, then 60 minutes later, and then drops the event. Here any
2xx counts as an answer, and the same thread sleeps ``RETRY_DELAYS[i]`` seconds between attempts. Tests
shorten the delays by setting ``RETRY_DELAYS`` (say ``(0.1, 0.2, 0.3)``) before the delivery starts and join
the threads with ``wait_for_deliveries``. A retry that a restart lost (the thread died with the process) is
picked up by ``deliver_due()`` (``manage.py deliver_webhooks``): every attempt first claims the row with a
compare-and-set on its attempt count, so a thread and ``deliver_due`` never send the same attempt twice.

Fault switches (faults.webhook_delay, webhook_duplicate, webhook_reorder) delay, duplicate or reorder what
``send`` queues; a held delivery waits for the app's following one (or ``release_held``).

Helpers for tests: ``send_event``, ``deliveries``, ``events``, ``resend``, ``send_url_validation``,
``set_deauthorize_on_delete``, ``wait_for_deliveries``, ``stop_retries``, ``deliver_due``, ``release_held``
(``oauth.remove_app`` ends a grant and sends ``app_deauthorized``; meeting_events sends ``meeting.updated``
and ``meeting.deleted``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import requests
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from zoom_emulator import faults
from zoom_emulator.ids import DB, tracking_id
from zoom_emulator.models import App, Grant, WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)

# Zoom wants an answer within 3 seconds; a connect timeout plus a 3-second read keeps threads from piling up.
TIMEOUT: tuple[float, float] = (2.0, 3.0)
# Seconds to wait before each retry: Zoom's 5 min, +20 min, +60 min. Read when a retry is scheduled, so a
# test may set it (monkeypatch) before the delivery starts.
RETRY_DELAYS: tuple[float, ...] = (5 * 60, 20 * 60, 60 * 60)
# How long an attempt in flight holds its row before ``deliver_due`` may assume its thread died.
LEASE = timedelta(seconds=60)
USER_AGENT = "Zoom Marketplace/1.0a"
URL_VALIDATION = "endpoint.url_validation"

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()
# Steps whose deliveries go in order (start_in_order), oldest first, and whether a thread drains them.
_chains: deque[list[int]] = deque()
_chain_lock = threading.Lock()
_chain_running = False
# Set by stop_retries: sleeping threads wake and leave their rows for deliver_due.
_stop = threading.Event()


def sign(secret: str, timestamp: str | int, body: bytes | str) -> str:
    """``x-zm-signature``: ``v0=`` + hex HMAC-SHA256(secret token, ``v0:{timestamp}:{raw body}``)."""
    raw = body.encode() if isinstance(body, str) else body
    message = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def encrypted_token(secret: str, plain_token: str) -> str:
    """What an endpoint must answer to ``endpoint.url_validation``: hex HMAC-SHA256(secret, plainToken)."""
    return hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()


def compact_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def event_ts() -> int:
    return int(time.time() * 1000)


# ----------------------------------------------------------------------------------------------- sending


def send_app_deauthorized(grant: Grant) -> WebhookDelivery | None:
    """Queue ``app_deauthorized`` for a grant that has just ended (call inside the ending transaction, while
    the grant's user still exists)."""
    app = grant.app
    now = timezone.now()
    deauthorization_time = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    payload = {
        "account_id": grant.user.account.account_id,
        "user_id": grant.user.user_id,
        # Zoom includes a signature of its own in the payload; its recipe is not documented, so this is
        # only a stable, unguessable value of the same shape.
        "signature": hmac.new(
            app.client_secret.encode(),
            f"{grant.user.user_id}:{deauthorization_time}".encode(),
            hashlib.sha256,
        ).hexdigest(),
        "deauthorization_time": deauthorization_time,
        "client_id": app.client_id,
    }
    return send(
        app,
        "app_deauthorized",
        {"event": "app_deauthorized", "event_ts": int(now.timestamp() * 1000), "payload": payload},
    )


def send_event(app: App | str, event: str, payload: dict[str, Any]) -> WebhookDelivery | None:
    """Send any event in Zoom's envelope (``{"event", "payload", "event_ts"}``), signed and retried like the
    others. None when the app has no event URL (Zoom then has nowhere to send it)."""
    app = _get_app(app)
    with transaction.atomic(using=DB):
        return send(app, event, {"event": event, "payload": payload, "event_ts": event_ts()})


def send(
    app: App,
    event: str,
    data: dict[str, Any],
    *,
    resent_from: WebhookDelivery | None = None,
    chain: list[int] | None = None,
) -> WebhookDelivery | None:
    """Record a delivery and start it once the current transaction commits (at once outside one).

    The webhook fault switches apply here (faults.webhook_delay, webhook_duplicate, webhook_reorder): a
    delayed delivery's first attempt is due later; a duplicated event is several deliveries of one body;
    a held one waits for the app's following delivery. With ``chain`` the deliveries are not started but
    appended to it, for ``start_in_order``. Returns the (first) delivery."""
    if not app.event_url:
        return None
    # An app with a held delivery is waiting for its "following" event: this one. (No transaction of its
    # own here: the caller's, if any, keeps the rows with the change that caused them.)
    releasing = WebhookDelivery.objects.filter(client_id=app.client_id, state=WebhookDelivery.State.HELD).exists()
    plan = faults.take_webhook(may_hold=not releasing)
    first_attempt_at = timezone.now() + timedelta(seconds=plan.delay_s)
    body = compact_json(data).decode()
    made = [
        WebhookDelivery.objects.create(
            client_id=app.client_id,
            url=app.event_url,
            event=event,
            body=body,
            state=WebhookDelivery.State.HELD if plan.hold else WebhookDelivery.State.PENDING,
            next_attempt_at=None if plan.hold else first_attempt_at,
            resent_from=resent_from,
        )
        for _ in range(plan.copies)
    ]
    if not plan.hold:
        for delivery in made:
            if chain is None:
                transaction.on_commit(functools.partial(_start, delivery.pk), using=DB)
            else:
                chain.append(delivery.pk)
    return made[0]


def start_in_order(delivery_ids: list[int]) -> None:
    """Once the current transaction commits (at once outside one), make the first attempts of these
    deliveries one after the other on one thread, so the app receives them in this order: the events of
    one step of a meeting (a host arriving lets the waiting guests in) as Zoom sends them, and after the
    steps queued before it. A delivery whose first attempt is delayed by a switch, and every retry, goes
    on a thread of its own, as usual."""
    if delivery_ids:
        transaction.on_commit(functools.partial(_start_chain, list(delivery_ids)), using=DB)


def release_held() -> int:
    """Send every held delivery now (one that no later event came to release). Returns how many."""
    held = WebhookDelivery.objects.filter(state=WebhookDelivery.State.HELD).order_by("pk")
    return sum(_release(pk) for pk in held.values_list("pk", flat=True))


def resend(delivery: WebhookDelivery | int) -> WebhookDelivery | None:
    """Send a delivery's body again, as a new delivery with its own attempts (signed with a fresh timestamp;
    the same body, so a receiver that dedupes on the body sees a duplicate)."""
    original = delivery if isinstance(delivery, WebhookDelivery) else WebhookDelivery.objects.get(pk=delivery)
    app = App.objects.filter(client_id=original.client_id).first()
    if app is None or not app.event_url:
        return None
    with transaction.atomic(using=DB):
        again = WebhookDelivery.objects.create(
            client_id=app.client_id,
            # The app's current URL: a resend after the URL was fixed should reach the fixed one.
            url=app.event_url,
            event=original.event,
            body=original.body,
            state=WebhookDelivery.State.PENDING,
            next_attempt_at=timezone.now(),
            retry=original.retry,
            resent_from=original,
        )
        transaction.on_commit(lambda: _start(again.pk), using=DB)
    return again


def deliveries(event: str | None = None) -> list[WebhookDelivery]:
    """Every delivery, oldest first, with its attempts (``delivery.attempt_log.all()``)."""
    queryset = WebhookDelivery.objects.prefetch_related("attempt_log").order_by("pk")
    if event is not None:
        queryset = queryset.filter(event=event)
    return list(queryset)


def events(event: str | None = None) -> list[dict[str, Any]]:
    """The bodies of ``deliveries(event)`` as JSON, oldest first (a duplicated event appears once per copy)."""
    return [delivery.data for delivery in deliveries(event)]


def set_deauthorize_on_delete(app: App | str | None = None, enabled: bool = True) -> App:
    """The per-app switch: whether deleting a Zoom user sends ``app_deauthorized`` for their live grant."""
    app = _get_app(app)
    app.deauthorize_on_user_delete = enabled
    app.save(update_fields=["deauthorize_on_user_delete"])
    return app


# ------------------------------------------------------------------------------------------ url_validation


@dataclass(frozen=True)
class UrlValidation:
    """The outcome of one ``endpoint.url_validation`` challenge."""

    plain_token: str
    expected: str
    # None when no HTTP answer came (refused, timed out).
    response: requests.Response | None
    reason: str
    delivery: WebhookDelivery | None

    @property
    def status_code(self) -> int | None:
        return None if self.response is None else self.response.status_code


def send_url_validation(app: App | str | None = None) -> tuple[bool, UrlValidation]:
    """Challenge the app's event URL now (synchronously: a person on the webhooks page waits for the verdict)
    and check that it answers 200 with ``plainToken`` and ``encryptedToken`` = hex HMAC-SHA256(secret,
    plainToken). Recorded as a delivery with one attempt; Zoom does not retry the challenge."""
    app = _get_app(app)
    plain_token = secrets.token_urlsafe(16)
    expected = encrypted_token(app.webhook_secret_token, plain_token)
    if not app.event_url:
        return False, UrlValidation(plain_token, expected, None, "The app has no event URL.", None)
    data = {"event": URL_VALIDATION, "payload": {"plainToken": plain_token}, "event_ts": event_ts()}
    delivery = WebhookDelivery.objects.create(
        client_id=app.client_id,
        url=app.event_url,
        event=URL_VALIDATION,
        body=compact_json(data).decode(),
        state=WebhookDelivery.State.SENDING,
        retry=False,
    )
    response, error, attempt = _post_and_record(delivery, app)
    ok, reason = _judge_validation(response, error, plain_token, expected)
    # The delivery "arrived" only when the answer is right: a 200 with a wrong token fails validation.
    delivery.state = WebhookDelivery.State.DELIVERED if ok else WebhookDelivery.State.DROPPED
    if response is not None and not ok and not delivery.error:
        delivery.error = reason
        attempt.error = reason
        attempt.save(update_fields=["error"])
    delivery.save(update_fields=["state", "error"])
    return ok, UrlValidation(plain_token, expected, response, reason, delivery)


def _judge_validation(
    response: requests.Response | None, error: str, plain_token: str, expected: str
) -> tuple[bool, str]:
    if response is None:
        return False, error or "No answer."
    if response.status_code != 200:
        return False, f"The endpoint answered {response.status_code}, not 200."
    try:
        answer = response.json()
    except ValueError:
        return False, "The answer is not JSON."
    if not isinstance(answer, dict):
        return False, "The answer is not a JSON object."
    if answer.get("plainToken") != plain_token:
        return False, "plainToken in the answer is not the one sent."
    token = answer.get("encryptedToken")
    if not isinstance(token, str) or not hmac.compare_digest(token, expected):
        return False, "encryptedToken is not hex HMAC-SHA256(secret token, plainToken)."
    return True, "Validated: encryptedToken matches."


# ------------------------------------------------------------------------------------------ the machinery


def wait_for_deliveries(timeout: float = 5) -> bool:
    """Join the delivery threads (retries included, and those a released held delivery starts meanwhile);
    True when all finished within ``timeout``. Held deliveries have no thread until released."""
    deadline = time.monotonic() + timeout
    while True:
        with _threads_lock:
            _threads[:] = [t for t in _threads if t.is_alive()]
            pending = list(_threads)
        if not pending:
            return True
        if time.monotonic() >= deadline:
            return False
        for thread in pending:
            thread.join(max(0.0, deadline - time.monotonic()))


def stop_retries(timeout: float = 5) -> bool:
    """Wake every thread waiting to retry and end it without retrying (its row stays due for
    ``deliver_due``). For tests that leave a failing endpoint behind; True when all threads ended."""
    _stop.set()
    try:
        return wait_for_deliveries(timeout)
    finally:
        _stop.clear()


def deliver_due(now: datetime | None = None) -> int:
    """Make every attempt that is due (a pending first attempt, a retry whose time came, an attempt whose
    thread died past its lease), in this thread. Returns how many attempts were made."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.RETRYING, WebhookDelivery.State.SENDING]),
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at", "pk")
    made = 0
    for delivery_id, attempts in due.values_list("pk", "attempts"):
        if _attempt(delivery_id, attempts).claimed:
            made += 1
    return made


class _Outcome(NamedTuple):
    # False: someone else holds the row, or it is finished or gone; nothing was sent.
    claimed: bool
    attempts: int = 0
    # Seconds until the next attempt; None when there is none (delivered or dropped).
    retry_in: float | None = None


def _start(delivery_id: int, attempts: int = 0, retry_in: float | None = None) -> None:
    thread = threading.Thread(
        target=_run, args=(delivery_id, attempts, retry_in), name=f"zoom-emulator-webhook-{delivery_id}", daemon=True
    )
    with _threads_lock:
        _threads.append(thread)
    thread.start()


def _start_chain(delivery_ids: list[int]) -> None:
    """Queue a step's deliveries behind the steps before it: one thread at a time drains the queue, so the
    steps of a meeting (a guest waiting, then the host arriving) reach the app in the order they happened."""
    global _chain_running
    with _chain_lock:
        _chains.append(delivery_ids)
        if _chain_running:
            return
        _chain_running = True
    thread = threading.Thread(target=_drain_chains, name="zoom-emulator-webhooks-in-order", daemon=True)
    with _threads_lock:
        _threads.append(thread)
    thread.start()


def _drain_chains() -> None:
    global _chain_running
    while True:
        with _chain_lock:
            if not _chains:
                _chain_running = False
                return
            delivery_ids = _chains.popleft()
        _run_chain(delivery_ids)


def _run_chain(delivery_ids: list[int]) -> None:
    """First attempts in order; a delivery that is due later, or must be retried, continues on its own."""
    try:
        for delivery_id in delivery_ids:
            try:
                due = WebhookDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True).first()
                if due is not None and due > timezone.now():
                    _start(delivery_id)
                    continue
                outcome = _attempt(delivery_id, 0)
                if outcome.claimed and outcome.retry_in is not None:
                    _start(delivery_id, outcome.attempts, outcome.retry_in)
            except Exception:
                # The next event of the step still goes; this one's row stays due for deliver_due.
                logger.warning("zoom_emulator: delivery %s failed unexpectedly", delivery_id, exc_info=True)
    finally:
        connections[DB].close()


def _run(delivery_id: int, attempts: int = 0, retry_in: float | None = None) -> None:
    """A delivery's thread: attempt, and while Zoom would retry, sleep and attempt again (``attempts``
    made already and ``retry_in`` seconds to wait first, when it continues a chain's first attempt)."""
    try:
        # A delay switch made the first attempt due later (or a retry is due): wait for it (stop_retries
        # ends the wait and leaves the row due for deliver_due).
        if retry_in is None:
            due = WebhookDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True).first()
            wait = (due - timezone.now()).total_seconds() if due is not None and attempts == 0 else 0.0
        else:
            wait = retry_in
        if wait > 0:
            connections[DB].close()
            if _stop.wait(wait):
                return
        while True:
            outcome = _attempt(delivery_id, attempts)
            if not outcome.claimed or outcome.retry_in is None:
                # Delivered, dropped, deleted by a reset, or another worker (deliver_due) took the row.
                return
            attempts = outcome.attempts
            # The database connection would sit idle through a sleep of minutes; close it first.
            connections[DB].close()
            if _stop.wait(outcome.retry_in):
                return
    except Exception:
        # A thread has nobody to report to: log, and leave the row for deliver_due.
        logger.warning("zoom_emulator: delivery %s failed unexpectedly", delivery_id, exc_info=True)
    finally:
        # A thread's connection is its own; leaving it open would leak one per delivery.
        connections[DB].close()


def _attempt(delivery_id: int, attempts: int) -> _Outcome:
    """Make attempt ``attempts + 1`` if the row is still at ``attempts`` and not finished (a compare-and-set,
    so two workers never make the same attempt)."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        attempts=attempts,
        state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.RETRYING, WebhookDelivery.State.SENDING],
    ).update(attempts=attempts + 1, state=WebhookDelivery.State.SENDING, next_attempt_at=now + LEASE)
    if not claimed:
        return _Outcome(claimed=False)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    app = App.objects.filter(client_id=delivery.client_id).first()
    if app is None:
        # The app is gone (a reseed changed the client id): nobody to sign for or send to.
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            state=WebhookDelivery.State.DROPPED, next_attempt_at=None, error="The app no longer exists."
        )
        return _Outcome(claimed=True, attempts=attempts + 1)
    _response, _error, attempt = _post_and_record(delivery, app)
    if attempts == 0:
        # This delivery is the "following one" for any the app had held back: they go now, after it.
        _release_held_before(delivery)
    delays = tuple(RETRY_DELAYS) if delivery.retry else ()
    if attempt.ok:
        state, next_at, delay = WebhookDelivery.State.DELIVERED, None, None
    elif delivery.attempts - 1 < len(delays):
        delay = float(delays[delivery.attempts - 1])
        state, next_at = WebhookDelivery.State.RETRYING, timezone.now() + timedelta(seconds=delay)
    else:
        state, next_at, delay = WebhookDelivery.State.DROPPED, None, None
    attempt.next_attempt_at = next_at
    attempt.save(update_fields=["next_attempt_at"])
    WebhookDelivery.objects.filter(pk=delivery_id, attempts=delivery.attempts).update(
        state=state, next_attempt_at=next_at
    )
    return _Outcome(claimed=True, attempts=delivery.attempts, retry_in=delay)


def _release_held_before(delivery: WebhookDelivery) -> None:
    held = WebhookDelivery.objects.filter(
        client_id=delivery.client_id, state=WebhookDelivery.State.HELD, pk__lt=delivery.pk
    ).order_by("pk")
    for pk in held.values_list("pk", flat=True):
        _release(pk)


def _release(delivery_id: int) -> bool:
    # A compare-and-set, so two copies of the releasing event never start one held delivery twice.
    released = WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.HELD).update(
        state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now()
    )
    if released:
        transaction.on_commit(functools.partial(_start, delivery_id), using=DB)
    return bool(released)


def _post_and_record(delivery: WebhookDelivery, app: App) -> tuple[requests.Response | None, str, WebhookAttempt]:
    """POST the delivery's body, signed now with the app's secret, and record the attempt."""
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "clientid": app.client_id,
        "x-zm-trackingid": tracking_id(),
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": sign(app.webhook_secret_token, timestamp, body),
    }
    started_at = timezone.now()
    started = time.monotonic()
    response: requests.Response | None = None
    error = ""
    try:
        response = requests.post(delivery.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.Timeout as exc:
        error = f"Timeout: no answer within {TIMEOUT[1]:g} s ({type(exc).__name__})"
    except Exception as exc:
        # Whatever went wrong on the way is the attempt's outcome, to be recorded, not a thread crash.
        error = f"{type(exc).__name__}: {exc}"[:2000]
    status_code = response.status_code if response is not None else None
    if response is not None and not 200 <= response.status_code < 300:
        error = f"HTTP {response.status_code}"
    number = delivery.attempts or 1
    attempt = WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started_at,
        duration_ms=int((time.monotonic() - started) * 1000),
        status_code=status_code,
        error=error if status_code is None else "",
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status_code=status_code, error=attempt.error, attempts=number)
    delivery.status_code, delivery.error, delivery.attempts = status_code, attempt.error, number
    return response, error, attempt


def _get_app(app: App | str | None) -> App:
    if isinstance(app, App):
        return app
    # accounts.get_app knows the product's default app; imported here because accounts imports this module.
    from zoom_emulator.accounts import get_app

    return get_app(app)
