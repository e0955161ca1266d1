from __future__ import annotations

from django.urls import reverse

from tests.unit.emulator.helpers import basic, connect, emulator_db, me, refresh
from zoom_emulator import calllog
from zoom_emulator.models import Call, Grant

pytestmark = emulator_db


def test_it_records_every_request_per_endpoint(client, app):
    calllog.clear_calls()
    tokens = connect(client, app, "recruiter1@demo.example")
    me(client, tokens["access_token"])
    refresh(client, app, "stale")

    endpoints = [call.endpoint for call in calllog.calls()]
    assert endpoints == ["pages.signin", "oauth.authorize", "oauth.authorize", "oauth.token", "users.me", "oauth.token"]
    token_calls = calllog.calls("oauth.token")
    assert [(c.method, c.path, c.status_code) for c in token_calls] == [
        ("POST", "/zoom-emulator/oauth/token", 200),
        ("POST", "/zoom-emulator/oauth/token", 400),
    ]
    assert calllog.calls("users.me")[0].status_code == 200


def test_it_never_stores_a_secret(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    # Parameters in the query string are the riskiest: the path is stored without it.
    client.post(
        f"{reverse('zoom_emulator:token')}?grant_type=refresh_token&refresh_token={tokens['refresh_token']}",
        HTTP_AUTHORIZATION=basic(app),
    )
    me(client, tokens["access_token"])
    grant = Grant.objects.get()
    secrets = {tokens["access_token"], tokens["refresh_token"], grant.access_token, grant.refresh_token}
    secrets |= {app.client_secret, app.client_id}
    for call in Call.objects.all():
        for value in (call.method, call.path, call.endpoint):
            assert not any(secret in value for secret in secrets), value
        assert "?" not in call.path


def test_it_records_refusals_and_unknown_api_paths(client, app):
    calllog.clear_calls()
    me(client, "bad")
    client.get("/zoom-emulator/v2/nothing")
    assert [(c.endpoint, c.status_code) for c in calllog.calls()] == [("users.me", 401), ("api.not_found", 404)]
