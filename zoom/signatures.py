"""Zoom webhook signatures: ``x-zm-signature: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{raw body}")>``.

Verified over the raw request bytes (re-serialised JSON would not match), in constant time, against each
configured secret (two during a rotation), and only within a time window, before anything else looks
at the request — the url_validation challenge included, or the endpoint would sign whatever an
attacker sends (RELIABILITY T13, T15, T18).

Reference: https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

# Zoom publishes no window; five minutes tolerates clock skew and Zoom's own queueing, and bounds replay.
TIMESTAMP_WINDOW_SECONDS = 300
# The unit of x-zm-request-timestamp is not documented; seconds are seen in practice. A 13-digit value
# is milliseconds.
MILLISECONDS_THRESHOLD = 10_000_000_000


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def url_validation_token(secret: str, plain_token: str) -> str:
    return hmac.new(secret.encode("utf-8"), plain_token.encode("utf-8"), hashlib.sha256).hexdigest()


def timestamp_seconds(value: str) -> float | None:
    if not value.isascii() or not value.isdigit() or len(value) > 16:
        return None
    number = int(value)
    return number / 1000 if number >= MILLISECONDS_THRESHOLD else float(number)


def verify(
    secrets: Sequence[str], timestamp: str | None, signature: str | None, body: bytes, *, now: float | None = None
) -> str | None:
    """The secret that verifies this delivery, or None. Every secret is tried (no early exit on the
    first mismatch), and each comparison is ``hmac.compare_digest``."""
    if not timestamp or not signature or not secrets:
        return None
    sent_at = timestamp_seconds(timestamp)
    if sent_at is None:
        return None
    current = time.time() if now is None else now
    if abs(current - sent_at) > TIMESTAMP_WINDOW_SECONDS:
        return None
    matched = None
    for secret in secrets:
        expected = sign(secret, timestamp, body)
        if hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "surrogateescape")):
            matched = matched or secret
    return matched
