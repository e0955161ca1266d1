"""Guests joining, waiting and leaving, the host starting, admitting and ending: Zoom's participant events
(NOTES.md section 9) in Zoom's order and shapes, sent to the host's apps whose grant holds the participant
scope (meeting.started / meeting.ended to those holding a meeting read scope).

Most tests read the queued deliveries (written with the step; their threads start only after a commit);
one delivers over HTTP to a capture server and checks the order of arrival."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.unit.emulator.capture import Capture, signature_ok
from tests.unit.emulator.helpers import connect, emulator_db, sign_in
from tests.unit.emulator.meeting_helpers import create
from zoom_emulator import meetings, oauth, participants, webhooks
from zoom_emulator.models import App, Grant, Meeting, Participant

ZOOM_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
HOST = "recruiter1@demo.example"
ALTERNATE = "recruiter2@demo.example"
OBJECT_KEYS = {"id", "uuid", "host_id", "topic", "type", "start_time", "timezone", "duration"}
FULL_PARTICIPANT = {"user_id", "user_name", "id", "participant_uuid", "email"}


def _meeting(client: Client, token: str, **settings) -> Meeting:
    body = {
        "topic": "一次面接",
        "type": 2,
        "start_time": "2099-06-01T01:00:00Z",
        "duration": 45,
        "timezone": "Asia/Tokyo",
        "password": "Ab3dEf7hJ9",
        "settings": {"join_before_host": True, "waiting_room": False, "alternative_hosts": ALTERNATE, **settings},
    }
    response = create(client, token, body)
    assert response.status_code == 201, response.content
    return Meeting.objects.get(meeting_id=response.json()["id"])


def _sent(meeting: Meeting) -> list[dict]:
    return participants.sent_for(meeting.meeting_id)


def _names(meeting: Meeting) -> list[str]:
    return [body["event"] for body in _sent(meeting)]


@emulator_db
def test_a_guest_joining_before_the_host_with_join_before_host_starts_the_meeting(client, token, seeded):
    meeting = _meeting(client, token)
    before_ms = int(time.time() * 1000)

    visit = participants.guest_join(meeting, "候補 花子")

    assert visit.state == Participant.State.IN_MEETING
    started, jbh_joined, joined = _sent(meeting)
    assert [started["event"], jbh_joined["event"], joined["event"]] == [
        "meeting.started",
        "meeting.participant_jbh_joined",
        "meeting.participant_joined",
    ]
    host = seeded.users[HOST]
    for body in (started, jbh_joined, joined):
        assert set(body) == {"event", "event_ts", "payload"}
        assert body["event_ts"] >= before_ms
        assert set(body["payload"]) == {"account_id", "object"}
        assert body["payload"]["account_id"] == host.account.account_id
        obj = body["payload"]["object"]
        # A string on the participant and started/ended events (NOTES section 9).
        assert obj["id"] == str(meeting.meeting_id)
        assert (obj["uuid"], obj["host_id"], obj["topic"]) == (meeting.uuid, host.user_id, "一次面接")
        assert ZOOM_UTC.fullmatch(obj["start_time"])
    assert set(started["payload"]["object"]) == OBJECT_KEYS
    # The join-before-host events say only who: no e-mail, no time; a guest's id is "".
    assert jbh_joined["payload"]["object"]["participant"] == {"id": "", "user_name": "候補 花子"}
    guest = joined["payload"]["object"]["participant"]
    assert set(guest) == FULL_PARTICIPANT | {"join_time"}
    assert (guest["id"], guest["user_name"], guest["email"]) == ("", "候補 花子", "")
    assert guest["participant_uuid"] == visit.participant_uuid
    assert guest["user_id"].isdigit()
    assert ZOOM_UTC.fullmatch(guest["join_time"])
    assert meetings.get_meeting(meeting.meeting_id).started_at is not None


@emulator_db
def test_a_guest_waits_for_the_host_and_gets_in_when_the_host_starts(client, token, seeded):
    meeting = _meeting(client, token, join_before_host=False)

    guest = participants.guest_join(meeting, "候補 花子")
    assert guest.state == Participant.State.WAITING_FOR_HOST
    [waiting] = _sent(meeting)
    assert waiting["event"] == "meeting.participant_jbh_waiting"
    assert waiting["payload"]["object"]["participant"] == {"id": "", "user_name": "候補 花子"}

    host_visit = participants.host_join(meeting)

    assert _names(meeting)[1:] == [
        "meeting.started",
        "meeting.participant_joined",
        "meeting.participant_jbh_waiting_left",
        "meeting.participant_joined",
    ]
    _, _, host_joined, waiting_left, guest_joined = _sent(meeting)
    host = seeded.users[HOST]
    # A signed-in participant's id is their Zoom user id: the host's is host_id.
    assert host_joined["payload"]["object"]["participant"]["id"] == host.user_id
    assert host_joined["payload"]["object"]["participant"]["email"] == host.email
    # Zoom's type gives jbh_waiting_left's id as a number (the only participant event that does).
    assert waiting_left["payload"]["object"]["id"] == meeting.meeting_id
    assert waiting_left["payload"]["object"]["participant"] == {"id": "", "user_name": "候補 花子"}
    assert guest_joined["payload"]["object"]["participant"]["participant_uuid"] == guest.participant_uuid
    assert host_visit.role == Participant.Role.HOST
    assert participants.get_participant(guest).state == Participant.State.IN_MEETING
    # The start link again: the host is already in, nothing more is told.
    assert participants.host_join(meeting).pk == host_visit.pk
    assert len(_sent(meeting)) == 5


@emulator_db
def test_a_guest_in_the_waiting_room_is_admitted_by_the_host(client, token):
    meeting = _meeting(client, token, waiting_room=True)

    guest = participants.guest_join(meeting, "候補 花子", email="hanako@candidate.example")
    assert guest.state == Participant.State.WAITING_ROOM
    [entered] = _sent(meeting)
    assert entered["event"] == "meeting.participant_joined_waiting_room"
    person = entered["payload"]["object"]["participant"]
    assert set(person) == FULL_PARTICIPANT | {"date_time"}
    assert (person["id"], person["email"]) == ("", "hanako@candidate.example")
    with pytest.raises(participants.ParticipantError, match="Only the host"):
        participants.admit(guest)

    participants.host_join(meeting)
    assert participants.get_participant(guest).state == Participant.State.WAITING_ROOM  # the host admits
    participants.admit(guest)

    assert _names(meeting)[-2:] == ["meeting.participant_admitted", "meeting.participant_joined"]
    admitted = _sent(meeting)[-2]["payload"]["object"]["participant"]
    assert set(admitted) == FULL_PARTICIPANT | {"date_time"}
    assert participants.get_participant(guest).state == Participant.State.IN_MEETING


@emulator_db
def test_a_signed_in_guest_is_told_with_their_zoom_user_id(client, token, seeded):
    meeting = _meeting(client, token)
    other = seeded.users["admin@demo.example"]

    visit = participants.guest_join(meeting, "高橋 花子", signed_in_as=other)

    joined = _sent(meeting)[-1]["payload"]["object"]["participant"]
    assert (joined["id"], joined["email"]) == (other.user_id, other.email)
    assert visit.role == Participant.Role.ATTENDEE


@emulator_db
def test_an_alternative_host_signed_in_joins_as_such_and_starts_the_meeting(client, token, seeded):
    meeting = _meeting(client, token, join_before_host=False)
    guest = participants.guest_join(meeting, "候補 花子")

    visit = participants.guest_join(meeting, "伊藤 結衣", signed_in_as=ALTERNATE)

    assert visit.role == Participant.Role.ALTERNATIVE_HOST
    assert _names(meeting)[1:3] == ["meeting.started", "meeting.participant_joined"]
    assert _sent(meeting)[2]["payload"]["object"]["participant"]["id"] == seeded.users[ALTERNATE].user_id
    assert participants.get_participant(guest).state == Participant.State.IN_MEETING
    with pytest.raises(participants.ParticipantError, match="neither the host"):
        participants.host_join(meeting, as_user="admin@demo.example")


@emulator_db
def test_leaving_and_the_last_one_out_ends_the_meeting_and_the_next_start_is_a_new_instance(client, token):
    meeting = _meeting(client, token)
    guest = participants.guest_join(meeting, "候補 花子")
    host = participants.host_join(meeting)

    participants.leave(host)
    left = _sent(meeting)[-1]
    assert left["event"] == "meeting.participant_left"
    assert set(left["payload"]["object"]["participant"]) == FULL_PARTICIPANT | {"leave_time", "leave_reason"}
    assert left["payload"]["object"]["participant"]["leave_reason"] == "left the meeting"
    assert meetings.get_meeting(meeting.meeting_id).started_at is not None  # the guest is still in

    participants.leave(guest)
    assert _names(meeting)[-2:] == ["meeting.participant_left", "meeting.ended"]
    ended = _sent(meeting)[-1]["payload"]["object"]
    assert set(ended) == OBJECT_KEYS | {"end_time"}
    assert ended["uuid"] == meeting.uuid
    with pytest.raises(participants.ParticipantError, match="already left"):
        participants.leave(guest)

    participants.guest_join(meeting, "候補 花子")
    restarted = _sent(meeting)[-3]
    assert restarted["event"] == "meeting.started"
    assert restarted["payload"]["object"]["uuid"] != meeting.uuid


@emulator_db
def test_the_host_ends_the_meeting_for_all(client, token):
    meeting = _meeting(client, token, waiting_room=True)
    host = participants.host_join(meeting)
    inside = participants.guest_join(meeting, "候補 花子")
    participants.admit(inside, by=host)
    still_waiting = participants.guest_join(meeting, "候補 次郎")

    participants.end(meeting)

    tail = _sent(meeting)[-4:]
    assert [body["event"] for body in tail] == [
        "meeting.participant_left",
        "meeting.participant_left",
        "meeting.participant_left_waiting_room",
        "meeting.ended",
    ]
    assert tail[0]["payload"]["object"]["participant"]["leave_reason"].endswith("Host ended the meeting")
    assert participants.present(meeting) == []
    assert participants.get_participant(still_waiting).state == Participant.State.LEFT
    with pytest.raises(participants.ParticipantError, match="not started"):
        participants.end(meeting)


@emulator_db
def test_participant_events_go_only_to_grants_holding_the_participant_scope(client, app: App, seeded):
    # The host authorized the app before it asked for the participant scope; a later version asks for it.
    oauth.set_app_scopes(["user:read:user", "meeting:write:meeting", "meeting:read:meeting"], app)
    token = connect(client, app, HOST)["access_token"]
    oauth.set_app_scopes([*app.scopes, "meeting:read:participant"], app)
    assert "meeting:read:participant" not in oauth.granted_scopes(HOST, app)
    meeting = _meeting(client, token, join_before_host=True)

    guest = participants.guest_join(meeting, "候補 花子")
    participants.leave(guest)

    # The lifecycle events need only the meeting read scope; the participant events are not sent.
    assert _names(meeting) == ["meeting.started", "meeting.ended"]

    Grant.objects.filter(user__email=HOST).update(revoked=True)
    participants.guest_join(meeting, "候補 花子")
    assert _names(meeting) == ["meeting.started", "meeting.ended"]  # nothing after the app was removed


@pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])
def test_one_step_s_events_arrive_signed_and_in_zoom_s_order(client, app, token, hooked: Capture):
    meeting = _meeting(client, token, join_before_host=False)
    participants.guest_join(meeting, "候補 花子")
    participants.host_join(meeting)
    assert webhooks.wait_for_deliveries()

    arrived = [json.loads(request.body)["event"] for request in hooked.received]
    assert arrived == [
        "meeting.participant_jbh_waiting",
        "meeting.started",
        "meeting.participant_joined",
        "meeting.participant_jbh_waiting_left",
        "meeting.participant_joined",
    ]
    assert all(signature_ok(app.webhook_secret_token, request) for request in hooked.received)


# --- The pages ----------------------------------------------------------------------------------------


@emulator_db
def test_the_join_page_joins_a_guest_and_their_page_shows_them_waiting_then_in(client, token):
    meeting = _meeting(client, token, join_before_host=False)
    join_url = meetings.join_url(meeting, "http://testserver")
    guest_browser = Client()

    page = guest_browser.get(join_url)
    assert page.status_code == 200
    assert 'data-testid="zoom-join-form"' in page.content.decode()
    assert 'data-testid="zoom-join-passcode"' not in page.content.decode()  # the link carries it
    refused = guest_browser.post(join_url, {"name": "  "})
    assert refused.status_code == 400
    assert participants.present(meeting) == []

    joined = guest_browser.post(join_url, {"name": "候補 花子"})
    assert joined.status_code == 302
    room = guest_browser.get(joined["Location"])
    assert room.context["visit"].state == Participant.State.WAITING_FOR_HOST
    assert 'http-equiv="refresh"' in room.content.decode()  # it reloads itself to show the host arriving

    start_url = meetings.start_url(meeting, "http://testserver")
    host_room = client.get(start_url)
    assert host_room.status_code == 302
    assert guest_browser.get(joined["Location"]).context["visit"].state == Participant.State.IN_MEETING
    host_page = client.get(host_room["Location"]).content.decode()
    assert "候補 花子" in host_page
    assert 'data-testid="zoom-room-end"' in host_page

    assert guest_browser.post(joined["Location"], {"action": "leave"}).status_code == 302
    assert guest_browser.get(joined["Location"]).context["visit"].state == Participant.State.LEFT
    # A guest cannot end the meeting.
    assert guest_browser.post(joined["Location"], {"action": "end"}).status_code == 400


@emulator_db
def test_the_join_page_asks_for_the_passcode_when_the_link_carries_none(client, token):
    meeting = _meeting(client, token)
    bare = meetings.join_url(meeting, "http://testserver").split("?")[0]

    assert 'data-testid="zoom-join-passcode"' in client.get(bare).content.decode()
    assert client.post(bare, {"name": "候補 花子", "passcode": "wrong"}).status_code == 400
    assert participants.present(meeting) == []
    assert client.post(bare, {"name": "候補 花子", "passcode": "Ab3dEf7hJ9"}).status_code == 302


@emulator_db
def test_a_browser_signed_in_to_zoom_joins_as_its_user_or_as_a_guest(client, token, seeded):
    meeting = _meeting(client, token)
    join_url = meetings.join_url(meeting, "http://testserver")
    sign_in(client, "admin@demo.example")

    assert client.post(join_url, {"name": "高橋 花子", "as_guest": "0"}).status_code == 302
    assert client.post(join_url, {"name": "高橋 花子", "as_guest": "1"}).status_code == 302

    signed, anonymous = [
        body["payload"]["object"]["participant"]["id"]
        for body in participants.sent_for(meeting.meeting_id, "meeting.participant_joined")
    ]
    assert (signed, anonymous) == (seeded.users["admin@demo.example"].user_id, "")


@emulator_db
def test_the_host_admits_from_their_page_and_the_portal_starts_a_meeting(client, token):
    meeting = _meeting(client, token, waiting_room=True)
    guest = participants.guest_join(meeting, "候補 花子")
    sign_in(client, HOST)

    started = client.post(
        reverse("zoom_emulator:portal_meetings"), {"action": "start", "meeting_id": meeting.meeting_id}
    )
    assert started.status_code == 302
    host_page = client.get(started["Location"])
    assert host_page.context["visit"].role == Participant.Role.HOST
    assert 'data-testid="zoom-room-admit"' in host_page.content.decode()

    admitted = client.post(started["Location"], {"action": "admit", "participant_uuid": guest.participant_uuid})
    assert admitted.status_code == 302
    assert participants.get_participant(guest).state == Participant.State.IN_MEETING
    page = client.get(reverse("zoom_emulator:portal_meetings")).content.decode()
    assert f'data-testid="zoom-meeting-live-{meeting.meeting_id}"' in page


@emulator_db
def test_unknown_visits_and_meetings_answer_404(client):
    assert client.get(reverse("zoom_emulator:room", args=["nope"])).status_code == 404
    assert client.post("/zoom-emulator/j/12345678901", {"name": "x"}).status_code == 404
