from __future__ import annotations

import base64
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.unit.emulator.helpers import (
    PERSONAL_CALLBACK,
    basic,
    connect,
    emulator_db,
    exchange,
    get_code,
    me,
    pkce_pair,
    refresh,
    sign_in,
)
from zoom_emulator.models import Grant

pytestmark = emulator_db

INVALID_CLIENT = {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
INVALID_GRANT = {"reason": "Invalid Token!", "error": "invalid_grant"}


def test_it_exchanges_a_code_for_tokens(client, app):
    sign_in(client, "recruiter1@demo.example")
    response = exchange(client, app, get_code(client, app))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "refresh_token", "expires_in", "scope", "api_url"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["scope"].split(" ") == app.scopes
    assert body["api_url"] == "http://testserver/zoom-emulator"
    assert body["access_token"] != body["refresh_token"]
    assert response["Cache-Control"] == "no-store"


def test_it_accepts_parameters_in_the_query_string(client, app):
    sign_in(client, "recruiter1@demo.example")
    code = get_code(client, app)
    url = f"{reverse('zoom_emulator:token')}?grant_type=authorization_code&code={code}&redirect_uri={PERSONAL_CALLBACK}"
    response = client.post(url, HTTP_AUTHORIZATION=basic(app))
    # The code was issued for the company callback, so the query's personal callback must not match.
    assert response.status_code == 400
    code = get_code(client, app, redirect_uri=PERSONAL_CALLBACK)
    url = f"{reverse('zoom_emulator:token')}?grant_type=authorization_code&code={code}&redirect_uri={PERSONAL_CALLBACK}"
    assert client.post(url, HTTP_AUTHORIZATION=basic(app)).status_code == 200


def test_it_refuses_a_reused_code(client, app):
    sign_in(client, "recruiter1@demo.example")
    code = get_code(client, app)
    assert exchange(client, app, code).status_code == 200
    response = exchange(client, app, code)
    assert response.status_code == 400
    assert response.json() == {"reason": "Invalid authorization code", "error": "invalid_request"}


def test_it_refuses_an_unknown_code(client, app):
    response = exchange(client, app, "not-a-code")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_it_refuses_a_code_older_than_five_minutes(client, app):
    sign_in(client, "recruiter1@demo.example")
    code = get_code(client, app)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        response = exchange(client, app, code)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "expired" in body["reason"]


def test_it_accepts_a_code_just_under_five_minutes_old(client, app):
    sign_in(client, "recruiter1@demo.example")
    code = get_code(client, app)
    with time_machine.travel(timezone.now() + timedelta(minutes=4, seconds=55)):
        assert exchange(client, app, code).status_code == 200


def test_it_refuses_a_redirect_uri_other_than_the_one_at_authorize(client, app):
    sign_in(client, "recruiter1@demo.example")
    code = get_code(client, app)
    response = exchange(client, app, code, redirect_uri=PERSONAL_CALLBACK)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert not Grant.objects.exists()


def test_it_verifies_an_s256_challenge(client, app):
    sign_in(client, "recruiter1@demo.example")
    verifier, challenge = pkce_pair("S256")
    code = get_code(client, app, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, app, code, verifier=verifier).status_code == 200


def test_it_refuses_a_mismatched_s256_verifier(client, app):
    sign_in(client, "recruiter1@demo.example")
    _, challenge = pkce_pair("S256")
    other_verifier, _ = pkce_pair("S256")
    code = get_code(client, app, code_challenge=challenge, code_challenge_method="S256")
    response = exchange(client, app, code, verifier=other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert not Grant.objects.exists()


def test_it_refuses_a_missing_verifier_when_a_challenge_was_given(client, app):
    sign_in(client, "recruiter1@demo.example")
    _, challenge = pkce_pair("S256")
    code = get_code(client, app, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, app, code).status_code == 400


def test_it_verifies_a_plain_challenge(client, app):
    sign_in(client, "recruiter1@demo.example")
    verifier, challenge = pkce_pair("plain")
    code = get_code(client, app, code_challenge=challenge, code_challenge_method="plain")
    assert exchange(client, app, code, verifier=verifier).status_code == 200


def test_it_refuses_a_mismatched_plain_verifier(client, app):
    sign_in(client, "recruiter1@demo.example")
    verifier, challenge = pkce_pair("plain")
    code = get_code(client, app, code_challenge=challenge, code_challenge_method="plain")
    response = exchange(client, app, code, verifier=verifier + "x")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_it_refuses_a_wrong_client_secret(client, app):
    sign_in(client, "recruiter1@demo.example")
    code = get_code(client, app)
    response = exchange(client, app, code, secret="wrong")
    assert response.status_code == 401
    assert response.json() == INVALID_CLIENT


def test_it_requires_basic_client_authentication(client, app):
    url = reverse("zoom_emulator:token")
    for header in (None, "Bearer abc", "Basic !!!notbase64", "Basic " + base64.b64encode(b"no-colon").decode()):
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        response = client.post(url, {"grant_type": "refresh_token", "refresh_token": "x"}, **extra)
        assert response.status_code == 401, header
        assert response.json() == INVALID_CLIENT


def test_it_refuses_client_credentials_in_the_body_alone(client, app):
    response = client.post(
        reverse("zoom_emulator:token"),
        {"grant_type": "refresh_token", "refresh_token": "x", "client_id": app.client_id, "client_secret": "s"},
    )
    assert response.status_code == 401


def test_it_refuses_an_unsupported_grant_type(client, app):
    for grant_type in ("client_credentials", ""):
        response = client.post(
            reverse("zoom_emulator:token"), {"grant_type": grant_type}, HTTP_AUTHORIZATION=basic(app)
        )
        assert response.status_code == 400
        assert response.json()["error"] == "unsupported_grant_type"


def test_it_rotates_both_tokens_on_refresh(client, app):
    first = connect(client, app, "recruiter1@demo.example")
    response = refresh(client, app, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == first["scope"]
    assert me(client, second["access_token"]).status_code == 200
    assert me(client, first["access_token"]).status_code == 401


def test_it_refuses_a_reused_refresh_token(client, app):
    first = connect(client, app, "recruiter1@demo.example")
    second = refresh(client, app, first["refresh_token"]).json()
    response = refresh(client, app, first["refresh_token"])
    assert response.status_code == 400
    assert response.json() == INVALID_GRANT
    # The failed reuse did not disturb the current pair.
    assert refresh(client, app, second["refresh_token"]).status_code == 200


def test_it_refuses_an_unknown_refresh_token(client, app):
    response = refresh(client, app, "never-issued")
    assert response.status_code == 400
    assert response.json() == INVALID_GRANT


def test_a_new_authorization_kills_the_previous_tokens(client, app):
    first = connect(client, app, "admin@demo.example")
    second = connect(client, app, "admin@demo.example")
    assert Grant.objects.filter(user__email="admin@demo.example", app=app).count() == 1
    assert me(client, first["access_token"]).json() == {"code": 124, "message": "Invalid access token."}
    assert refresh(client, app, first["refresh_token"]).json() == INVALID_GRANT
    assert me(client, second["access_token"]).status_code == 200


def test_grants_of_different_users_live_side_by_side(client, app):
    one = connect(client, app, "recruiter1@demo.example")
    two = connect(client, app, "recruiter2@demo.example")
    assert me(client, one["access_token"]).json()["email"] == "recruiter1@demo.example"
    assert me(client, two["access_token"]).json()["email"] == "recruiter2@demo.example"


def test_it_answers_wrong_methods_in_zoom_shape(client, app):
    response = client.get(reverse("zoom_emulator:token"))
    assert response.status_code == 405
    assert response.json()["error"] == "invalid_request"


def test_it_answers_a_malformed_body_with_a_4xx(client, app):
    response = client.generic(
        "POST",
        reverse("zoom_emulator:token"),
        b"--x\r\nbroken",
        content_type="multipart/form-data; boundary=",
        HTTP_AUTHORIZATION=basic(app),
    )
    assert 400 <= response.status_code < 500
    response = client.post(
        reverse("zoom_emulator:token"), b"{not json", content_type="application/json", HTTP_AUTHORIZATION=basic(app)
    )
    assert response.status_code == 400
