"""A Zoom user removes the app from their Zoom (web portal › アプリ › Remove): the grant ends and the app
receives one signed app_deauthorized, exactly as after /oauth/revoke."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.unit.emulator.capture import signature_ok
from tests.unit.emulator.helpers import committed_emulator_db, connect, emulator_db, me, query_of, refresh, sign_in
from zoom_emulator import accounts, oauth, webhooks
from zoom_emulator.models import App, Grant, WebhookDelivery

pytestmark = emulator_db

APPS = reverse("zoom_emulator:added_apps")
INVALID_GRANT = {"reason": "Invalid Token!", "error": "invalid_grant"}
INVALID_ACCESS = {"code": 124, "message": "Invalid access token."}


def test_added_apps_lists_the_apps_the_signed_in_user_authorized(client, app, hooked):
    connect(client, app, "recruiter1@demo.example")
    response = client.get(APPS)
    body = response.content.decode()
    assert response.status_code == 200
    assert app.name in body
    assert app.client_id in body
    assert 'data-testid="zoom-remove-app"' in body
    sign_in(client, "recruiter2@demo.example")
    assert 'data-testid="zoom-no-added-apps"' in client.get(APPS).content.decode()


def test_added_apps_asks_a_visitor_to_sign_in_first(client, seeded):
    response = client.get(APPS)
    assert response.status_code == 302
    assert query_of(response["Location"])["next"] == [APPS]


def test_added_apps_is_linked_from_the_profile_and_the_index(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    assert APPS in client.get(reverse("zoom_emulator:profile")).content.decode()
    assert APPS in client.get(reverse("zoom_emulator:index")).content.decode()


@committed_emulator_db
def test_removing_the_app_kills_the_grant_and_sends_one_signed_app_deauthorized(client, app, seeded, hooked):
    tokens = connect(client, app, "recruiter1@demo.example")
    response = client.post(APPS, {"client_id": app.client_id})
    assert response.status_code == 302
    assert webhooks.wait_for_deliveries()

    assert refresh(client, app, tokens["refresh_token"]).json() == INVALID_GRANT
    assert refresh(client, app, tokens["refresh_token"]).status_code == 400
    answer = me(client, tokens["access_token"])
    assert (answer.status_code, answer.json()) == (401, INVALID_ACCESS)
    assert Grant.objects.get().revoked

    assert len(hooked.received) == 1
    request = hooked.received[0]
    assert signature_ok(app.webhook_secret_token, request)
    assert request.headers["clientid"] == app.client_id
    assert request.headers["user-agent"] == "Zoom Marketplace/1.0a"
    body = json.loads(request.body)
    user = seeded.users["recruiter1@demo.example"]
    assert body["event"] == "app_deauthorized"
    assert set(body["payload"]) == {"account_id", "user_id", "signature", "deauthorization_time", "client_id"}
    assert body["payload"]["user_id"] == user.user_id
    assert body["payload"]["account_id"] == seeded.accounts["demo"].account_id
    assert body["payload"]["client_id"] == app.client_id

    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="zoom-app-removed"' in page
    assert 'data-testid="zoom-no-added-apps"' in page


@committed_emulator_db
def test_remove_app_helper_does_what_the_button_does(client, app, seeded, hooked):
    tokens = connect(client, app, "recruiter1@demo.example")
    grant = oauth.remove_app("recruiter1@demo.example")
    assert grant.revoked
    assert grant.access_token is None
    assert webhooks.wait_for_deliveries()
    assert refresh(client, app, tokens["refresh_token"]).json() == INVALID_GRANT
    [delivery] = webhooks.deliveries("app_deauthorized")
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert len(hooked.received) == 1


def test_a_new_authorization_after_removing_works_again(client, app, hooked):
    connect(client, app, "recruiter1@demo.example")
    oauth.remove_app("recruiter1@demo.example", app)
    again = connect(client, app, "recruiter1@demo.example")
    assert me(client, again["access_token"]).status_code == 200
    assert oauth.added_apps("recruiter1@demo.example")[0].app == app


@committed_emulator_db
def test_removing_an_app_not_added_is_refused_and_sends_nothing(client, app, hooked):
    connect(client, app, "recruiter1@demo.example")
    other = App.objects.create(name="Other", client_id="other-app", client_secret="s", event_url=hooked.url)
    for client_id in ("", "nonexistent", other.client_id):
        response = client.post(APPS, {"client_id": client_id})
        assert response.status_code == 400
        assert "not among your added apps" in response.content.decode()
    with pytest.raises(accounts.AccountError):
        oauth.remove_app("recruiter2@demo.example")
    oauth.remove_app("recruiter1@demo.example")
    # Removing twice (a stale form) is the same refusal, with no second webhook.
    assert client.post(APPS, {"client_id": app.client_id}).status_code == 400
    assert webhooks.wait_for_deliveries()
    assert len(hooked.received) == 1
