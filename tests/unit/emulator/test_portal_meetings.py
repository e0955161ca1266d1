"""The web portal's 「ミーティング」 (Meetings): a signed-in host lists their meetings, deletes one, moves it or
changes its settings, and each change is told to the app as Zoom's event."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.unit.emulator.capture import Capture, signature_ok
from tests.unit.emulator.helpers import connect, emulator_db, query_of, sign_in
from tests.unit.emulator.meeting_helpers import FUTURE, call, create
from zoom_emulator import meetings, webhooks
from zoom_emulator.browser import COOKIE_NAME

MEETINGS = reverse("zoom_emulator:portal_meetings")


def _edit(meeting_id: int) -> str:
    return reverse("zoom_emulator:portal_meeting_edit", args=[meeting_id])


def _made(client: Client, token: str) -> dict:
    response = create(client, token)
    assert response.status_code == 201, response.content
    return response.json()


def _events(event: str) -> list[dict]:
    return [json.loads(d.body) for d in webhooks.deliveries(event)]


def _form(**overrides: str) -> dict[str, str]:
    # The edit form as the page fills it for the product's meeting (2099-06-01 10:00 in Tokyo, 45 min,
    # join before host on), with the changes a test makes.
    form = {"action": "save", "date": "2099-06-01", "time": "10:00", "duration": "45", "join_before_host": "on"}
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


@emulator_db
def test_the_meetings_page_lists_the_host_s_own_meetings_with_edit_and_delete(client, token, app):
    made = _made(client, token)
    other = Client()
    theirs = _made(other, connect(other, app, "recruiter2@demo.example")["access_token"])
    response = client.get(MEETINGS)
    body = response.content.decode()
    assert response.status_code == 200
    assert "ミーティング" in body
    assert f'data-testid="zoom-meeting-{made["id"]}"' in body
    assert "2099-06-01 10:00" in body  # the start in the meeting's zone
    assert "Interview: Taro Yamada" in body
    assert f'data-testid="zoom-meeting-delete-{made["id"]}"' in body
    assert "削除 (Delete)" in body
    assert _edit(made["id"]) in body
    assert str(theirs["id"]) not in body


@emulator_db
def test_the_portal_nav_leads_to_the_meetings_page(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    assert MEETINGS in client.get(reverse("zoom_emulator:profile")).content.decode()
    assert 'data-testid="zoom-no-meetings"' in client.get(MEETINGS).content.decode()


@emulator_db
@pytest.mark.parametrize("path", [MEETINGS, "/zoom-emulator/meeting/12345678901/edit/"])
def test_the_meetings_pages_ask_a_visitor_to_sign_in_first(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 302
    assert query_of(response["Location"])["next"] == [path]


@emulator_db
def test_delete_on_the_list_deletes_the_meeting_and_sends_meeting_deleted(client, token, seeded):
    made = _made(client, token)
    response = client.post(MEETINGS, {"action": "delete", "meeting_id": made["id"]})
    assert response.status_code == 302
    assert 'data-testid="zoom-meeting-deleted"' in client.get(response["Location"]).content.decode()
    assert call(client, token, "GET", f"meetings/{made['id']}").json()["code"] == 3001
    [event] = _events("meeting.deleted")
    assert event["payload"]["object"]["id"] == made["id"]
    assert event["payload"]["operator"] == "recruiter1@demo.example"


@emulator_db
def test_deleting_another_host_s_or_a_deleted_meeting_is_refused(client, token, app):
    made = _made(client, token)
    sign_in(client, "recruiter2@demo.example")
    response = client.post(MEETINGS, {"action": "delete", "meeting_id": made["id"]})
    assert response.status_code == 400
    assert "not among your meetings" in response.content.decode()
    assert client.post(MEETINGS, {"action": "delete", "meeting_id": "not a number"}).status_code == 400
    assert meetings.get_meeting(made["id"]) is not None
    assert webhooks.deliveries() == []


@emulator_db
def test_the_edit_page_shows_the_meeting_in_its_time_zone(client, token):
    made = _made(client, token)
    response = client.get(_edit(made["id"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="2099-06-01"' in body
    assert 'value="10:00"' in body
    assert 'value="45"' in body
    assert "Asia/Tokyo" in body
    assert 'data-testid="zoom-meeting-save"' in body
    assert "保存 (Save)" in body
    assert 'data-testid="zoom-meeting-delete"' in body


@emulator_db
def test_another_host_s_meeting_has_no_edit_page(client, token, app):
    made = _made(client, token)
    sign_in(client, "recruiter2@demo.example")
    assert client.get(_edit(made["id"])).status_code == 404
    assert client.post(_edit(made["id"]), _form(time="11:00")).status_code == 404
    assert client.get(_edit(99999999999)).status_code == 404
    assert webhooks.deliveries() == []


@emulator_db
def test_save_moves_the_meeting_and_tells_what_changed(client, token):
    made = _made(client, token)
    response = client.post(_edit(made["id"]), _form(date="2099-06-02", time="15:30", duration="60"))
    assert response.status_code == 302
    assert response["Location"] == f"{MEETINGS}?saved=1"
    [event] = _events("meeting.updated")
    new, old = event["payload"]["object"], event["payload"]["old_object"]
    assert new == {
        "id": made["id"],
        "uuid": made["uuid"],
        "host_id": made["host_id"],
        "start_time": "2099-06-02T06:30:00Z",
        "duration": 60,
    }
    assert (old["start_time"], old["duration"]) == (FUTURE, 45)
    assert event["payload"]["operator"] == "recruiter1@demo.example"


@emulator_db
def test_save_changes_the_settings_and_tells_only_those(client, token):
    made = _made(client, token)
    form = _form(join_before_host=None, waiting_room="on", alternative_hosts="recruiter2@demo.example")
    assert client.post(_edit(made["id"]), form).status_code == 302
    [event] = _events("meeting.updated")
    assert event["payload"]["object"]["settings"] == {
        "join_before_host": False,
        "waiting_room": True,
        "alternative_hosts": "recruiter2@demo.example",
    }
    assert event["payload"]["old_object"]["settings"] == {
        "join_before_host": True,
        "waiting_room": False,
        "alternative_hosts": "",
    }
    assert set(event["payload"]["object"]) == {"id", "uuid", "host_id", "settings"}


@emulator_db
def test_save_without_a_change_sends_nothing(client, token):
    made = _made(client, token)
    assert client.post(_edit(made["id"]), _form()).status_code == 302
    assert webhooks.deliveries() == []


@emulator_db
@pytest.mark.parametrize(
    ("form", "message"),
    [
        (_form(date="2001-01-01"), "Choose a time in the future"),
        (_form(date="01/06/2099"), "Enter the date as YYYY-MM-DD"),
        (_form(time=""), "Enter the date as YYYY-MM-DD"),
        (_form(duration="forty"), "Enter the duration in minutes"),
        (_form(duration="0"), "between 1 and 1440 minutes"),
        (_form(alternative_hosts="stranger@elsewhere.example"), "does not belong to this account"),
    ],
)
def test_a_bad_save_is_refused_with_a_message_and_changes_nothing(client, token, form, message):
    made = _made(client, token)
    response = client.post(_edit(made["id"]), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    fresh = call(client, token, "GET", f"meetings/{made['id']}").json()
    assert (fresh["start_time"], fresh["duration"], fresh["settings"]["alternative_hosts"]) == (FUTURE, 45, "")
    assert webhooks.deliveries() == []


@emulator_db
def test_delete_on_the_edit_page_deletes_the_meeting(client, token):
    made = _made(client, token)
    response = client.post(_edit(made["id"]), {"action": "delete"})
    assert response.status_code == 302
    assert response["Location"] == f"{MEETINGS}?deleted=1"
    assert [e["payload"]["object"]["id"] for e in _events("meeting.deleted")] == [made["id"]]


@emulator_db
def test_the_portal_s_forms_need_the_csrf_token(client, token):
    made = _made(client, token)
    browser = Client(enforce_csrf_checks=True)
    # Signed in to Zoom as the host (the same cookie), but posting without the form's CSRF token.
    browser.cookies[COOKIE_NAME] = client.cookies[COOKIE_NAME].value
    assert browser.get(MEETINGS).status_code == 200
    assert browser.post(MEETINGS, {"action": "delete", "meeting_id": made["id"]}).status_code == 403
    assert browser.post(_edit(made["id"]), _form(time="11:00")).status_code == 403
    assert webhooks.deliveries() == []


@pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])
def test_a_portal_change_reaches_the_app_signed(client, app, token, hooked: Capture):
    made = _made(client, token)
    assert client.post(_edit(made["id"]), _form(time="11:00")).status_code == 302
    assert webhooks.wait_for_deliveries()
    [request] = hooked.received
    assert signature_ok(app.webhook_secret_token, request)
    body = json.loads(request.body)
    assert body["event"] == "meeting.updated"
    assert body["payload"]["object"]["start_time"] == "2099-06-01T02:00:00Z"
