"""RELIABILITY T13 and T18: the webhook signature verifier, with Hypothesis."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from zoom import signatures

SECRET = "current-secret-token"
OLD_SECRET = "previous-secret-token"
NOW = 1_790_000_000.0


def reference_signature(secret: str, timestamp: str, body: bytes) -> str:
    # Written independently of the module under test, from Zoom's documented recipe.
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


bodies = st.binary(min_size=0, max_size=2048)
timestamps = st.integers(min_value=int(NOW) - 250, max_value=int(NOW) + 250).map(str)


@settings(max_examples=200, deadline=None)
@given(body=bodies, timestamp=timestamps)
def test_T13_a_valid_signature_over_the_raw_bytes_is_accepted(body, timestamp):
    signature = reference_signature(SECRET, timestamp, body)
    assert signatures.verify([SECRET], timestamp, signature, body, now=NOW) == SECRET


@settings(max_examples=200, deadline=None)
@given(body=bodies.filter(bool), timestamp=timestamps, data=st.data())
def test_T13_any_changed_byte_of_the_body_is_refused(body, timestamp, data):
    signature = reference_signature(SECRET, timestamp, body)
    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    mutated = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    assert signatures.verify([SECRET], timestamp, signature, mutated, now=NOW) is None


@settings(max_examples=200, deadline=None)
@given(body=bodies, timestamp=timestamps, data=st.data())
def test_T13_any_changed_character_of_the_signature_is_refused(body, timestamp, data):
    signature = reference_signature(SECRET, timestamp, body)
    index = data.draw(st.integers(min_value=0, max_value=len(signature) - 1))
    replacement = data.draw(st.sampled_from("0123456789abcdefv=x").filter(lambda c: c != signature[index]))
    mutated = signature[:index] + replacement + signature[index + 1 :]
    assert signatures.verify([SECRET], timestamp, mutated, body, now=NOW) is None


@settings(max_examples=100, deadline=None)
@given(body=bodies, timestamp=timestamps, other=timestamps)
def test_T13_a_signature_for_another_timestamp_is_refused(body, timestamp, other):
    signature = reference_signature(SECRET, timestamp, body)
    if other != timestamp:
        assert signatures.verify([SECRET], other, signature, body, now=NOW) is None


def test_T13_re_serialised_json_does_not_verify():
    raw = b'{"event":"app_deauthorized","payload":{"user_id":"abc"}}'
    timestamp = str(int(NOW))
    signature = reference_signature(SECRET, timestamp, raw)
    reserialised = json.dumps(json.loads(raw), indent=1).encode()
    assert signatures.verify([SECRET], timestamp, signature, reserialised, now=NOW) is None


def test_T13_missing_headers_are_refused():
    body = b"{}"
    signature = reference_signature(SECRET, str(int(NOW)), body)
    assert signatures.verify([SECRET], None, signature, body, now=NOW) is None
    assert signatures.verify([SECRET], str(int(NOW)), None, body, now=NOW) is None
    assert signatures.verify([], str(int(NOW)), signature, body, now=NOW) is None
    assert signatures.verify([SECRET], "not-a-number", signature, body, now=NOW) is None


def test_T13_it_compares_with_hmac_compare_digest():
    body, timestamp = b"{}", str(int(NOW))
    with mock.patch("zoom.signatures.hmac.compare_digest", wraps=hmac.compare_digest) as compare:
        signatures.verify([SECRET], timestamp, reference_signature(SECRET, timestamp, body), body, now=NOW)
    assert compare.called


def test_T14_a_stale_timestamp_is_refused_even_when_signed():
    body = b"{}"
    stale = str(int(NOW) - signatures.TIMESTAMP_WINDOW_SECONDS - 1)
    assert signatures.verify([SECRET], stale, reference_signature(SECRET, stale, body), body, now=NOW) is None


def test_millisecond_timestamps_are_accepted():
    body = b"{}"
    millis = str(int(NOW * 1000))
    assert signatures.verify([SECRET], millis, reference_signature(SECRET, millis, body), body, now=NOW) == SECRET


def test_T18_both_secrets_verify_during_a_rotation_and_only_the_new_one_after():
    body, timestamp = b'{"event":"x"}', str(int(time.time()))
    signed_old = reference_signature(OLD_SECRET, timestamp, body)
    signed_new = reference_signature(SECRET, timestamp, body)
    assert signatures.verify([OLD_SECRET, SECRET], timestamp, signed_old, body) == OLD_SECRET
    assert signatures.verify([OLD_SECRET, SECRET], timestamp, signed_new, body) == SECRET
    assert signatures.verify([SECRET], timestamp, signed_old, body) is None


def test_the_url_validation_answer_is_zooms_hmac_of_the_plain_token():
    expected = hmac.new(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert signatures.url_validation_token(SECRET, "qgg8vlvZRS6UYooatFL8Aw") == expected
