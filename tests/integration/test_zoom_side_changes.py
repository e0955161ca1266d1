"""RELIABILITY T36 on PostgreSQL with a real worker (issue 14's "Done when"): changes made in Zoom are put
right. The host deletes or moves the interview's meeting on the emulator's web portal; Zoom's signed
``meeting.deleted`` / ``meeting.updated`` reach the product's webhook over HTTP; a real `celery worker`
on Redis reads the meeting back from the emulator and makes it again or puts it back; the invitations and
the host's mail go to a real SMTP server.

Counted at the emulator (its call log: every create, read and PATCH the product made) and at the SMTP
server: a deleted meeting is made once and everyone gets one update with the new URL; a moved one is
put back with one PATCH, whose own ``meeting.updated`` echoes back and changes nothing (no second PATCH,
no loop); the host is told once. Duplicates and reordering come from the emulator's webhook switches.
Past and cancelled interviews and meetings we did not make change nothing.

This process plays beat's webhook sweeper (an event that found its meeting at work is looked at again
once the meeting rests) and sends through the same SMTP server. The tests wait by polling with a
deadline, never by sleeping a fixed time.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from herp.celery import app
from herp.models import User
from scheduling.invitations.models import InvitationMessage
from scheduling.models import InterviewSchedule
from scheduling.services import ScheduleData, schedule_cancel, schedule_create, schedule_update
from tests.helpers import wait_for
from tests.smtp import SmtpServer
from tests.unit.invitations.mailbox import Received, parse
from zoom.meetings.bodies import marker
from zoom.models import WebhookDelivery, ZoomMeeting, ZoomSideChange
from zoom.webhooks import delivery_process
from zoom_emulator import calllog, faults, meeting_events
from zoom_emulator import meetings as zoom_side
from zoom_emulator import webhooks as zoom_webhooks
from zoom_emulator.accounts import get_user as zoom_user
from zoom_emulator.models import WebhookDelivery as ZoomDelivery

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])

R1 = "recruiter1@demo.example"
CANDIDATE = "taro@candidate.example"

PUT_BACK_SUBJECT = "[HERP] An interview changed in Zoom was put back"
MADE_AGAIN_SUBJECT = "[HERP] A deleted interview meeting was made again"
ZOOM_IN_FLIGHT = (
    ZoomDelivery.State.PENDING,
    ZoomDelivery.State.SENDING,
    ZoomDelivery.State.RETRYING,
    ZoomDelivery.State.HELD,
)


@pytest.fixture
def smtp(settings):
    # The worker sends through it (HERP_TEST_EMAIL_URL), and so does this process when it plays the sweeper.
    server = SmtpServer().start().serve_django(settings)
    yield server
    server.stop()


@pytest.fixture
def worker(celery_worker_factory, smtp, monkeypatch):
    """Two worker processes on a queue of their own, which the live server's webhook publishes to: two
    events of one meeting may be handled at once, as in production."""
    queue = f"test-zoomside-{uuid.uuid4().hex[:10]}"
    handle = celery_worker_factory(
        concurrency=2, queue=queue, env={"HERP_TEST_EMAIL_URL": smtp.url, "HERP_TEST_QUEUE": queue}
    )
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    return handle


@dataclass
class Interview:
    schedule: InterviewSchedule
    meeting_pk: int
    zoom_id: int
    join_url: str
    smtp: SmtpServer

    @property
    def meeting(self) -> ZoomMeeting:
        return ZoomMeeting.objects.get(pk=self.meeting_pk)

    def at_zoom(self) -> Any:
        return zoom_side.get_meeting(self.zoom_id)


def settle(*, timeout: float = 45.0) -> None:
    """Until nothing moves: Zoom's deliveries made, every stored event processed, the meeting resting, the
    invitations sent — twice in a row. Beat's webhook sweeper is played here: an event the worker left
    (its meeting was at work) is processed again once the meeting rests, as the sweeper would a minute later."""

    def quiet() -> bool:
        zoom_webhooks.wait_for_deliveries(timeout=10)
        if ZoomDelivery.objects.filter(state__in=ZOOM_IN_FLIGHT).exists():
            return False
        if ZoomMeeting.objects.filter(status__in=ZoomMeeting.WORKABLE).exists():
            return False
        if InvitationMessage.objects.filter(
            status__in=[InvitationMessage.Status.QUEUED, InvitationMessage.Status.SENDING]
        ).exists():
            return False
        left = WebhookDelivery.objects.filter(processed_at__isnull=True)
        if left.exists():
            for delivery in left.filter(attempts__gte=1):
                delivery_process(delivery.pk)
            return False
        return True

    def twice() -> bool:
        if not quiet():
            return False
        time.sleep(0.3)
        return quiet()

    wait_for(twice, timeout=timeout, what="Zoom, the webhook, the worker and the invitations to settle")


def patches() -> list[Any]:
    return [call for call in calllog.calls("meetings.update") if call.method == "PATCH"]


def creates() -> list[Any]:
    return [call for call in calllog.calls("meetings.create") if call.method == "POST"]


def mails_since(smtp: SmtpServer, seen: int, *, expect: int = 0) -> list[Received]:
    """The mails after the first ``seen``, once at least ``expect`` arrived (a mail goes out just after the
    commit that decided it, so it may trail the settled state by a moment)."""
    messages = smtp.wait_for(lambda messages: len(messages) >= seen + expect, what=f"{expect} mails")
    return [parse(raw) for raw in messages[seen:]]


def host_told(mails: list[Received], subject: str) -> list[Received]:
    with translation.override("ja"):
        wanted = gettext(subject)
    return [mail for mail in mails if mail.to == R1 and mail.subject == wanted]


def invitation_updates(mails: list[Received]) -> list[Received]:
    return [mail for mail in mails if mail.ics]


def zoom_side_events(zoom_id: int) -> list[dict[str, Any]]:
    """What Zoom sent about one meeting, in the order it was sent."""
    return meeting_events.sent_for(zoom_id)


def arrival_order() -> list[dict[str, Any]]:
    """The bodies of Zoom's deliveries in the order they reached the webhook (their first attempts)."""
    tried = [d for d in zoom_webhooks.deliveries() if d.attempt_log.exists()]
    return [d.data for d in sorted(tried, key=lambda d: d.attempt_log.order_by("started_at").first().started_at)]


def results() -> list[str]:
    return sorted(WebhookDelivery.objects.filter(event__startswith="meeting.").values_list("result", flat=True))


@pytest.fixture
def interview(worker, zoom_linked, smtp) -> Interview:
    """An upcoming Zoom interview hosted by recruiter1 (linked over HTTP), made by the worker, its two
    invitations (the candidate, recruiter1) sent; the call log starts empty."""
    zoom_linked(R1)
    host = User.objects.get(email=R1)
    start = (timezone.localtime() + timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    schedule = schedule_create(
        company=host.company,
        by=host,
        data=ScheduleData(
            title="一次面接",
            starts_at=start,
            duration_minutes=45,
            timezone="Asia/Tokyo",
            location=InterviewSchedule.Location.ZOOM,
            participants=[host],
            new_candidate_name="候補 太郎",
            new_candidate_email=CANDIDATE,
        ),
    )
    settle()
    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert InvitationMessage.objects.filter(schedule=schedule, status=InvitationMessage.Status.SENT).count() == 2
    calllog.clear_calls()
    return Interview(schedule, meeting.pk, meeting.zoom_meeting_id, meeting.join_url, smtp)


# --- Upcoming interviews: put right once ---------------------------------------------------------------


def test_T36_a_meeting_deleted_in_zoom_is_made_again_and_everyone_is_told_once(interview):
    seen = len(interview.smtp.messages())

    zoom_side.portal_delete(interview.zoom_id)
    settle()

    meeting = interview.meeting
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert meeting.zoom_meeting_id != interview.zoom_id
    assert meeting.join_url != interview.join_url
    assert [m.meeting_id for m in zoom_side.meetings_of(R1)] == [meeting.zoom_meeting_id]
    assert marker(meeting) in zoom_side.get_meeting(meeting.zoom_meeting_id).agenda
    assert len(creates()) == 1
    [change] = ZoomSideChange.objects.all()
    assert (change.kind, change.action, change.operator) == ("deleted", "recreated", R1)
    mails = mails_since(interview.smtp, seen, expect=3)
    updates = invitation_updates(mails)
    assert sorted(mail.to for mail in updates) == sorted([CANDIDATE, R1])  # one update each
    assert {(mail.method, mail.location) for mail in updates} == {("REQUEST", meeting.join_url)}
    assert len(host_told(mails, MADE_AGAIN_SUBJECT)) == 1
    assert len(mails) == 3


def test_T36_a_meeting_moved_in_zoom_is_put_back_once_and_its_echo_changes_nothing(interview):
    seen = len(interview.smtp.messages())
    wanted = interview.at_zoom()
    moved_to = wanted.start_time + timedelta(days=1, hours=2)

    zoom_side.portal_edit(interview.zoom_id, start=moved_to, duration=15, settings={"waiting_room": True})
    settle()

    at_zoom = interview.at_zoom()
    assert at_zoom.start_time == wanted.start_time == interview.meeting.start_time
    assert zoom_side.end_time(at_zoom) == interview.meeting.end_time
    assert (at_zoom.duration, at_zoom.settings["waiting_room"], at_zoom.settings["join_before_host"]) == (
        45,
        False,
        True,
    )
    assert len(patches()) == 1  # the put-back; its own meeting.updated came back and was left alone
    assert [body["event"] for body in zoom_side_events(interview.zoom_id)] == ["meeting.updated"] * 2
    assert results() == sorted([WebhookDelivery.Result.PUT_BACK, WebhookDelivery.Result.IN_SYNC])
    [change] = ZoomSideChange.objects.all()
    assert (change.kind, change.action) == ("updated", "put_back")
    assert {"start_time", "duration", "waiting_room", "join_before_host"} <= set(change.fields)
    mails = mails_since(interview.smtp, seen, expect=1)
    assert len(host_told(mails, PUT_BACK_SUBJECT)) == 1
    assert invitation_updates(mails) == []  # the interview did not change, so nobody else is told
    assert interview.meeting.zoom_meeting_id == interview.zoom_id


def test_T36_our_own_move_echoes_back_and_changes_nothing(interview):
    schedule = interview.schedule
    seen = len(interview.smtp.messages())
    schedule.refresh_from_db()
    host = User.objects.get(email=R1)

    schedule_update(
        schedule=schedule,
        data=ScheduleData(
            title=schedule.title,
            starts_at=schedule.starts_at + timedelta(days=1),
            duration_minutes=60,
            timezone="Asia/Tokyo",
            location=InterviewSchedule.Location.ZOOM,
            participants=[host],
            candidate=schedule.candidate,
        ),
    )
    settle()

    assert len(patches()) == 1
    [echo] = zoom_side_events(interview.zoom_id)
    assert echo["event"] == "meeting.updated"
    assert results() == [WebhookDelivery.Result.IN_SYNC]
    assert ZoomSideChange.objects.count() == 0
    assert interview.at_zoom().start_time == interview.meeting.start_time
    mails = mails_since(interview.smtp, seen, expect=2)
    assert host_told(mails, PUT_BACK_SUBJECT) == []
    assert sorted(mail.to for mail in invitation_updates(mails)) == sorted([CANDIDATE, R1])


# --- Duplicates and reordering ---------------------------------------------------------------------


def test_T36_a_deletion_delivered_three_times_and_again_later_makes_one_meeting(interview):
    seen = len(interview.smtp.messages())
    faults.webhook_duplicate(copies=3)

    zoom_side.portal_delete(interview.zoom_id)
    settle()
    [delivery] = zoom_webhooks.deliveries("meeting.deleted")[:1]
    zoom_webhooks.resend(delivery)  # Zoom's retry, after all was put right
    settle()

    assert len(zoom_webhooks.deliveries("meeting.deleted")) == 4
    assert WebhookDelivery.objects.filter(event="meeting.deleted").count() == 1  # one body, stored once
    assert len(creates()) == 1
    assert len(zoom_side.meetings_of(R1)) == 1
    assert ZoomSideChange.objects.count() == 1
    mails = mails_since(interview.smtp, seen, expect=3)
    assert sorted(mail.to for mail in invitation_updates(mails)) == sorted([CANDIDATE, R1])
    assert len(host_told(mails, MADE_AGAIN_SUBJECT)) == 1


def test_T36_two_changes_delivered_out_of_order_are_put_back_once(interview):
    seen = len(interview.smtp.messages())
    wanted = interview.at_zoom().start_time
    faults.webhook_reorder()  # the first event waits until the second has been delivered

    zoom_side.portal_reschedule(interview.zoom_id, wanted + timedelta(hours=3))
    zoom_side.portal_change_settings(interview.zoom_id, waiting_room=True)
    settle()

    sent = [body["payload"]["object"] for body in zoom_side_events(interview.zoom_id)][:2]
    assert ["start_time" in sent[0], "settings" in sent[1]] == [True, True]
    arrived = [body["payload"]["object"] for body in arrival_order()][:2]
    assert ["settings" in arrived[0], "start_time" in arrived[1]] == [True, True]  # the settings change came first
    at_zoom = interview.at_zoom()
    assert (at_zoom.start_time, at_zoom.settings["waiting_room"]) == (wanted, False)
    assert len(patches()) == 1
    assert ZoomSideChange.objects.count() == 1
    assert len(host_told(mails_since(interview.smtp, seen, expect=1), PUT_BACK_SUBJECT)) == 1


def test_T36_an_update_delivered_after_the_deletion_changes_nothing_more(interview):
    seen = len(interview.smtp.messages())
    faults.webhook_reorder()

    zoom_side.portal_reschedule(interview.zoom_id, interview.at_zoom().start_time + timedelta(hours=1))
    zoom_side.portal_delete(interview.zoom_id)
    settle()

    assert [body["event"] for body in arrival_order()][:2] == ["meeting.deleted", "meeting.updated"]
    assert len(creates()) == 1
    assert patches() == []  # nothing sent to the deleted meeting, nor to the new one
    assert [c.action for c in ZoomSideChange.objects.all()] == [ZoomSideChange.Action.RECREATED]
    assert len(zoom_side.meetings_of(R1)) == 1
    mails = mails_since(interview.smtp, seen, expect=3)
    assert len(host_told(mails, MADE_AGAIN_SUBJECT)) == 1
    assert host_told(mails, PUT_BACK_SUBJECT) == []
    assert sorted(mail.to for mail in invitation_updates(mails)) == sorted([CANDIDATE, R1])


# --- Past, cancelled and unknown: nothing --------------------------------------------------------------


def test_T36_changes_to_a_past_interviews_meeting_change_nothing(interview):
    # The interview took place: its rows say so (the worker cannot travel in time, so the clock stays
    # and the interview moves). The host then tidies up Zoom.
    ended = timezone.now() - timedelta(hours=2)
    InterviewSchedule.objects.filter(pk=interview.schedule.pk).update(starts_at=ended)
    ZoomMeeting.objects.filter(pk=interview.meeting_pk).update(start_time=ended)
    seen = len(interview.smtp.messages())

    zoom_side.portal_reschedule(interview.zoom_id, interview.at_zoom().start_time + timedelta(days=7))
    zoom_side.portal_delete(interview.zoom_id)
    settle()

    assert results() == [WebhookDelivery.Result.NOT_UPCOMING] * 2
    assert calllog.calls() == []  # not even read back
    assert interview.meeting.zoom_meeting_id == interview.zoom_id
    assert ZoomSideChange.objects.count() == 0
    assert mails_since(interview.smtp, seen) == []


def test_T36_a_cancelled_interviews_meeting_changed_in_zoom_before_our_delete_lands_changes_nothing(interview):
    faults.delay(3000, endpoint="meetings.delete")  # the cancel's DELETE is on its way for a while
    seen = len(interview.smtp.messages())

    schedule_cancel(schedule=interview.schedule)
    moved_to = interview.at_zoom().start_time + timedelta(days=2)
    zoom_side.portal_reschedule(interview.zoom_id, moved_to)  # Zoom still holds it
    settle()

    assert interview.meeting.status == ZoomMeeting.Status.DELETED
    assert zoom_side.get_meeting(interview.zoom_id) is None
    assert zoom_side.get_meeting(interview.zoom_id, include_deleted=True).start_time == moved_to  # not put back
    assert [call.method for call in calllog.calls() if call.endpoint.startswith("meetings.")] == ["DELETE"]
    assert results() == [WebhookDelivery.Result.UNKNOWN_MEETING] * 2  # the move, and our delete's echo
    assert ZoomSideChange.objects.count() == 0
    mails = mails_since(interview.smtp, seen, expect=2)
    assert sorted((mail.to, mail.method) for mail in mails) == sorted([(CANDIDATE, "CANCEL"), (R1, "CANCEL")])


def test_T36_changes_to_a_meeting_we_did_not_make_change_nothing_and_store_nothing(interview):
    seen = len(interview.smtp.messages())
    theirs = zoom_side.create_meeting(
        zoom_user(R1), {"topic": "Weekly 1:1", "start_time": "2099-06-01T10:00:00", "duration": 30}
    )

    zoom_side.portal_reschedule(theirs, "2099-06-02T10:00:00")
    zoom_side.portal_delete(theirs)
    settle()

    stored = list(WebhookDelivery.objects.filter(event__startswith="meeting."))
    assert [d.result for d in stored] == [WebhookDelivery.Result.UNKNOWN_MEETING] * 2
    assert all(d.payload == {} and d.zoom_user_id == "" for d in stored)  # the body's hash only
    assert calllog.calls() == []
    assert interview.at_zoom() is not None
    assert ZoomSideChange.objects.count() == 0
    assert mails_since(interview.smtp, seen) == []
