from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time

import pytest
import requests
import responses
from django.urls import reverse

from tests.unit.emulator.helpers import basic, committed_emulator_db, connect, emulator_db, me, refresh
from zoom_emulator.models import Grant, WebhookDelivery
from zoom_emulator.webhooks import sign, wait_for_deliveries

# Deliveries run on a thread with its own database connection after the commit: these tests commit.
pytestmark = emulator_db

EVENT_URL = "http://testserver/webhooks/zoom/"


def _revoke(client, app, token, secret=None):
    return client.post(reverse("zoom_emulator:revoke"), {"token": token}, HTTP_AUTHORIZATION=basic(app, secret))


@pytest.fixture
def captured():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, EVENT_URL, status=200)
        yield mock


@committed_emulator_db
def test_it_revokes_and_sends_a_signed_app_deauthorized(client, app, seeded, captured):
    tokens = connect(client, app, "recruiter1@demo.example")
    before_ms = int(time.time() * 1000)
    response = _revoke(client, app, tokens["access_token"])
    assert response.status_code == 200
    assert response.json() == {"status": "success"}
    assert wait_for_deliveries(timeout=5)

    assert len(captured.calls) == 1
    request = captured.calls[0].request
    raw = request.body
    timestamp = request.headers["x-zm-request-timestamp"]
    expected = hmac.new(
        app.webhook_secret_token.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256
    ).hexdigest()
    assert request.headers["x-zm-signature"] == f"v0={expected}"
    assert len(timestamp) == 10  # seconds
    assert request.headers["clientid"] == app.client_id
    assert request.headers["x-zm-trackingid"]
    assert request.headers["user-agent"] == "Zoom Marketplace/1.0a"
    assert request.headers["content-type"] == "application/json"
    assert raw == json.dumps(json.loads(raw), separators=(",", ":")).encode()  # compact JSON

    body = json.loads(raw)
    assert body["event"] == "app_deauthorized"
    assert body["event_ts"] >= before_ms
    user = seeded.users["recruiter1@demo.example"]
    payload = body["payload"]
    assert payload["account_id"] == seeded.accounts["demo"].account_id
    assert payload["user_id"] == user.user_id
    assert payload["client_id"] == app.client_id
    assert payload["signature"]
    assert payload["deauthorization_time"].endswith("Z")

    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.url, delivery.status_code) == ("app_deauthorized", EVENT_URL, 200)
    assert json.loads(delivery.body) == body


def test_revoking_ends_the_grant(client, app, captured):
    tokens = connect(client, app, "recruiter1@demo.example")
    assert _revoke(client, app, tokens["refresh_token"]).json() == {"status": "success"}
    wait_for_deliveries()
    grant = Grant.objects.get()
    assert grant.revoked
    assert grant.access_token is None
    assert me(client, tokens["access_token"]).json() == {"code": 124, "message": "Invalid access token."}
    assert refresh(client, app, tokens["refresh_token"]).json() == {
        "reason": "Invalid Token!",
        "error": "invalid_grant",
    }


def test_a_new_authorization_after_revoke_works_again(client, app, captured):
    tokens = connect(client, app, "recruiter1@demo.example")
    _revoke(client, app, tokens["access_token"])
    wait_for_deliveries()
    again = connect(client, app, "recruiter1@demo.example")
    assert me(client, again["access_token"]).status_code == 200
    assert Grant.objects.get().revoked is False


def test_it_refuses_to_revoke_with_a_wrong_secret(client, app, captured):
    tokens = connect(client, app, "recruiter1@demo.example")
    response = _revoke(client, app, tokens["access_token"], secret="wrong")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert me(client, tokens["access_token"]).status_code == 200


@committed_emulator_db
def test_it_refuses_an_unknown_or_empty_token(client, app, captured):
    assert _revoke(client, app, "unknown").status_code == 400
    assert _revoke(client, app, "").json() == {"reason": "Token cannot be empty", "error": "invalid_request"}
    assert wait_for_deliveries()
    assert not captured.calls


@committed_emulator_db
def test_the_revoke_answer_does_not_wait_for_the_webhook(client, app):
    release = threading.Event()

    def slow_endpoint(request):
        release.wait(5)
        return (200, {}, "")

    tokens = connect(client, app, "recruiter1@demo.example")
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, EVENT_URL, callback=slow_endpoint)
        started = time.monotonic()
        assert _revoke(client, app, tokens["access_token"]).status_code == 200
        assert time.monotonic() - started < 2
        assert not wait_for_deliveries(timeout=0.1)
        release.set()
        assert wait_for_deliveries(timeout=5)


@committed_emulator_db
def test_it_records_a_delivery_that_failed(client, app, fast_retries):
    tokens = connect(client, app, "recruiter1@demo.example")
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, EVENT_URL, body=requests.exceptions.ConnectionError("refused"))
        _revoke(client, app, tokens["access_token"])
        assert wait_for_deliveries()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None
    assert "refused" in delivery.error
    assert (delivery.state, delivery.attempts) == (WebhookDelivery.State.DROPPED, 4)


def test_sign_matches_zoom_s_recipe():
    expected = hmac.new(b"secret", b'v0:1700000000:{"a":1}', hashlib.sha256).hexdigest()
    assert sign("secret", 1700000000, b'{"a":1}') == f"v0={expected}"
    assert sign("secret", "1700000000", '{"a":1}') == f"v0={expected}"
