from __future__ import annotations

import re
from datetime import UTC, datetime

import time_machine

from tests.unit.emulator.helpers import connect, emulator_db
from tests.unit.emulator.meeting_helpers import FUTURE, call, create, meeting_body
from zoom_emulator import meetings, openapi
from zoom_emulator.models import Grant, Meeting

pytestmark = emulator_db


def test_create_answers_201_with_every_field_zoom_returns(client, token, seeded):
    response = create(client, token)
    assert response.status_code == 201, response.content
    body = response.json()
    host = seeded.users["recruiter1@demo.example"]
    assert isinstance(body["id"], int)
    assert body["id"] >= 10**10
    assert body["uuid"]
    assert body["host_id"] == host.user_id
    assert body["host_email"] == host.email
    assert body["status"] == "waiting"
    assert body["topic"] == "Interview: Taro Yamada"
    assert (body["type"], body["duration"], body["timezone"]) == (2, 45, "Asia/Tokyo")
    assert body["start_time"] == FUTURE
    assert body["agenda"] == "herp-meeting:1b2c"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["created_at"])
    assert body["password"] == "Ab3dEf7hJ9"
    assert body["encrypted_password"]
    assert body["encrypted_password"] != body["password"]
    assert body["start_url"].startswith(f"http://testserver/zoom-emulator/s/{body['id']}?zak=")
    assert body["join_url"] == f"http://testserver/zoom-emulator/j/{body['id']}?pwd={body['encrypted_password']}"
    settings = body["settings"]
    assert (settings["join_before_host"], settings["jbh_time"], settings["waiting_room"]) == (True, 0, False)
    assert settings["approval_type"] == 2
    assert settings["alternative_hosts"] == ""
    assert openapi.errors(openapi.CREATE_RESPONSE, body) == []
    assert response["x-zm-trackingid"]


def test_a_local_start_time_is_read_in_the_meeting_s_time_zone(client, token):
    body = create(client, token, meeting_body(start_time="2099-06-01T10:00:00")).json()
    assert body["start_time"] == FUTURE  # 10:00 in Tokyo is 01:00 UTC


def test_a_body_breaking_the_spec_gets_300_naming_the_field(client, token):
    cases = {
        "duration": meeting_body(duration="45"),
        "type": meeting_body(type=4),
        "topic": meeting_body(topic="x" * 201),
        "settings.jbh_time": meeting_body(settings={"jbh_time": 7}),
        "settings.waiting_room": meeting_body(settings={"waiting_room": "no"}),
        "start_time": meeting_body(start_time="next tuesday"),
        "timezone": meeting_body(timezone="Mars/Olympus"),
    }
    for field, body in cases.items():
        response = create(client, token, body)
        assert response.status_code == 400, field
        error = response.json()
        assert error["code"] == 300, field
        assert field in error["message"], (field, error)
        assert "x" * 50 not in error["message"]
    assert not Meeting.objects.exists()


def test_a_body_that_is_not_a_json_object_gets_300(client, token):
    for raw in ("{not json", "[1, 2]", '"topic"', ""):
        response = call(client, token, "POST", "users/me/meetings", raw)
        assert response.status_code == 400, raw
        assert response.json()["code"] == 300


def test_unknown_fields_are_ignored_as_zoom_does(client, token):
    assert create(client, token, meeting_body(colour="blue")).status_code == 201


def test_creating_for_another_user_is_1001(client, token, seeded):
    other = seeded.users["recruiter2@demo.example"]
    for ref in (other.user_id, other.email):
        response = create(client, token, user=ref)
        assert response.status_code == 404
        assert response.json() == {"code": 1001, "message": f"User does not exist: {ref}."}
    me = seeded.users["recruiter1@demo.example"]
    assert create(client, token, user=me.email).status_code == 201


def test_a_user_who_may_not_host_gets_3161(client, token):
    meetings.set_hosting_allowed("recruiter1@demo.example", False)
    response = create(client, token)
    assert response.status_code == 400
    assert response.json() == {
        "code": 3161,
        "message": "Your user account is not allowed meeting hosting and scheduling capabilities.",
    }


def test_create_needs_the_write_scope_and_takes_the_classic_name(client, token):
    Grant.objects.filter(access_token=token).update(scopes=["meeting:read:meeting"])
    response = create(client, token)
    assert response.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:[meeting:write:meeting]",
    }
    Grant.objects.filter(access_token=token).update(scopes=["meeting:write"])
    assert create(client, token).status_code == 201


def test_get_returns_the_meeting_with_a_fresh_start_url(client, token):
    made = create(client, token).json()
    response = call(client, token, "GET", f"meetings/{made['id']}")
    assert response.status_code == 200
    body = response.json()
    for key in ("id", "uuid", "host_id", "topic", "join_url", "password", "encrypted_password", "settings"):
        assert body[key] == made[key], key
    assert body["status"] == "waiting"
    assert body["start_url"] != made["start_url"]
    assert "?zak=" in body["start_url"]
    assert openapi.errors(openapi.GET_RESPONSE, body) == []


def test_a_missing_or_foreign_meeting_is_3001(client, app, token):
    other = connect(client, app, "recruiter2@demo.example")["access_token"]
    theirs = create(client, other).json()["id"]
    for meeting_id in (theirs, 12345678901, "abc", 2**70):
        for method in ("GET", "PATCH", "DELETE"):
            response = call(client, token, method, f"meetings/{meeting_id}", {} if method == "PATCH" else None)
            assert response.status_code == 404, (meeting_id, method)
            assert response.json() == {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}


def test_patch_answers_204_and_changes_the_meeting(client, token):
    made = create(client, token).json()
    response = call(
        client, token, "PATCH", f"meetings/{made['id']}", {"start_time": "2099-07-01T02:00:00Z", "duration": 30}
    )
    assert response.status_code == 204
    assert response.content == b""
    body = call(client, token, "GET", f"meetings/{made['id']}").json()
    assert (body["id"], body["start_time"], body["duration"]) == (made["id"], "2099-07-01T02:00:00Z", 30)
    assert body["join_url"] == made["join_url"]


def test_patch_leaves_a_past_or_omitted_start_time(client, token):
    made = create(client, token).json()
    call(client, token, "PATCH", f"meetings/{made['id']}", {"start_time": "2001-01-01T00:00:00Z", "topic": "Moved"})
    call(client, token, "PATCH", f"meetings/{made['id']}", {"agenda": "herp-meeting:1b2c"})
    body = call(client, token, "GET", f"meetings/{made['id']}").json()
    assert (body["start_time"], body["topic"]) == (FUTURE, "Moved")


def test_patch_validates_against_the_update_schema(client, token):
    made = create(client, token).json()
    response = call(client, token, "PATCH", f"meetings/{made['id']}", {"settings": {"approval_type": 9}})
    assert response.status_code == 400
    assert response.json()["code"] == 300
    assert "settings.approval_type" in response.json()["message"]


def test_delete_answers_204_then_3001(client, token):
    made = create(client, token).json()
    response = call(client, token, "DELETE", f"meetings/{made['id']}")
    assert response.status_code == 204
    assert call(client, token, "GET", f"meetings/{made['id']}").json()["code"] == 3001
    assert call(client, token, "DELETE", f"meetings/{made['id']}").status_code == 404
    # The row stays, marked, for the admin page.
    assert Meeting.objects.get(meeting_id=made["id"]).deleted_at is not None


def test_the_list_carries_the_agenda_so_a_client_finds_its_marker(client, token):
    first = create(client, token, meeting_body(agenda="herp-meeting:aaa")).json()
    second = create(client, token, meeting_body(agenda="herp-meeting:bbb", start_time="2099-06-02T01:00:00Z")).json()
    gone = create(client, token, meeting_body(agenda="herp-meeting:ccc")).json()
    call(client, token, "DELETE", f"meetings/{gone['id']}")
    response = call(client, token, "GET", "users/me/meetings", type="scheduled", page_size=300)
    assert response.status_code == 200
    body = response.json()
    assert body["total_records"] == 2
    assert [(m["id"], m["agenda"]) for m in body["meetings"]] == [
        (first["id"], "herp-meeting:aaa"),
        (second["id"], "herp-meeting:bbb"),
    ]
    item = body["meetings"][0]
    for key in ("uuid", "topic", "start_time", "duration", "timezone", "join_url", "created_at"):
        assert item[key] == first[key], key
    assert openapi.errors(openapi.LIST_RESPONSE, body) == []


def test_the_list_pages_with_next_page_token(client, token):
    ids = [create(client, token).json()["id"] for _ in range(3)]
    page = call(client, token, "GET", "users/me/meetings", page_size=2).json()
    assert len(page["meetings"]) == 2
    assert page["next_page_token"]
    rest = call(client, token, "GET", "users/me/meetings", page_size=2, next_page_token=page["next_page_token"]).json()
    assert [m["id"] for m in page["meetings"] + rest["meetings"]] == ids
    assert rest["next_page_token"] == ""
    bad = call(client, token, "GET", "users/me/meetings", next_page_token="garbage!")
    assert bad.status_code == 400
    assert bad.json()["code"] == 300
    assert call(client, token, "GET", "users/me/meetings", page_size="x").json()["code"] == 300
    assert call(client, token, "GET", "users/me/meetings", type="yesterday").json()["code"] == 300


def test_upcoming_leaves_out_meetings_that_ended(client, token):
    create(client, token, meeting_body(start_time="2030-01-01T00:00:00Z"))
    create(client, token)
    # The token must outlive the jump in time.
    Grant.objects.filter(access_token=token).update(access_token_expires_at=datetime(2040, 1, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC)):
        upcoming = call(client, token, "GET", "users/me/meetings", type="upcoming").json()
        previous = call(client, token, "GET", "users/me/meetings", type="previous_meetings").json()
    assert [m["start_time"] for m in upcoming["meetings"]] == [FUTURE]
    assert [m["start_time"] for m in previous["meetings"]] == ["2030-01-01T00:00:00Z"]


def test_meeting_urls_answer_wrong_methods_with_a_json_405(client, token):
    response = call(client, token, "PUT", "users/me/meetings")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    response = call(client, token, "POST", "meetings/123")
    assert response.status_code == 405
    assert response["Allow"] == "GET, PATCH, DELETE"


def test_odd_bodies_are_refused_never_a_500(client, token):
    odd = [
        {"settings": None},
        {"start_time": "0001-01-01T00:00:00"},
        {"start_time": 20990601},
        {"timezone": "America"},
        {"timezone": "../../etc/passwd"},
        {"duration": 2**40},
        {"duration": -5},
        {"duration": 30.5},
        {"type": True},
        {"settings": {"alternative_hosts": 5}},
        {"password": 1234567},
        {"agenda": "x" * 2001},
    ]
    for extra in odd:
        response = create(client, token, {**meeting_body(), **extra})
        assert response.status_code == 400, (extra, response.content)
        assert response.json()["code"] == 300, extra
    made = create(client, token).json()
    for extra in odd:
        response = call(client, token, "PATCH", f"meetings/{made['id']}", extra)
        assert response.status_code == 400, (extra, response.content)
