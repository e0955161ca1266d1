"""Scopes, end to end: each token carries the scopes its grant was given; an endpoint needing one it lacks
answers Zoom's 4711 at HTTP 400. A grant made before the app asked for more keeps its fewer scopes, refreshes
included, until the user authorizes again (NOTES.md sections 2 and 11)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.unit.emulator.helpers import authorize_params, connect, emulator_db, me, refresh
from tests.unit.emulator.meeting_helpers import call, create, meeting_body
from zoom_emulator import oauth
from zoom_emulator.models import App, Grant
from zoom_emulator.seed import APP_SCOPES

pytestmark = emulator_db

DELETE = "meeting:delete:meeting"
# The app's first version: everything but the delete scope.
FIRST = [scope for scope in APP_SCOPES if scope != DELETE]


def _missing(scope: str) -> dict:
    return {"code": 4711, "message": f"Invalid access token, does not contain scopes:[{scope}]"}


def _meeting_id(client: Client, token: str) -> int:
    response = create(client, token)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_grant_keeps_its_scopes_when_the_app_asks_for_more_until_the_user_authorizes_again(client, app):
    oauth.set_app_scopes(FIRST)
    tokens = connect(client, app, "recruiter1@demo.example")
    assert tokens["scope"].split() == FIRST
    meeting_id = _meeting_id(client, tokens["access_token"])

    oauth.set_app_scopes([*FIRST, DELETE])
    response = call(client, tokens["access_token"], "DELETE", f"meetings/{meeting_id}")
    assert (response.status_code, response.json()) == (400, _missing(DELETE))

    # A refresh rotates the tokens but grants nothing new.
    refreshed = refresh(client, app, tokens["refresh_token"]).json()
    assert refreshed["scope"].split() == FIRST
    response = call(client, refreshed["access_token"], "DELETE", f"meetings/{meeting_id}")
    assert (response.status_code, response.json()) == (400, _missing(DELETE))
    assert oauth.granted_scopes("recruiter1@demo.example") == FIRST
    assert call(client, refreshed["access_token"], "GET", f"meetings/{meeting_id}").status_code == 200

    # The user authorizes again (the consent page lists the new scope): the new grant carries both.
    page = client.get(reverse("zoom_emulator:authorize"), authorize_params(app))
    assert DELETE in page.content.decode()
    again = connect(client, app, "recruiter1@demo.example")
    assert again["scope"].split() == [*FIRST, DELETE]
    assert call(client, again["access_token"], "DELETE", f"meetings/{meeting_id}").status_code == 204
    # Zoom keeps one token set per user and app: the older tokens are dead.
    assert me(client, refreshed["access_token"]).json()["code"] == 124


def test_another_user_s_grant_keeps_the_old_scopes_while_a_new_user_gets_the_new_ones(client, app):
    oauth.set_app_scopes(FIRST)
    old_token = connect(client, app, "recruiter1@demo.example")["access_token"]
    oauth.set_app_scopes([*FIRST, DELETE])
    newcomer = Client()
    new_token = connect(newcomer, app, "recruiter2@demo.example")["access_token"]
    mine, theirs = _meeting_id(client, old_token), _meeting_id(newcomer, new_token)
    assert call(client, old_token, "DELETE", f"meetings/{mine}").json() == _missing(DELETE)
    assert call(newcomer, new_token, "DELETE", f"meetings/{theirs}").status_code == 204


def test_the_added_apps_page_shows_the_scopes_the_grant_was_given(client, app):
    oauth.set_app_scopes(FIRST)
    connect(client, app, "recruiter1@demo.example")
    oauth.set_app_scopes([*FIRST, DELETE])
    body = client.get(reverse("zoom_emulator:added_apps")).content.decode()
    assert " ".join(FIRST) in body
    assert DELETE not in body


@pytest.mark.parametrize(
    ("method", "path", "body", "scope"),
    [
        ("GET", "users/me", None, "user:read:user"),
        ("GET", "users/me/settings", None, "user:read:settings"),
        ("POST", "users/me/meetings", meeting_body(), "meeting:write:meeting"),
        ("GET", "users/me/meetings", None, "meeting:read:list_meetings"),
        ("GET", "meetings/{id}", None, "meeting:read:meeting"),
        ("PATCH", "meetings/{id}", {"duration": 30}, "meeting:update:meeting"),
        ("DELETE", "meetings/{id}", None, "meeting:delete:meeting"),
    ],
)
def test_every_endpoint_answers_4711_naming_the_scope_it_needs(client, app, method, path, body, scope):
    token = connect(client, app, "recruiter1@demo.example")["access_token"]
    meeting_id = _meeting_id(client, token)
    Grant.objects.filter(access_token=token).update(scopes=[s for s in APP_SCOPES if s != scope])
    response = call(client, token, method, path.format(id=meeting_id), body)
    assert (response.status_code, response.json()) == (400, _missing(scope))
    # The refusal changed nothing.
    Grant.objects.filter(access_token=token).update(scopes=list(APP_SCOPES))
    fresh = call(client, token, "GET", f"meetings/{meeting_id}").json()
    assert fresh["duration"] == 45


def test_an_app_asks_for_at_least_one_named_scope(app):
    for bad in ([], [""], ["  "]):
        with pytest.raises(ValueError, match="at least one scope"):
            oauth.set_app_scopes(bad)
    assert App.objects.get(pk=app.pk).scopes == list(APP_SCOPES)


def test_granted_scopes_is_empty_without_a_live_grant(seeded):
    assert oauth.granted_scopes("recruiter2@demo.example") == []
