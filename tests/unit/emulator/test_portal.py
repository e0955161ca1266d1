from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.unit.emulator.helpers import connect, emulator_db, me, query_of, refresh, sign_in
from zoom_emulator import accounts
from zoom_emulator.browser import COOKIE_NAME
from zoom_emulator.models import Account, Grant, User

pytestmark = emulator_db

INDEX = reverse("zoom_emulator:index")
PROFILE = reverse("zoom_emulator:profile")
USERS = reverse("zoom_emulator:admin_users")
ADD = reverse("zoom_emulator:admin_users_add")
INVALID_GRANT = {"reason": "Invalid Token!", "error": "invalid_grant"}


# --- web portal: profile and sign-out -------------------------------------------------------------------


def test_the_profile_shows_the_signed_in_zoom_user(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    response = client.get(PROFILE)
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Kenta Tanaka", "recruiter1@demo.example", "Demo Inc.", "Member", ">KT<"):
        assert text in body
    assert reverse("zoom_emulator:signout") in body


def test_the_profile_asks_a_visitor_to_sign_in_first(client, seeded):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert query_of(response["Location"])["next"] == [PROFILE]


def test_the_root_shows_the_profile_picture_that_reveals_sign_out(client, seeded):
    sign_in(client, "recruiter3@personal.example")
    body = client.get(INDEX).content.decode()
    assert 'data-testid="zoom-profile-picture"' in body
    picture = body.index('data-testid="zoom-profile-picture"')
    sign_out = body.index('data-testid="zoom-sign-out"')
    # The Sign out action sits inside the profile picture's menu.
    assert picture < sign_out < body.index("</details>", picture)
    assert reverse("zoom_emulator:profile") in body
    assert "profile picture" in body


def test_signing_out_from_the_portal_leaves_nobody_signed_in(client, seeded):
    sign_in(client, "recruiter3@personal.example")
    response = client.post(reverse("zoom_emulator:signout"), {"next": INDEX})
    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert not client.cookies[COOKIE_NAME].value
    assert "Not signed in to Zoom" in client.get(INDEX).content.decode()
    assert client.get(PROFILE).status_code == 302


# --- 管理者 › ユーザー管理 › ユーザー ----------------------------------------------------------------------------


def test_admins_see_the_users_of_their_account_under_the_japanese_nav(client, seeded):
    sign_in(client, "zoom-admin@demo.example")
    response = client.get(USERS)
    body = response.content.decode()
    assert response.status_code == 200
    for label in ("管理者", "ユーザー管理", "ユーザー", "ユーザーを追加する"):
        assert label in body
    for email in ("zoom-owner@demo.example", "admin@demo.example", "recruiter2@demo.example"):
        assert email in body
    assert "recruiter3@personal.example" not in body
    assert USERS in client.get(PROFILE).content.decode()


def test_members_cannot_open_user_management(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    assert client.get(USERS).status_code == 403
    assert client.get(ADD).status_code == 403
    target = seeded.users["recruiter2@demo.example"]
    assert client.post(USERS, {"action": "delete", "user_id": target.user_id}).status_code == 403
    assert client.post(ADD, {"email": "x@demo.example"}).status_code == 403
    assert User.objects.filter(pk=target.pk).exists()
    assert not User.objects.filter(email="x@demo.example").exists()
    assert USERS not in client.get(PROFILE).content.decode()


def test_an_added_user_can_sign_in_and_authorize(client, seeded):
    sign_in(client, "zoom-admin@demo.example")
    response = client.post(ADD, {"email": "recruiter3@demo.example", "first_name": "Sho", "last_name": "Watanabe"})
    assert response.status_code == 302
    added = User.objects.get(email="recruiter3@demo.example")
    assert (added.account, added.role, added.status) == (seeded.accounts["demo"], "member", "active")
    assert "recruiter3@demo.example" in client.get(USERS).content.decode()
    assert "recruiter3@demo.example" in client.get(reverse("zoom_emulator:signin")).content.decode()

    tokens = connect(Client(), seeded.app, "recruiter3@demo.example")
    profile = me(client, tokens["access_token"])
    assert profile.status_code == 200
    assert profile.json()["id"] == added.user_id
    assert profile.json()["account_id"] == seeded.accounts["demo"].account_id
    assert profile.json()["status"] == "active"


def test_an_added_user_may_be_left_pending_like_an_unaccepted_invitation(client, seeded):
    sign_in(client, "zoom-owner@demo.example")
    client.post(ADD, {"email": "invited@demo.example", "role": "admin", "status": "pending"})
    invited = User.objects.get(email="invited@demo.example")
    assert (invited.role, invited.status) == ("admin", "pending")
    tokens = connect(Client(), seeded.app, "invited@demo.example")
    assert set(me(client, tokens["access_token"]).json()) == {"id", "created_at"}


def test_adding_refuses_bad_input_with_a_message(client, seeded):
    sign_in(client, "zoom-admin@demo.example")
    for data in (
        {"email": "recruiter1@demo.example"},
        {"email": "RECRUITER1@demo.example"},
        {"email": "not-an-email"},
        {"email": ""},
        {"email": "a" * 250 + "@demo.example"},
        {"email": "new@demo.example", "role": "owner"},
        {"email": "new@demo.example", "status": "inactive"},
    ):
        response = client.post(ADD, data)
        assert response.status_code == 400, data
        assert response.context["error"], data
    assert not User.objects.filter(email="new@demo.example").exists()


def test_removing_from_the_account_keeps_the_user_id_with_a_new_account_id(client, seeded):
    tokens = connect(Client(), seeded.app, "recruiter2@demo.example")
    target = seeded.users["recruiter2@demo.example"]
    sign_in(client, "zoom-admin@demo.example")
    response = client.post(USERS, {"action": "remove", "user_id": target.user_id})
    assert response.status_code == 302
    assert "recruiter2@demo.example" not in client.get(USERS).content.decode()

    profile = me(client, tokens["access_token"]).json()
    assert profile["id"] == target.user_id
    assert profile["email"] == "recruiter2@demo.example"
    assert profile["account_id"] not in (seeded.accounts["demo"].account_id, seeded.accounts["personal"].account_id)
    assert len(profile["account_id"]) == 22
    assert profile["role_name"] == "Owner"
    # Still a Zoom login of its own: it signs in and authorizes, in an account without the policy.
    again = connect(Client(), seeded.app, "recruiter2@demo.example")
    assert me(client, again["access_token"]).json()["account_id"] == profile["account_id"]


def test_removing_twice_gives_a_new_account_each_time(seeded):
    first = accounts.remove_from_account("recruiter1@demo.example")
    second = accounts.remove_from_account("recruiter1@demo.example")
    assert first.account_id != second.account_id
    assert User.objects.get(email="recruiter1@demo.example").user_id == seeded.users["recruiter1@demo.example"].user_id


def test_deleting_a_user_kills_its_grants(client, seeded):
    tokens = connect(Client(), seeded.app, "recruiter1@demo.example")
    target = seeded.users["recruiter1@demo.example"]
    sign_in(client, "zoom-owner@demo.example")
    response = client.post(USERS, {"action": "delete", "user_id": target.user_id})
    assert response.status_code == 302
    assert not User.objects.filter(user_id=target.user_id).exists()
    assert not Grant.objects.filter(user_id=target.pk).exists()

    refreshed = refresh(client, seeded.app, tokens["refresh_token"])
    assert refreshed.status_code == 400
    assert refreshed.json() == INVALID_GRANT
    api = me(client, tokens["access_token"])
    assert api.status_code == 401
    assert api.json()["code"] == 124


def test_a_deleted_users_browser_is_no_longer_signed_in(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    accounts.delete_user("recruiter1@demo.example")
    assert "Not signed in to Zoom" in client.get(INDEX).content.decode()


def test_an_admin_sets_a_users_status_inactive_and_active(client, seeded):
    tokens = connect(Client(), seeded.app, "recruiter1@demo.example")
    target = seeded.users["recruiter1@demo.example"]
    sign_in(client, "zoom-admin@demo.example")
    assert client.post(USERS, {"action": "status", "status": "inactive", "user_id": target.user_id}).status_code == 302
    assert User.objects.get(pk=target.pk).status == "inactive"
    assert me(client, tokens["access_token"]).json()["status"] == "inactive"
    assert client.post(USERS, {"action": "status", "status": "active", "user_id": target.user_id}).status_code == 302
    assert User.objects.get(pk=target.pk).status == "active"


def test_the_page_refuses_the_owner_oneself_other_accounts_and_nonsense(client, seeded):
    sign_in(client, "zoom-admin@demo.example")
    owner = seeded.users["zoom-owner@demo.example"]
    me_user = seeded.users["zoom-admin@demo.example"]
    outsider = seeded.users["recruiter3@personal.example"]
    member = seeded.users["recruiter1@demo.example"]
    for data in (
        {"action": "delete", "user_id": owner.user_id},
        {"action": "remove", "user_id": me_user.user_id},
        {"action": "delete", "user_id": outsider.user_id},
        {"action": "delete", "user_id": "nobody"},
        {"action": "explode", "user_id": member.user_id},
        {"action": "status", "status": "deleted", "user_id": member.user_id},
        {},
    ):
        response = client.post(USERS, data)
        assert response.status_code == 400, data
        assert response.context["error"], data
    assert User.objects.count() == 6
    assert set(Account.objects.values_list("pk", flat=True)) == {a.pk for a in seeded.accounts.values()}


def test_ids_stay_stable_across_user_management(seeded):
    before = {u.email: u.user_id for u in User.objects.all()}
    accounts.set_status("recruiter2@demo.example", "inactive")
    accounts.remove_from_account("admin@demo.example")
    added = accounts.add_user(seeded.accounts["demo"], "new@demo.example", "New", "User")
    accounts.delete_user("recruiter1@demo.example")
    after = {u.email: u.user_id for u in User.objects.all()}
    assert after == {
        **{k: v for k, v in before.items() if k != "recruiter1@demo.example"},
        "new@demo.example": added.user_id,
    }


def test_the_portal_and_marketplace_forms_are_csrf_protected(seeded):
    client = Client(enforce_csrf_checks=True)
    helper = Client()
    sign_in(helper, "zoom-owner@demo.example")
    client.cookies.load({COOKIE_NAME: helper.cookies[COOKIE_NAME].value})
    target = seeded.users["recruiter1@demo.example"]
    assert client.post(USERS, {"action": "delete", "user_id": target.user_id}).status_code == 403
    assert client.post(ADD, {"email": "csrf@demo.example"}).status_code == 403
    marketplace = reverse("zoom_emulator:marketplace_requests")
    assert client.post(marketplace, {"action": "preapprove", "app": seeded.app.client_id}).status_code == 403
    assert User.objects.filter(pk=target.pk).exists()
    assert not User.objects.filter(email="csrf@demo.example").exists()
