"""The webhooks page (deliveries, Resend, url_validation per app, the deletion switch), the url_validation
check, and what the Users page and the settings page send (by default: nothing)."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from tests.unit.emulator.capture import Capture, Received, Reply, signature_ok
from tests.unit.emulator.helpers import committed_emulator_db, connect, emulator_db, me, refresh, sign_in
from tests.unit.emulator.meeting_helpers import call, create
from zoom_emulator import accounts, meetings, webhooks
from zoom_emulator.models import App, WebhookDelivery

pytestmark = emulator_db

PAGE = reverse("zoom_emulator:webhooks")
USERS = reverse("zoom_emulator:admin_users")


def _validator(secret: str, *, check_signature: bool = True):
    """An endpoint that answers Zoom's challenge the documented way (with ``secret``)."""

    def respond(request: Received) -> Reply:
        if check_signature and not signature_ok(secret, request):
            return Reply(401)
        plain = json.loads(request.body)["payload"]["plainToken"]
        encrypted = hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
        return Reply(200, json.dumps({"plainToken": plain, "encryptedToken": encrypted}).encode())

    return respond


# --- url_validation -------------------------------------------------------------------------------------


def test_url_validation_passes_against_a_correct_responder(app, hooked: Capture):
    hooked.answer_with(_validator(app.webhook_secret_token))
    ok, result = webhooks.send_url_validation(app)
    assert ok, result.reason
    assert result.status_code == 200
    [request] = hooked.received
    body = json.loads(request.body)
    assert body["event"] == "endpoint.url_validation"
    assert body["payload"] == {"plainToken": result.plain_token}
    assert isinstance(body["event_ts"], int)
    assert body["event_ts"] > 10**12
    assert signature_ok(app.webhook_secret_token, request)
    [delivery] = webhooks.deliveries("endpoint.url_validation")
    assert (delivery.state, delivery.attempts, delivery.retry) == (WebhookDelivery.State.DELIVERED, 1, False)


@committed_emulator_db
@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(_validator("not-the-secret", check_signature=False), id="wrong-secret"),
        pytest.param(Reply(200, b'{"plainToken":"x","encryptedToken":"y"}'), id="wrong-plain-token"),
        pytest.param(Reply(200, b"not json"), id="not-json"),
        pytest.param(Reply(200, b"[]"), id="not-an-object"),
        pytest.param(Reply(204), id="204-no-body"),
        pytest.param(Reply(500), id="500"),
    ],
)
def test_url_validation_fails_against_a_wrong_responder(app, hooked: Capture, fast_retries, reply):
    hooked.answer_with(reply)
    ok, result = webhooks.send_url_validation(app)
    assert not ok
    assert result.reason
    # Zoom does not retry the challenge.
    assert webhooks.wait_for_deliveries()
    assert len(hooked.received) == 1
    [delivery] = webhooks.deliveries()
    assert (delivery.state, delivery.attempts) == (WebhookDelivery.State.DROPPED, 1)


def test_url_validation_against_nothing_listening_is_a_failure_not_a_crash(app):
    app.event_url = "http://127.0.0.1:9/nothing/"
    app.save()
    ok, result = webhooks.send_url_validation(app)
    assert not ok
    assert result.response is None
    assert result.reason


# --- the page -------------------------------------------------------------------------------------------


@committed_emulator_db
def test_the_webhooks_page_lists_deliveries_with_attempts_and_bodies(client, app, hooked, fast_retries):
    hooked.answer_with(500, 200)
    webhooks.send_event(app, "meeting.started", {"marker": "visible-in-the-body"})
    assert webhooks.wait_for_deliveries()
    response = client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("meeting.started", hooked.url, "HTTP 500", "HTTP 200", "visible-in-the-body", "Delivered"):
        assert text in body
    assert body.count('data-testid="webhook-attempt"') == 2
    assert 'data-testid="resend"' in body
    assert 'data-testid="send-url-validation"' in body
    assert PAGE in client.get(reverse("zoom_emulator:index")).content.decode()


def test_the_page_renders_with_nothing_sent(client, seeded):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "No webhooks sent yet." in response.content.decode()


@committed_emulator_db
def test_the_page_s_resend_sends_the_delivery_again(client, app, hooked):
    first = webhooks.send_event(app, "meeting.started", {})
    assert webhooks.wait_for_deliveries()
    assert client.post(PAGE, {"action": "resend", "delivery_id": first.pk}).status_code == 302
    assert webhooks.wait_for_deliveries()
    assert len(hooked.received) == 2
    assert hooked.received[0].body == hooked.received[1].body


def test_the_page_s_url_validation_shows_the_verdict(client, app, hooked):
    hooked.answer_with(_validator(app.webhook_secret_token), _validator("wrong", check_signature=False))
    passed = client.post(PAGE, {"action": "url_validation", "client_id": app.client_id})
    assert passed.status_code == 200
    assert "Validated</strong>" in passed.content.decode()
    failed = client.post(PAGE, {"action": "url_validation", "client_id": app.client_id})
    assert "Not validated</strong>" in failed.content.decode()
    assert "encryptedToken is not" in failed.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "resend", "delivery_id": "abc"},
        {"action": "resend", "delivery_id": "999999"},
        {"action": "resend"},
        {"action": "url_validation", "client_id": "nope"},
        {"action": "deauthorize_on_delete", "client_id": "nope"},
        {"action": "explode"},
        {},
    ],
)
def test_the_page_refuses_odd_posts_with_a_400(client, seeded, data):
    assert client.post(PAGE, data).status_code == 400


# --- the Users page's remove and delete, and the switch -------------------------------------------------


@committed_emulator_db
def test_deleting_a_user_sends_nothing_by_default(client, app, hooked):
    tokens = connect(client, app, "recruiter1@demo.example")
    target = accounts.get_user("recruiter1@demo.example")
    sign_in(client, "zoom-admin@demo.example")
    assert client.post(USERS, {"user_id": target.user_id, "action": "delete"}).status_code == 302
    assert webhooks.wait_for_deliveries()
    assert hooked.received == []
    assert webhooks.deliveries() == []
    # The product finds out the way upkeep does: the refresh and the API refuse.
    assert refresh(client, app, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert me(client, tokens["access_token"]).status_code == 401


@committed_emulator_db
def test_removing_a_user_from_the_account_sends_nothing(client, app, hooked):
    target = accounts.get_user("recruiter1@demo.example")
    connect(client, app, "recruiter1@demo.example")
    sign_in(client, "zoom-admin@demo.example")
    assert client.post(USERS, {"user_id": target.user_id, "action": "remove"}).status_code == 302
    assert webhooks.wait_for_deliveries()
    assert hooked.received == []


@committed_emulator_db
def test_with_the_switch_on_deleting_a_user_sends_a_signed_app_deauthorized(client, app, seeded, hooked):
    response = client.post(PAGE, {"action": "deauthorize_on_delete", "client_id": app.client_id, "enabled": "1"})
    assert response.status_code == 302
    assert App.objects.get(pk=app.pk).deauthorize_on_user_delete
    connect(client, app, "recruiter1@demo.example")
    target = accounts.get_user("recruiter1@demo.example")
    sign_in(client, "zoom-admin@demo.example")
    assert client.post(USERS, {"user_id": target.user_id, "action": "delete"}).status_code == 302
    assert webhooks.wait_for_deliveries()

    [request] = hooked.received
    assert signature_ok(app.webhook_secret_token, request)
    payload = json.loads(request.body)["payload"]
    assert (payload["user_id"], payload["account_id"]) == (target.user_id, seeded.accounts["demo"].account_id)

    # A user who never added the app, or whose grant already ended, brings nothing more.
    accounts.delete_user("recruiter2@demo.example")
    assert webhooks.wait_for_deliveries()
    assert len(hooked.received) == 1

    client.post(PAGE, {"action": "deauthorize_on_delete", "client_id": app.client_id, "enabled": "0"})
    assert not App.objects.get(pk=app.pk).deauthorize_on_user_delete


# --- the account's settings ------------------------------------------------------------------------------


@committed_emulator_db
def test_a_settings_change_applies_to_later_meetings_and_sends_nothing(client, app, token, hooked):
    before = create(client, token).json()
    assert before["settings"]["waiting_room"] is False
    policy = meetings.policy_for("demo")
    form = {
        "action": "policy",
        "account_id": accounts.get_account("demo").account_id,
        "waiting_room": "on",
        "waiting_room_locked": "on",
        "join_before_host": "on",
        "embed_password_in_join_link": "on",
        "require_password": "on",
        "require_security_option": "on",
        "password_min_length": policy.password_min_length,
        "daily_limit": policy.daily_limit,
    }
    assert client.post(reverse("zoom_emulator:meeting_settings"), form).status_code == 302

    after = create(client, token).json()
    assert after["settings"]["waiting_room"] is True
    assert after["settings"]["join_before_host"] is False
    # The meeting made before keeps what it was given.
    again = call(client, token, "GET", f"meetings/{before['id']}").json()
    assert again["settings"]["waiting_room"] is False
    assert webhooks.wait_for_deliveries()
    assert hooked.received == []
    assert webhooks.deliveries() == []
