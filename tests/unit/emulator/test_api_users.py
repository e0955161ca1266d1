from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.unit.emulator.helpers import connect, emulator_db, me
from zoom_emulator.models import Grant, User

pytestmark = emulator_db

INVALID = {"code": 124, "message": "Invalid access token."}


def test_it_describes_the_token_s_user(client, app, seeded):
    tokens = connect(client, app, "zoom-owner@demo.example")
    response = me(client, tokens["access_token"])
    assert response.status_code == 200
    body = response.json()
    user = seeded.users["zoom-owner@demo.example"]
    assert body["id"] == user.user_id
    assert body["account_id"] == seeded.accounts["demo"].account_id
    assert body["email"] == "zoom-owner@demo.example"
    assert body["first_name"] == "Ichiro"
    assert body["last_name"] == "Sato"
    assert body["display_name"] == "Ichiro Sato"
    assert body["role_name"] == "Owner"
    assert body["role_id"] == "0"
    assert body["type"] == 2
    assert body["status"] == "active"
    assert body["timezone"] == "Asia/Tokyo"
    assert body["language"] == "ja-JP"
    assert body["created_at"] == "2024-04-01T00:00:00Z"
    assert body["pmi"] == user.pmi
    assert body["personal_meeting_url"].endswith(f"/j/{user.pmi}")
    assert body["verified"] == 1
    assert body["cluster"] == "us04"


def test_it_names_admin_and_member_roles(client, app):
    admin = me(client, connect(client, app, "zoom-admin@demo.example")["access_token"]).json()
    member = me(client, connect(client, app, "recruiter1@demo.example")["access_token"]).json()
    assert (admin["role_name"], admin["role_id"]) == ("Admin", "1")
    assert (member["role_name"], member["role_id"]) == ("Member", "2")


def test_the_personal_account_is_a_different_account(client, app, seeded):
    body = me(client, connect(client, app, "recruiter3@personal.example")["access_token"]).json()
    assert body["account_id"] == seeded.accounts["personal"].account_id
    assert body["account_id"] != seeded.accounts["demo"].account_id
    assert body["type"] == 1


def test_it_reads_oneself_by_id_and_by_email(client, app, seeded):
    tokens = connect(client, app, "recruiter1@demo.example")
    user = seeded.users["recruiter1@demo.example"]
    for ref in (user.user_id, user.email, user.email.upper(), "me"):
        response = me(client, tokens["access_token"], f"users/{ref}")
        assert response.status_code == 200, ref
        assert response.json()["id"] == user.user_id


def test_it_hides_other_users_behind_1001(client, app, seeded):
    tokens = connect(client, app, "recruiter1@demo.example")
    other = seeded.users["recruiter2@demo.example"]
    for ref in (other.user_id, other.email, "nobody@nowhere.example"):
        response = me(client, tokens["access_token"], f"users/{ref}")
        assert response.status_code == 404
        assert response.json() == {"code": 1001, "message": f"User does not exist: {ref}."}


def test_a_pending_user_shows_only_id_and_created_at(client, app, seeded):
    tokens = connect(client, app, "recruiter2@demo.example")
    User.objects.filter(email="recruiter2@demo.example").update(status=User.Status.PENDING)
    response = me(client, tokens["access_token"])
    assert response.status_code == 200
    assert response.json() == {
        "id": seeded.users["recruiter2@demo.example"].user_id,
        "created_at": "2024-04-01T00:00:00Z",
    }


def test_it_refuses_a_missing_or_unknown_token_with_124(client, app):
    assert client.get("/zoom-emulator/v2/users/me").json() == INVALID
    response = me(client, "made-up-token")
    assert response.status_code == 401
    assert response.json() == INVALID
    response = client.get("/zoom-emulator/v2/users/me", HTTP_AUTHORIZATION="Basic abc")
    assert response.status_code == 401


def test_it_refuses_an_expired_token_with_its_own_message(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    with time_machine.travel(timezone.now() + timedelta(seconds=3600)):
        response = me(client, tokens["access_token"])
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}


def test_it_honours_a_shorter_access_token_lifetime(client, app):
    app.access_token_ttl = 60
    app.save()
    tokens = connect(client, app, "recruiter1@demo.example")
    assert tokens["expires_in"] == 60
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert me(client, tokens["access_token"]).json()["message"] == "Access token is expired."


def test_it_refuses_a_revoked_token_with_124(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    grant = Grant.objects.get(access_token=tokens["access_token"])
    Grant.objects.filter(pk=grant.pk).update(revoked=True)
    response = me(client, tokens["access_token"])
    assert response.status_code == 401
    assert response.json() == INVALID


def test_it_refuses_a_token_without_the_user_read_scope_with_4711(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    Grant.objects.filter(access_token=tokens["access_token"]).update(scopes=["meeting:write:meeting"])
    response = me(client, tokens["access_token"])
    assert response.status_code == 400
    assert response.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:[user:read:user]",
    }


def test_it_accepts_the_classic_scope_name(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    Grant.objects.filter(access_token=tokens["access_token"]).update(scopes=["user:read"])
    assert me(client, tokens["access_token"]).status_code == 200


def test_it_adds_tracking_and_rate_limit_headers(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    for response in (me(client, tokens["access_token"]), me(client, "bad")):
        assert response["x-zm-trackingid"]
        assert response["X-RateLimit-Category"] == "Light"
        assert response["X-RateLimit-Type"] == "QPS"
        assert int(response["X-RateLimit-Limit"]) > int(response["X-RateLimit-Remaining"]) >= 0


def test_it_answers_wrong_methods_and_unknown_paths_with_json(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    response = client.post("/zoom-emulator/v2/users/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert response.status_code == 405
    assert response.json()["code"] == 405
    response = client.get("/zoom-emulator/v2/no/such/thing", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}
