"""RELIABILITY T36: changes made in Zoom are put right (issue 14). The interview is the source of
truth: an upcoming interview's meeting deleted in Zoom is made again, one changed in Zoom is put back,
the host is told once; our own echoes, unknown meetings, past and cancelled interviews, duplicates
and an ``updated`` after a ``deleted`` change nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from herp.models import Notification
from scheduling.services import schedule_cancel
from tests import flows
from zoom import signatures
from zoom.models import WebhookDelivery, ZoomMeeting, ZoomSideChange
from zoom.remote_changes import PUT_BACKS_PER_DAY
from zoom.webhooks import delivery_process

URL = "/webhooks/zoom/"


def event(name: str, zoom_id: int, *, obj: dict | None = None, old: dict | None = None, operator: str = "") -> dict:
    now_ms = int(time.time() * 1000)
    payload = {
        "account_id": "acct_sched_0000001",
        "operator": operator or "host@zoom.example",
        "operator_id": "zu_host",
        "object": {"id": zoom_id, "uuid": f"uuid-{zoom_id}", "host_id": "zu_host", **(obj or {})},
    }
    if name == "meeting.updated":
        payload["old_object"] = {"id": zoom_id, **(old or {})}
        payload["time_stamp"] = now_ms
    return {"event": name, "event_ts": now_ms, "payload": payload}


def deliver(client, document: dict, django_capture_on_commit_callbacks, *, process: bool = True) -> WebhookDelivery:
    """Zoom posts the event, signed; with ``process=False`` it is only stored (its task has not run yet)."""
    raw = json.dumps(document, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    with django_capture_on_commit_callbacks(execute=process):
        response = client.post(
            URL,
            data=raw,
            content_type="application/json",
            HTTP_X_ZM_REQUEST_TIMESTAMP=timestamp,
            HTTP_X_ZM_SIGNATURE=signatures.sign(settings.ZOOM_WEBHOOK_SECRET_TOKENS[0], timestamp, raw),
        )
    assert response.status_code == 200
    return WebhookDelivery.objects.order_by("-pk").first()


@pytest.fixture
def interview(company, connected, alice, zoom, django_capture_on_commit_callbacks):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    mail.outbox.clear()
    zoom.calls.clear()
    return schedule


def meeting_of(schedule) -> ZoomMeeting:
    return ZoomMeeting.objects.get(pk=schedule.meeting_id)


def test_T36_a_meeting_moved_in_zoom_is_put_back_and_the_host_told_once(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    zoom_id = meeting_of(interview).zoom_meeting_id
    wanted = zoom.meetings[zoom_id]["start_time"]
    zoom.meetings[zoom_id]["start_time"] = "2031-01-01T09:00:00"  # the host moved it in Zoom's UI
    zoom.meetings[zoom_id]["duration"] = 15

    delivery = deliver(
        client,
        event(
            "meeting.updated", zoom_id, obj={"start_time": "2031-01-01T00:00:00Z", "duration": 15}, old={"duration": 60}
        ),
        django_capture_on_commit_callbacks,
    )

    assert delivery.result == WebhookDelivery.Result.PUT_BACK
    assert zoom.meetings[zoom_id]["start_time"] == wanted
    assert zoom.meetings[zoom_id]["duration"] == 60
    assert len(zoom.calls_to("PATCH")) == 1
    [change] = ZoomSideChange.objects.all()
    assert change.kind == ZoomSideChange.Kind.UPDATED
    assert set(change.fields) >= {"start_time", "duration"}
    assert change.operator == "host@zoom.example"
    assert change.after["duration"] == 15
    [told] = mail.outbox
    host = interview.participants.get()
    assert told.to == [host.email]
    [line] = Notification.objects.filter(user=host)  # and in their bell
    assert interview.title in line.title
    assert meeting_of(interview).status == ZoomMeeting.Status.CREATED


def test_T36_our_own_change_echoing_back_changes_nothing(interview, zoom, client, django_capture_on_commit_callbacks):
    zoom_id = meeting_of(interview).zoom_meeting_id

    delivery = deliver(
        client, event("meeting.updated", zoom_id, obj={"duration": 60}), django_capture_on_commit_callbacks
    )

    assert delivery.result == WebhookDelivery.Result.IN_SYNC
    assert zoom.calls_to("PATCH") == []
    assert ZoomSideChange.objects.count() == 0
    assert mail.outbox == []


def test_T36_a_meeting_deleted_in_zoom_is_made_again_with_a_new_url(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    before = meeting_of(interview)
    del zoom.meetings[before.zoom_meeting_id]

    delivery = deliver(client, event("meeting.deleted", before.zoom_meeting_id), django_capture_on_commit_callbacks)

    assert delivery.result == WebhookDelivery.Result.RECREATED
    after = meeting_of(interview)
    assert after.pk == before.pk
    assert after.status == ZoomMeeting.Status.CREATED
    assert after.zoom_meeting_id != before.zoom_meeting_id
    assert after.join_url != before.join_url
    assert after.join_url_changed
    assert list(zoom.alive()) == [after.zoom_meeting_id]
    assert len(zoom.calls_to("POST")) == 1
    assert ZoomSideChange.objects.get().action == ZoomSideChange.Action.RECREATED
    told = [
        message for message in mail.outbox if "made again" in message.subject or "作り直しました" in message.subject
    ]
    assert len(told) == 1  # the host, once
    updates = [message for message in mail.outbox if message not in told]
    assert updates  # the candidate and the interviewers get the new URL through the invitations
    assert all(after.join_url in message.body for message in updates)


def test_T36_an_update_after_the_delete_and_duplicates_change_nothing_more(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    old_id = meeting_of(interview).zoom_meeting_id
    del zoom.meetings[old_id]
    deleted = event("meeting.deleted", old_id)
    deliver(client, deleted, django_capture_on_commit_callbacks)
    deliver(client, deleted, django_capture_on_commit_callbacks)  # the same body again
    late = deliver(client, event("meeting.updated", old_id, obj={"topic": "x"}), django_capture_on_commit_callbacks)

    assert late.result == WebhookDelivery.Result.UNKNOWN_MEETING
    assert len(zoom.calls_to("POST")) == 1
    assert ZoomSideChange.objects.count() == 1
    assert len(zoom.alive()) == 1


@pytest.mark.parametrize("state", ["cancelled", "past"])
def test_T36_events_for_cancelled_or_past_interviews_change_nothing(
    state, interview, zoom, client, django_capture_on_commit_callbacks
):
    meeting = meeting_of(interview)
    zoom_id = meeting.zoom_meeting_id
    if state == "cancelled":
        zoom.lose_next_answer("DELETE", 503)  # the cancel's delete is still on its way when the event comes
        with django_capture_on_commit_callbacks(execute=True):
            schedule_cancel(schedule=interview)
        calls = len(zoom.calls)
        travel = time_machine.travel(timezone.now(), tick=False)
    else:
        calls = 0
        travel = time_machine.travel(meeting.end_time + timedelta(minutes=5), tick=False)
    with travel:
        delivery = deliver(
            client, event("meeting.updated", zoom_id, obj={"duration": 5}), django_capture_on_commit_callbacks
        )

    assert delivery.result in (WebhookDelivery.Result.UNKNOWN_MEETING, WebhookDelivery.Result.NOT_UPCOMING)
    assert len(zoom.calls) == calls
    assert ZoomSideChange.objects.count() == 0


def test_T36_an_event_for_a_meeting_we_did_not_make_stores_only_what_dedupe_needs(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    foreign = event("meeting.updated", 99999999999, obj={"topic": "Weekly 1:1 with the CEO"})

    delivery = deliver(client, foreign, django_capture_on_commit_callbacks)
    deliver(client, foreign, django_capture_on_commit_callbacks)

    assert delivery.payload == {}
    assert delivery.result == WebhookDelivery.Result.UNKNOWN_MEETING
    assert delivery.processed_at is not None
    assert WebhookDelivery.objects.count() == 1
    assert zoom.calls == []


def test_T36_a_meeting_being_worked_on_is_checked_again_later(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    meeting = meeting_of(interview)
    ZoomMeeting.objects.filter(pk=meeting.pk).update(status=ZoomMeeting.Status.UPDATING)

    delivery = deliver(
        client,
        event("meeting.updated", meeting.zoom_meeting_id, obj={"duration": 5}),
        django_capture_on_commit_callbacks,
    )

    assert delivery.processed_at is None  # the webhook sweeper takes it up again
    assert zoom.calls == []
    ZoomMeeting.objects.filter(pk=meeting.pk).update(status=ZoomMeeting.Status.CREATED)
    assert delivery_process(delivery.pk) == WebhookDelivery.Result.IN_SYNC


def test_T36_put_backs_are_capped_then_the_interview_is_flagged_for_a_person(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    zoom_id = meeting_of(interview).zoom_meeting_id
    results = []
    for n in range(PUT_BACKS_PER_DAY + 1):
        zoom.meetings[zoom_id]["duration"] = 10 + n  # someone keeps changing it in Zoom
        delivery = deliver(
            client, event("meeting.updated", zoom_id, obj={"duration": 10 + n}), django_capture_on_commit_callbacks
        )
        results.append(delivery.result)

    assert results == [WebhookDelivery.Result.PUT_BACK] * PUT_BACKS_PER_DAY + [WebhookDelivery.Result.FLAGGED]
    assert len(zoom.calls_to("PATCH")) == PUT_BACKS_PER_DAY  # no fight with Zoom past the cap
    flagged = meeting_of(interview)
    assert flagged.status == ZoomMeeting.Status.NEEDS_ATTENTION
    assert flagged.failure == ZoomMeeting.Failure.CHANGED_IN_ZOOM
    assert len(mail.outbox) == 1  # the host is told once a day


def test_T36_the_schedule_page_says_who_changed_what_in_zoom(
    interview, zoom, client_for, alice, django_capture_on_commit_callbacks
):
    zoom_id = meeting_of(interview).zoom_meeting_id
    zoom.meetings[zoom_id]["start_time"] = "2031-01-01T09:00:00"
    deliver(
        client_for(alice),
        event("meeting.updated", zoom_id, obj={"start_time": "2031-01-01T00:00:00Z"}, operator="yamada@zoom.example"),
        django_capture_on_commit_callbacks,
    )

    page = client_for(alice).get(f"/schedules/{interview.pk}/").content.decode()

    assert 'id="zoom-changes"' in page
    assert "yamada@zoom.example" in page
    assert 'data-action="put_back"' in page


def test_T36_the_interviews_start_is_unchanged_by_zoom(interview, zoom, client, django_capture_on_commit_callbacks):
    starts_at = interview.starts_at
    zoom_id = meeting_of(interview).zoom_meeting_id
    zoom.meetings[zoom_id]["start_time"] = "2031-01-01T09:00:00"
    deliver(
        client,
        event("meeting.updated", zoom_id, obj={"start_time": "2031-01-01T00:00:00Z"}),
        django_capture_on_commit_callbacks,
    )

    interview.refresh_from_db()
    assert interview.starts_at == starts_at  # the interview owns the time; Zoom is put back instead


def test_T36_two_events_of_one_change_handled_at_once_put_it_right_once(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    # One Save on Zoom's portal moved the meeting and another changed its settings; Zoom sent both
    # events (out of order), and a second worker handles the other while this one reads the meeting back.
    zoom_id = meeting_of(interview).zoom_meeting_id
    zoom.meetings[zoom_id]["start_time"] = "2031-01-01T09:00:00"
    zoom.meetings[zoom_id]["settings"]["waiting_room"] = True
    other = deliver(
        client,
        event("meeting.updated", zoom_id, obj={"settings": {"waiting_room": True}}),
        django_capture_on_commit_callbacks,
        process=False,
    )
    zoom.on_get = lambda: delivery_process(other.pk)

    first = deliver(
        client,
        event("meeting.updated", zoom_id, obj={"start_time": "2031-01-01T00:00:00Z"}),
        django_capture_on_commit_callbacks,
    )

    other.refresh_from_db()
    assert other.result == WebhookDelivery.Result.PUT_BACK
    assert first.processed_at is None  # it found the meeting at work: the sweeper looks again later
    assert ZoomSideChange.objects.count() == 1
    assert len(zoom.calls_to("PATCH")) == 1
    assert zoom.meetings[zoom_id]["settings"]["waiting_room"] is False
    assert len(mail.outbox) == 1
    assert delivery_process(first.pk) == WebhookDelivery.Result.IN_SYNC
    assert len(zoom.calls_to("PATCH")) == 1


def test_T36_an_update_handled_while_the_delete_is_made_again_changes_nothing_more(
    interview, zoom, client, django_capture_on_commit_callbacks
):
    # The host moved the meeting, then deleted it; a second worker handles the deletion while this one
    # reads the moved meeting back.
    old_id = meeting_of(interview).zoom_meeting_id
    deleted = deliver(client, event("meeting.deleted", old_id), django_capture_on_commit_callbacks, process=False)
    del zoom.meetings[old_id]
    zoom.on_get = lambda: delivery_process(deleted.pk)

    moved = deliver(
        client,
        event("meeting.updated", old_id, obj={"start_time": "2031-01-01T00:00:00Z"}),
        django_capture_on_commit_callbacks,
    )

    deleted.refresh_from_db()
    assert deleted.result == WebhookDelivery.Result.RECREATED
    assert moved.processed_at is None
    assert delivery_process(moved.pk) == WebhookDelivery.Result.UNKNOWN_MEETING  # about the old meeting
    assert [change.action for change in ZoomSideChange.objects.all()] == [ZoomSideChange.Action.RECREATED]
    assert len(zoom.calls_to("POST")) == 1
    assert list(zoom.alive()) == [meeting_of(interview).zoom_meeting_id]
    assert len([m for m in mail.outbox if "made again" in m.subject or "作り直しました" in m.subject]) == 1
