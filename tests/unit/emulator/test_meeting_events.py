"""meeting.updated and meeting.deleted in the shapes of NOTES.md section 9, sent to the apps of the meeting's
host for every change, the API's own included (Zoom echoes them, NOTES section 10).

Most tests read the queued deliveries (the rows written with the change); the delivery threads start only
after a commit, so those tests never send anything. The last ones deliver over HTTP to a capture server."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.unit.emulator.capture import Capture, signature_ok
from tests.unit.emulator.helpers import connect, emulator_db
from tests.unit.emulator.meeting_helpers import FUTURE, call, create
from zoom_emulator import meetings, oauth, webhooks
from zoom_emulator.api.base import zoom_time as api_time
from zoom_emulator.models import App, Grant, WebhookDelivery

ZOOM_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
IDENTITY = {"id", "uuid", "host_id"}


def _made(client: Client, token: str) -> dict:
    response = create(client, token)
    assert response.status_code == 201, response.content
    return response.json()


def _events(event: str) -> list[dict]:
    return [json.loads(d.body) for d in webhooks.deliveries(event)]


@emulator_db
def test_creating_a_meeting_sends_no_update_or_delete(client, token):
    _made(client, token)
    assert webhooks.deliveries() == []


@emulator_db
def test_a_patch_of_the_start_is_echoed_as_meeting_updated_with_only_what_changed(client, token, seeded):
    made = _made(client, token)
    before_ms = int(time.time() * 1000)
    response = call(client, token, "PATCH", f"meetings/{made['id']}", {"start_time": "2099-06-02T03:30:00Z"})
    assert response.status_code == 204

    [body] = _events("meeting.updated")
    host = seeded.users["recruiter1@demo.example"]
    assert set(body) == {"event", "event_ts", "payload"}
    assert body["event"] == "meeting.updated"
    assert body["event_ts"] >= before_ms
    payload = body["payload"]
    assert set(payload) == {"account_id", "operator", "operator_id", "object", "time_stamp", "old_object"}
    assert payload["account_id"] == host.account.account_id
    # The operator of an API change is the token's user.
    assert (payload["operator"], payload["operator_id"]) == (host.email, host.user_id)
    assert payload["time_stamp"] >= before_ms
    identity = {"id": made["id"], "uuid": made["uuid"], "host_id": host.user_id}
    assert payload["object"] == {**identity, "start_time": "2099-06-02T03:30:00Z"}
    assert payload["old_object"] == {**identity, "start_time": FUTURE}
    assert isinstance(payload["object"]["id"], int)


@emulator_db
def test_a_local_start_is_told_in_zoom_s_utc_form(client, token):
    made = _made(client, token)
    body = {"start_time": "2099-06-02T12:00:00", "timezone": "Asia/Tokyo"}
    assert call(client, token, "PATCH", f"meetings/{made['id']}", body).status_code == 204
    [event] = _events("meeting.updated")
    assert event["payload"]["object"]["start_time"] == "2099-06-02T03:00:00Z"
    assert ZOOM_UTC.fullmatch(event["payload"]["old_object"]["start_time"])
    # The time zone did not change, so it is not in the event.
    assert "timezone" not in event["payload"]["object"]


@emulator_db
def test_settings_changes_carry_only_the_changed_keys_old_and_new(client, token):
    made = _made(client, token)
    body = {"duration": 90, "settings": {"waiting_room": True, "mute_upon_entry": False}}
    assert call(client, token, "PATCH", f"meetings/{made['id']}", body).status_code == 204

    [event] = _events("meeting.updated")
    new, old = event["payload"]["object"], event["payload"]["old_object"]
    # A waiting room turns join before host off: Zoom's rule, so both changed. mute_upon_entry was
    # already false and is left out.
    assert set(new) == IDENTITY | {"duration", "settings"}
    assert (new["duration"], old["duration"]) == (90, 45)
    assert new["settings"] == {"waiting_room": True, "join_before_host": False}
    assert old["settings"] == {"waiting_room": False, "join_before_host": True}


@emulator_db
def test_a_new_passcode_tells_the_new_join_url_too(client, token):
    made = _made(client, token)
    assert call(client, token, "PATCH", f"meetings/{made['id']}", {"password": "Zz9yY8xX7"}).status_code == 204
    [event] = _events("meeting.updated")
    new, old = event["payload"]["object"], event["payload"]["old_object"]
    assert (new["password"], old["password"]) == ("Zz9yY8xX7", "Ab3dEf7hJ9")
    assert old["join_url"] == made["join_url"]
    fresh = call(client, token, "GET", f"meetings/{made['id']}").json()
    assert new["join_url"] == fresh["join_url"] != made["join_url"]


@emulator_db
def test_a_patch_that_changes_nothing_sends_nothing(client, token):
    made = _made(client, token)
    same = {"topic": made["topic"], "duration": 45, "settings": {"join_before_host": True}}
    assert call(client, token, "PATCH", f"meetings/{made['id']}", same).status_code == 204
    # A past start is ignored by Zoom, so it changes nothing either.
    past = {"start_time": "2001-01-01T00:00:00Z"}
    assert call(client, token, "PATCH", f"meetings/{made['id']}", past).status_code == 204
    assert webhooks.deliveries() == []


@emulator_db
def test_a_refused_patch_sends_nothing(client, token):
    made = _made(client, token)
    bad_host = {"settings": {"alternative_hosts": "stranger@elsewhere.example"}}
    assert call(client, token, "PATCH", f"meetings/{made['id']}", bad_host).json()["code"] == 1115
    meetings.set_daily_limit(1)
    assert call(client, token, "PATCH", f"meetings/{made['id']}", {"duration": 30}).status_code == 429
    assert webhooks.deliveries() == []
    assert meetings.get_meeting(made["id"]).duration == 45


@emulator_db
def test_a_delete_is_echoed_as_meeting_deleted_with_the_meeting_s_facts(client, token, seeded):
    made = _made(client, token)
    assert call(client, token, "DELETE", f"meetings/{made['id']}").status_code == 204
    assert call(client, token, "DELETE", f"meetings/{made['id']}").status_code == 404

    [body] = _events("meeting.deleted")
    host = seeded.users["recruiter1@demo.example"]
    assert body["event"] == "meeting.deleted"
    payload = body["payload"]
    assert set(payload) == {"account_id", "operator", "operator_id", "object"}
    assert (payload["account_id"], payload["operator"], payload["operator_id"]) == (
        host.account.account_id,
        host.email,
        host.user_id,
    )
    assert payload["object"] == {
        "uuid": made["uuid"],
        "id": made["id"],
        "host_id": host.user_id,
        "topic": "Interview: Taro Yamada",
        "type": 2,
        "start_time": FUTURE,
        "duration": 45,
        "timezone": "Asia/Tokyo",
    }
    assert webhooks.deliveries("meeting.updated") == []


@emulator_db
def test_events_go_only_to_the_apps_the_host_authorized(client, app, token, seeded):
    other = App.objects.create(
        name="Another app", client_id="other-app", client_secret="s", scopes=list(app.scopes), event_url="http://x/"
    )
    made = _made(client, token)
    assert call(client, token, "DELETE", f"meetings/{made['id']}").status_code == 204
    # recruiter1 authorized only the product's app; another app, and another user's grants, hear nothing.
    assert [d.client_id for d in webhooks.deliveries()] == [app.client_id]
    assert other.client_id not in {d.client_id for d in WebhookDelivery.objects.all()}


@emulator_db
def test_no_event_reaches_an_app_whose_grant_has_ended(client, app, token, seeded):
    made = _made(client, token)
    oauth.remove_app("recruiter1@demo.example")
    WebhookDelivery.objects.all().delete()  # the app_deauthorized
    meetings.portal_delete(made["id"])
    assert webhooks.deliveries() == []


@emulator_db
def test_no_event_reaches_a_grant_without_a_meeting_read_scope(client, app, token):
    made = _made(client, token)
    Grant.objects.filter(access_token=token).update(scopes=["meeting:write:meeting", "meeting:delete:meeting"])
    assert call(client, token, "DELETE", f"meetings/{made['id']}").status_code == 204
    assert webhooks.deliveries() == []


@emulator_db
def test_each_authorizing_host_s_meetings_reach_the_app(client, app, token, seeded):
    other_client = Client()
    other_token = connect(other_client, app, "recruiter2@demo.example")["access_token"]
    mine, theirs = _made(client, token), _made(other_client, other_token)
    meetings.portal_delete(mine["id"])
    meetings.portal_delete(theirs["id"])
    operators = [e["payload"]["operator"] for e in _events("meeting.deleted")]
    assert operators == ["recruiter1@demo.example", "recruiter2@demo.example"]


# --- over HTTP ---------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])
def test_api_changes_are_delivered_signed_after_the_change(client, app, token, hooked: Capture):
    made = _made(client, token)
    assert call(client, token, "PATCH", f"meetings/{made['id']}", {"duration": 30}).status_code == 204
    assert call(client, token, "DELETE", f"meetings/{made['id']}").status_code == 204
    assert webhooks.wait_for_deliveries()

    assert len(hooked.received) == 2
    assert all(signature_ok(app.webhook_secret_token, r) for r in hooked.received)
    bodies = sorted((json.loads(r.body) for r in hooked.received), key=lambda b: b["event_ts"])
    assert {b["event"] for b in bodies} == {"meeting.updated", "meeting.deleted"}
    updated = next(b for b in bodies if b["event"] == "meeting.updated")
    assert updated["payload"]["object"] == {
        "id": made["id"],
        "uuid": made["uuid"],
        "host_id": made["host_id"],
        "duration": 30,
    }
    assert all(d.state == WebhookDelivery.State.DELIVERED for d in webhooks.deliveries())


# --- the portal's changes, played by the helpers -------------------------------------------------------------


@emulator_db
def test_portal_reschedule_tells_the_new_start_and_duration(client, token, seeded):
    made = _made(client, token)
    # A naive time is read in the meeting's zone (Asia/Tokyo): 12:00 there is 03:00 UTC.
    meetings.portal_reschedule(made["id"], datetime(2099, 6, 3, 12, 0), 60)
    [event] = _events("meeting.updated")
    payload = event["payload"]
    host = seeded.users["recruiter1@demo.example"]
    assert (payload["operator"], payload["operator_id"]) == (host.email, host.user_id)
    assert payload["object"] == {
        "id": made["id"],
        "uuid": made["uuid"],
        "host_id": host.user_id,
        "start_time": "2099-06-03T03:00:00Z",
        "duration": 60,
    }
    assert payload["old_object"] == {
        "id": made["id"],
        "uuid": made["uuid"],
        "host_id": host.user_id,
        "start_time": FUTURE,
        "duration": 45,
    }
    fresh = call(client, token, "GET", f"meetings/{made['id']}").json()
    assert (fresh["start_time"], fresh["duration"]) == ("2099-06-03T03:00:00Z", 60)


@emulator_db
def test_portal_reschedule_takes_zoom_s_utc_form_and_an_aware_time(client, token):
    made = _made(client, token)
    meetings.portal_reschedule(made["id"], "2099-07-01T00:00:00Z")
    meetings.portal_reschedule(made["id"], datetime(2099, 7, 2, 9, 30, tzinfo=UTC))
    starts = [e["payload"]["object"]["start_time"] for e in _events("meeting.updated")]
    assert starts == ["2099-07-01T00:00:00Z", "2099-07-02T09:30:00Z"]


@emulator_db
@pytest.mark.parametrize(
    ("start", "duration", "message"),
    [
        ("2001-01-01T00:00:00Z", None, "Choose a time in the future"),
        ("tomorrow", None, "Not a date and time"),
        ("2099-07-01T00:00:00Z", 0, "between 1 and 1440 minutes"),
        ("2099-07-01T00:00:00Z", 1441, "between 1 and 1440 minutes"),
    ],
)
def test_portal_reschedule_refuses_what_the_portal_refuses_and_changes_nothing(client, token, start, duration, message):
    made = _made(client, token)
    with pytest.raises(meetings.PortalError, match=message):
        meetings.portal_reschedule(made["id"], start, duration)
    found = meetings.get_meeting(made["id"])
    assert (api_time(found.start_time), found.duration) == (FUTURE, 45)
    assert webhooks.deliveries() == []


@emulator_db
def test_portal_settings_changes_follow_zoom_s_rules_and_tell_only_what_changed(client, token):
    made = _made(client, token)
    meetings.portal_change_settings(made["id"], alternative_hosts="recruiter2@demo.example")
    meetings.portal_change_settings(made["id"], waiting_room=True)
    first, second = _events("meeting.updated")
    assert first["payload"]["object"]["settings"] == {"alternative_hosts": "recruiter2@demo.example"}
    assert first["payload"]["old_object"]["settings"] == {"alternative_hosts": ""}
    assert second["payload"]["object"]["settings"] == {"waiting_room": True, "join_before_host": False}
    assert second["payload"]["old_object"]["settings"] == {"waiting_room": False, "join_before_host": True}
    assert "start_time" not in second["payload"]["object"]


@emulator_db
def test_a_locked_setting_cannot_be_changed_on_the_portal_so_nothing_is_told(client, token):
    meetings.set_policy("demo", waiting_room=False, waiting_room_locked=True)
    made = _made(client, token)
    meetings.portal_change_settings(made["id"], waiting_room=True)
    assert meetings.get_meeting(made["id"]).settings["waiting_room"] is False
    assert webhooks.deliveries() == []


@emulator_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"waiting_rooms": True}, "Unknown meeting setting"),
        ({"waiting_room": "yes"}, "Invalid settings.waiting_room"),
        ({"alternative_hosts": "stranger@elsewhere.example"}, "does not belong to this account"),
    ],
)
def test_portal_settings_refuse_bad_values_and_change_nothing(client, token, changes, message):
    made = _made(client, token)
    with pytest.raises(meetings.PortalError, match=message):
        meetings.portal_change_settings(made["id"], **changes)
    assert meetings.get_meeting(made["id"]).settings["alternative_hosts"] == ""
    assert webhooks.deliveries() == []


@emulator_db
def test_portal_delete_tells_meeting_deleted_once(client, token):
    made = _made(client, token)
    meetings.portal_delete(made["id"])
    with pytest.raises(meetings.PortalError, match="deleted"):
        meetings.portal_delete(made["id"])
    assert [e["payload"]["object"]["id"] for e in _events("meeting.deleted")] == [made["id"]]
    assert call(client, token, "GET", f"meetings/{made['id']}").json()["code"] == 3001


@emulator_db
def test_the_operator_is_whoever_the_portal_change_is_made_by(client, token, seeded):
    made = _made(client, token)
    meetings.portal_reschedule(made["id"], "2099-07-01T00:00:00Z", by="zoom-admin@demo.example")
    [event] = _events("meeting.updated")
    admin = seeded.users["zoom-admin@demo.example"]
    assert (event["payload"]["operator"], event["payload"]["operator_id"]) == (admin.email, admin.user_id)


@emulator_db
def test_portal_changes_do_not_count_against_the_api_s_daily_limit(client, token, seeded):
    made = _made(client, token)
    before = meetings.writes_today("recruiter1@demo.example")
    meetings.portal_reschedule(made["id"], "2099-07-01T00:00:00Z", 30)
    meetings.portal_change_settings(made["id"], waiting_room=True)
    assert meetings.writes_today("recruiter1@demo.example") == before
