"""The reconcile against a fake Zoom (`responses`): create body and host token, passcode and
alternative-host fallbacks, overrides with remedies, move, host change, cancel, location change."""

from __future__ import annotations

import json
import re

from django.core import serializers
from django.urls import reverse

from scheduling.models import InterviewSchedule
from tests import flows
from tests.helpers import in_days, in_english
from zoom.meetings import bodies
from zoom.meetings.bodies import MeetingWarning
from zoom.models import ZoomMeeting


def token_of(user) -> str:
    return f"access-{user.pk}"


def test_it_creates_the_meeting_with_the_hosts_token_and_guest_friendly_settings(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])

    [post] = zoom.calls_to("POST")
    assert post.path == "/users/me/meetings"
    assert post.token == token_of(alice)  # the HOST's own token: smallest link id among alice, bob
    meeting = schedule.meeting
    body = post.body
    assert body["type"] == 2
    assert body["topic"] == "一次面接"
    assert body["start_time"] == schedule.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    assert body["duration"] == 60
    assert body["timezone"] == "Asia/Tokyo"
    assert re.fullmatch(r"[A-Za-z0-9]{10}", body["password"])
    assert str(meeting.uuid) in body["agenda"]
    assert body["settings"] == {
        "join_before_host": True,
        "jbh_time": 0,
        "waiting_room": False,
        "approval_type": 2,
        "alternative_hosts": bob.zoom_user.email,
    }
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert meeting.zoom_meeting_id == 85746065432
    assert meeting.join_url == f"https://zoom.test/j/85746065432?pwd=enc{body['password']}"
    assert meeting.passcode == body["password"]
    assert meeting.effective_settings["join_before_host"] is True
    assert meeting.warnings == []
    assert meeting.synced_revision == meeting.revision
    assert meeting.host_user_id == alice.pk
    assert meeting.alternative_hosts == [bob.zoom_user.email]
    assert meeting.claim_token == ""
    assert meeting.claimed_until is None
    # start_url logs anyone in as host: never stored anywhere on the row.
    assert "zak" not in serializers.serialize("json", [meeting])


def test_it_stores_zooms_64_bit_meeting_id(company, connected, alice, zoom, django_capture_on_commit_callbacks):
    zoom._next_id = 2**40 + 7

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    assert schedule.meeting.zoom_meeting_id == 2**40 + 7


def test_it_retries_once_with_zooms_passcode_when_ours_is_rejected(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    zoom.reject_passcodes = True

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    first, second = zoom.calls_to("POST")
    assert "password" in first.body
    assert "password" not in second.body
    assert second.body["default_password"] is True
    meeting = schedule.meeting
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert meeting.passcode == "Zm9Rg2Xk7Q"  # the one Zoom set
    assert meeting.warnings == [MeetingWarning.PASSCODE_SET_BY_ZOOM]


def test_rejected_alternative_hosts_create_the_meeting_without_them_and_warn(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks, client_for
):
    zoom.reject_alternative_hosts = True

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])

    first, second = zoom.calls_to("POST")
    assert first.body["settings"]["alternative_hosts"] == bob.zoom_user.email
    assert second.body["settings"]["alternative_hosts"] == ""
    assert schedule.meeting.status == ZoomMeeting.Status.CREATED
    assert schedule.meeting.warnings == [MeetingWarning.ALTERNATIVE_HOSTS_REJECTED]
    page = in_english(client_for(alice)).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    assert "Zoom refused the alternative hosts" in page


def test_zooms_overrides_are_recorded_and_the_page_shows_each_remedy_and_who_must_act(
    company, connected, alice, zoom, django_capture_on_commit_callbacks, client_for
):
    zoom.forced_settings = {"waiting_room": True, "join_before_host": False}
    zoom.embed_passcode = False

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    meeting = schedule.meeting
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert meeting.warnings == [
        MeetingWarning.WAITING_ROOM_ON,
        MeetingWarning.JOIN_BEFORE_HOST_OFF,
        MeetingWarning.PASSCODE_NOT_EMBEDDED,
    ]
    assert meeting.effective_settings["waiting_room"] is True
    page = in_english(client_for(alice)).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    assert "Turn off “Waiting room” in Zoom" in page
    assert "Allow participants to join before host" in page
    assert "Embed passcode in invite link for one-click join" in page
    assert "If the setting is locked (greyed out), a Zoom admin" in page
    assert "A Zoom admin of your company&#x27;s account" in page


def test_moving_the_interview_patches_the_same_meeting_and_rereads_it(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    meeting_id = schedule.meeting.zoom_meeting_id

    moved = flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=in_days(11, 15))

    assert moved.meeting_id == schedule.meeting_id
    [patch] = zoom.calls_to("PATCH")
    assert patch.path == f"/meetings/{meeting_id}"
    assert patch.token == token_of(alice)
    assert patch.body["start_time"].endswith("T15:00:00")
    assert "password" not in patch.body
    assert (zoom.calls[-1].method, zoom.calls[-1].path) == ("GET", f"/meetings/{meeting_id}")
    assert len(zoom.calls_to("POST")) == 1
    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert meeting.zoom_meeting_id == meeting_id
    assert meeting.synced_revision == meeting.revision == 2
    assert not meeting.join_url_changed


def test_saving_without_changes_calls_zoom_again_not_at_all(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    calls = len(zoom.calls)

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=schedule.starts_at)

    assert len(zoom.calls) == calls


def test_a_changed_join_url_is_flagged_and_sent_to_everyone_again(
    company, connected, alice, zoom, django_capture_on_commit_callbacks, client_for
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    zoom.embed_passcode = False  # Zoom now gives another URL for the same meeting

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=in_days(12))

    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert meeting.join_url_changed
    page = in_english(client_for(alice)).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    # Issue 12: HERP sends the new URL itself and the page says so.
    assert "The URL changed." in page
    assert "HERP sent the new URL to everyone concerned" in page


def test_a_new_host_gets_a_new_meeting_then_the_old_is_deleted_with_the_old_hosts_token(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    old = schedule.meeting

    # Alice leaves the interview: Bob hosts now, which needs a meeting made with Bob's token.
    changed = flows.update(django_capture_on_commit_callbacks, schedule, participants=[bob])

    new = changed.meeting
    assert new.pk != old.pk
    assert new.replaces_id == old.pk
    assert new.status == ZoomMeeting.Status.CREATED
    assert new.host_user_id == bob.pk
    posts = zoom.calls_to("POST")
    assert [c.token for c in posts] == [token_of(alice), token_of(bob)]
    [delete] = zoom.calls_to("DELETE")
    assert delete.path == f"/meetings/{old.zoom_meeting_id}"
    assert delete.token == token_of(alice)
    # The old one went only after the new one existed.
    assert zoom.calls.index(delete) > zoom.calls.index(posts[1])
    old.refresh_from_db()
    assert old.status == ZoomMeeting.Status.DELETED
    assert list(zoom.alive()) == [new.zoom_meeting_id]


def test_when_the_new_meeting_fails_the_old_one_stays(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    old = schedule.meeting
    zoom.fail_next("POST", "/users/me/meetings", 400, {"code": 3161, "message": "Hosting is not allowed."})

    changed = flows.update(django_capture_on_commit_callbacks, schedule, participants=[bob])

    assert changed.meeting.status == ZoomMeeting.Status.FAILED
    assert "Hosting is not allowed" in changed.meeting.last_error
    assert zoom.calls_to("DELETE") == []
    old.refresh_from_db()
    assert old.status == ZoomMeeting.Status.CREATED


def test_cancelling_deletes_the_meeting_at_zoom(company, connected, alice, zoom, django_capture_on_commit_callbacks):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    cancelled = flows.cancel(django_capture_on_commit_callbacks, schedule)

    assert cancelled.status == InterviewSchedule.Status.CANCELLED
    [delete] = zoom.calls_to("DELETE")
    assert delete.token == token_of(alice)
    assert zoom.alive() == {}
    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert meeting.status == ZoomMeeting.Status.DELETED
    assert meeting.delete_requested


def test_a_meeting_already_gone_at_zoom_counts_as_deleted(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    zoom.meetings.clear()  # someone deleted it in Zoom

    flows.cancel(django_capture_on_commit_callbacks, schedule)

    assert zoom.calls_to("DELETE")[0].path == f"/meetings/{schedule.meeting.zoom_meeting_id}"
    assert ZoomMeeting.objects.get(pk=schedule.meeting_id).status == ZoomMeeting.Status.DELETED


def test_leaving_zoom_deletes_the_meeting_and_coming_back_makes_a_new_one(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    first = schedule.meeting

    onsite = flows.update(
        django_capture_on_commit_callbacks, schedule, participants=[alice], location=InterviewSchedule.Location.ONSITE
    )
    first.refresh_from_db()
    assert first.status == ZoomMeeting.Status.DELETED
    assert onsite.meeting_id == first.pk
    assert zoom.alive() == {}

    back = flows.update(
        django_capture_on_commit_callbacks, onsite, participants=[alice], location=InterviewSchedule.Location.ZOOM
    )
    assert back.meeting_id != first.pk
    assert back.meeting.status == ZoomMeeting.Status.CREATED
    assert back.meeting.replaces_id is None
    assert list(zoom.alive()) == [back.meeting.zoom_meeting_id]


def test_a_schedule_that_is_not_zoom_has_no_meeting(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(
        django_capture_on_commit_callbacks,
        company,
        alice,
        participants=[alice],
        location=InterviewSchedule.Location.OTHER,
    )

    assert schedule.meeting is None
    assert zoom.calls == []


def test_without_linked_participants_the_installer_hosts_with_the_installers_grant(
    company, connected, installer, person, zoom, django_capture_on_commit_callbacks
):
    carol = person("Carol")

    schedule = flows.create(django_capture_on_commit_callbacks, company, carol, participants=[carol])

    [post] = zoom.calls_to("POST")
    assert post.token == f"inst-{company.pk}"
    meeting = schedule.meeting
    assert meeting.host_user_id == installer.pk
    assert meeting.host_id is None
    assert meeting.host_grant_id == connected.grant_id
    assert meeting.host_email == "installer@zoom.example"


def test_a_meeting_deleted_in_zoom_is_created_again_on_the_next_change(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    zoom.meetings.clear()

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=in_days(13))

    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert len(zoom.calls_to("POST")) == 2
    assert meeting.join_url_changed
    assert list(zoom.alive()) == [meeting.zoom_meeting_id]


def test_the_host_starts_with_a_fresh_start_url_others_may_not(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks, client_for
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    url = reverse("scheduling:start", args=[schedule.pk])

    response = client_for(alice).post(url)

    assert response.status_code == 302
    assert response.url == f"https://zoom.test/s/{schedule.meeting.zoom_meeting_id}?zak=secret-zak"
    assert (zoom.calls[-1].method, zoom.calls[-1].token) == ("GET", token_of(alice))
    assert client_for(bob).post(url).status_code == 403
    assert client_for(alice).get(url).status_code == 405
    detail = client_for(alice).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    assert 'id="meeting-start"' in detail
    assert "zak" not in detail
    assert (
        'id="meeting-start"'
        not in client_for(bob).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    )


def test_send_again_reapplies_our_settings_after_a_fix_in_zoom(
    company, connected, alice, zoom, django_capture_on_commit_callbacks, client_for
):
    zoom.forced_settings = {"waiting_room": True}
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    assert schedule.meeting.warnings == [MeetingWarning.WAITING_ROOM_ON]
    zoom.forced_settings = {}  # the host turned the waiting room off in Zoom

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(reverse("scheduling:retry", args=[schedule.pk]))

    assert response.status_code == 302
    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert meeting.warnings == []
    assert zoom.calls_to("PATCH")[0].body["settings"]["waiting_room"] is False


def test_the_start_url_is_not_kept_in_the_client_result_repr():
    from integrations.zoom_api.client import ZoomMeetingInfo

    info = ZoomMeetingInfo.from_json(
        json.loads((__import__("pathlib").Path(__file__).parents[2] / "fixtures/zoom/meeting_created.json").read_text())
    )
    assert "zak" not in repr(info)
    assert bodies.MARKER_PREFIX in info.agenda
