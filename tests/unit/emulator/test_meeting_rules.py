"""Zoom's overrides: passcode rules, embedded passcode, waiting room vs join before host, locks,
alternative hosts, the one-security-option rule, and the user settings that show them."""

from __future__ import annotations

import pytest

from tests.unit.emulator.helpers import emulator_db
from tests.unit.emulator.meeting_helpers import call, create, meeting_body
from zoom_emulator import meetings

pytestmark = emulator_db


def test_join_url_carries_pwd_only_when_the_embed_setting_is_on(client, token):
    with_pwd = create(client, token).json()
    assert with_pwd["join_url"].endswith(f"?pwd={with_pwd['encrypted_password']}")
    meetings.set_policy("demo", embed_password_in_join_link=False)
    without = create(client, token).json()
    assert without["password"]
    assert "pwd=" not in without["join_url"]
    assert without["join_url"] == f"http://testserver/zoom-emulator/j/{without['id']}"


def test_a_user_s_own_embed_setting_counts_unless_the_account_locks_it(client, token):
    meetings.set_user_settings("recruiter1@demo.example", embed_password_in_join_link=False)
    assert "pwd=" not in create(client, token).json()["join_url"]
    meetings.set_policy("demo", embed_password_in_join_link=True, embed_password_in_join_link_locked=True)
    assert "pwd=" in create(client, token).json()["join_url"]


@pytest.mark.parametrize(
    ("rules", "password"),
    [
        ({}, "abc"),  # shorter than the default minimum of 6
        ({}, "12345678901"),  # longer than 10
        ({}, "abc def12"),  # a space is not allowed
        ({"password_have_letter": True, "password_have_number": True}, "abcdefgh"),
        ({"password_only_numeric": True}, "abc123"),
        ({"password_min_length": 8}, "abc1234"),
    ],
)
def test_a_passcode_breaking_the_account_rules_is_refused_with_300(client, token, rules, password):
    meetings.set_policy("demo", **rules)
    response = create(client, token, meeting_body(password=password))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 300
    assert body["message"].startswith("Invalid password")


def test_default_password_generates_one_that_satisfies_the_rules(client, token):
    meetings.set_policy("demo", password_only_numeric=True, password_min_length=8)
    body = create(client, token, meeting_body(password=None, default_password=True) | {"password": ""}).json()
    assert body["password"].isdigit()
    assert len(body["password"]) == 8
    meetings.set_policy("demo", password_only_numeric=False, password_have_letter=True, password_have_number=True)
    body = create(client, token, {k: v for k, v in meeting_body(default_password=True).items() if k != "password"})
    password = body.json()["password"]
    assert meetings.password_problem(meetings.policy_for("demo"), password) is None
    assert any(c.isalpha() for c in password)
    assert any(c.isdigit() for c in password)


def test_no_passcode_when_none_is_required_or_asked(client, token):
    meetings.set_policy("demo", require_password=False, require_security_option=False)
    body = {k: v for k, v in meeting_body(default_password=False).items() if k != "password"}
    made = create(client, token, body).json()
    assert made["password"] == ""
    assert made["encrypted_password"] == ""
    assert "pwd=" not in made["join_url"]


def test_a_locked_passcode_requirement_generates_one_even_when_refused(client, token):
    meetings.set_policy("demo", require_password=True, require_password_locked=True)
    body = {k: v for k, v in meeting_body(default_password=False).items() if k != "password"}
    made = create(client, token, body).json()
    assert len(made["password"]) >= 6
    assert "pwd=" in made["join_url"]


def test_waiting_room_forces_join_before_host_off(client, token):
    made = create(client, token, meeting_body(settings={"waiting_room": True, "join_before_host": True})).json()
    assert (made["settings"]["waiting_room"], made["settings"]["join_before_host"]) == (True, False)


def test_a_waiting_room_locked_on_overrides_the_request(client, token):
    meetings.set_policy("demo", waiting_room=True, waiting_room_locked=True)
    made = create(client, token).json()
    assert (made["settings"]["waiting_room"], made["settings"]["join_before_host"]) == (True, False)


def test_join_before_host_locked_off_wins_whatever_was_asked(client, token):
    meetings.set_policy("demo", join_before_host=False, join_before_host_locked=True)
    made = create(client, token).json()
    assert (made["settings"]["join_before_host"], made["settings"]["waiting_room"]) == (False, False)
    call(client, token, "PATCH", f"meetings/{made['id']}", {"settings": {"join_before_host": True}})
    assert call(client, token, "GET", f"meetings/{made['id']}").json()["settings"]["join_before_host"] is False


def test_without_a_passcode_one_security_option_turns_the_waiting_room_on(client, token):
    meetings.set_policy("demo", require_password=False)
    body = {k: v for k, v in meeting_body(default_password=False).items() if k != "password"}
    made = create(client, token, body).json()
    assert made["password"] == ""
    assert (made["settings"]["waiting_room"], made["settings"]["join_before_host"]) == (True, False)


def test_alternative_hosts_of_the_same_account_are_kept(client, token):
    made = create(
        client, token, meeting_body(settings={"alternative_hosts": "RECRUITER2@demo.example; recruiter1@demo.example"})
    ).json()
    # Normalised to the users' e-mails; the host is left out of their own alternative hosts.
    assert made["settings"]["alternative_hosts"] == "recruiter2@demo.example"


def test_alternative_hosts_of_another_account_are_refused_with_1115(client, token):
    for ref in ("recruiter3@personal.example", "nobody@nowhere.example"):
        response = create(client, token, meeting_body(settings={"alternative_hosts": ref}))
        assert response.status_code == 400
        assert response.json() == {"code": 1115, "message": f"Alternative host {ref} does not belong to this account."}


def test_user_settings_reflect_the_account_settings_and_locks(client, token):
    before = call(client, token, "GET", "users/me/settings").json()
    assert before["schedule_meeting"]["embed_password_in_join_link"] is True
    assert before["schedule_meeting"]["join_before_host"] is True
    assert before["in_meeting"]["waiting_room"] is False
    meetings.set_user_settings("recruiter1@demo.example", join_before_host=True, waiting_room=False)
    meetings.set_policy(
        "demo",
        waiting_room=True,
        waiting_room_locked=True,
        join_before_host=False,
        join_before_host_locked=True,
        embed_password_in_join_link=False,
        require_password=True,
        require_password_locked=True,
        password_min_length=8,
        password_only_numeric=True,
    )
    response = call(client, token, "GET", "users/me/settings")
    assert response.status_code == 200
    after = response.json()
    schedule = after["schedule_meeting"]
    assert schedule["embed_password_in_join_link"] is False
    assert schedule["join_before_host"] is False
    assert schedule["require_password_for_scheduling_new_meetings"] is True
    assert schedule["meeting_password_requirement"]["length"] == 8
    assert schedule["meeting_password_requirement"]["only_allow_numeric"] is True
    assert after["in_meeting"]["waiting_room"] is True
    assert after["meeting_security"]["waiting_room"] is True


def test_user_settings_need_the_settings_scope(client, token, seeded):
    from zoom_emulator.models import Grant

    Grant.objects.filter(access_token=token).update(scopes=["user:read:user"])
    response = call(client, token, "GET", "users/me/settings")
    assert response.json()["code"] == 4711
    other = seeded.users["recruiter2@demo.example"].user_id
    Grant.objects.filter(access_token=token).update(scopes=["user:read:settings"])
    assert call(client, token, "GET", f"users/{other}/settings").json()["code"] == 1001


def test_helpers_refuse_nonsense_settings(seeded):
    with pytest.raises(ValueError, match="Unknown"):
        meetings.set_policy("demo", colour=True)
    with pytest.raises(ValueError, match="length"):
        meetings.set_policy("demo", password_min_length=11)
    with pytest.raises(ValueError, match="Unknown"):
        meetings.set_user_settings("recruiter1@demo.example", colour=True)
