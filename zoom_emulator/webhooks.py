"""Signed webhooks, sent the way Zoom sends them: after the fact, from elsewhere.

A delivery starts on a background thread once the database transaction commits, so the request that
caused it (say, a product request revoking a grant while holding a row lock) never waits on the
product's webhook endpoint. ``wait_for_deliveries`` lets tests join those threads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from typing import Any

import requests
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from zoom_emulator.ids import DB, tracking_id
from zoom_emulator.models import App, Grant, WebhookDelivery

logger = logging.getLogger(__name__)

# Zoom wants an answer within 3 seconds; a connect timeout plus a short read keeps threads from piling up.
TIMEOUT = (2.0, 3.0)
USER_AGENT = "Zoom Marketplace/1.0a"

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def sign(secret: str, timestamp: str | int, body: bytes | str) -> str:
    """``x-zm-signature``: ``v0=`` + hex HMAC-SHA256(secret token, ``v0:{timestamp}:{raw body}``)."""
    raw = body.encode() if isinstance(body, str) else body
    message = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def compact_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def send_app_deauthorized(grant: Grant) -> None:
    """Queue ``app_deauthorized`` for a grant that has just ended (call inside the revoking transaction)."""
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
    send(
        app,
        "app_deauthorized",
        {"event": "app_deauthorized", "event_ts": int(now.timestamp() * 1000), "payload": payload},
    )


def send(app: App, event: str, data: dict[str, Any]) -> None:
    if not app.event_url:
        return
    body = compact_json(data)
    url, secret, client_id = app.event_url, app.webhook_secret_token, app.client_id
    transaction.on_commit(lambda: _start(url, secret, client_id, event, body), using=DB)


def wait_for_deliveries(timeout: float = 5) -> bool:
    """Join the delivery threads started so far; True when all of them finished within ``timeout``."""
    deadline = time.monotonic() + timeout
    with _threads_lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(max(0.0, deadline - time.monotonic()))
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        return not _threads


def _start(url: str, secret: str, client_id: str, event: str, body: bytes) -> None:
    thread = threading.Thread(
        target=_deliver, args=(url, secret, client_id, event, body), name=f"zoom-emulator-{event}", daemon=True
    )
    with _threads_lock:
        _threads.append(thread)
    thread.start()


def _deliver(url: str, secret: str, client_id: str, event: str, body: bytes) -> None:
    timestamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "clientid": client_id,
        "x-zm-trackingid": tracking_id(),
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": sign(secret, timestamp, body),
    }
    status_code: int | None = None
    error = ""
    try:
        response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
        status_code = response.status_code
    except Exception as exc:
        # Whatever went wrong on the way is the delivery's outcome, to be recorded, not a thread crash.
        error = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        WebhookDelivery.objects.create(
            client_id=client_id,
            url=url,
            event=event,
            body=body.decode(),
            status_code=status_code,
            error=error,
        )
    except DatabaseError:
        logger.warning("zoom_emulator: could not record the %s delivery to %s", event, url, exc_info=True)
    finally:
        # A thread's connection is its own; leaving it open would leak one per delivery.
        connections[DB].close()
