"""RELIABILITY T37 and T38: a candidate who waits is noticed while they wait (issue 15)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from herp.models import Notification, User
from integrations.models import ZoomGrant
from tests import flows
from zoom import signatures
from zoom.attendance import attendance_check_due, attendance_purge
from zoom.models import MeetingAttendance, Participation, WaitingIncident, WebhookDelivery, ZoomMeeting

URL = "/webhooks/zoom/"
PARTICIPANT_SCOPE = "meeting:read:participant"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def participant_event(name: str, meeting: ZoomMeeting, *, who: dict, at: datetime, **extra) -> dict:
    time_field = {"meeting.participant_left": "leave_time"}.get(name, "join_time")
    if "waiting_room" in name or name == "meeting.participant_admitted":
        time_field = "date_time"
    return {
        "event": name,
        "event_ts": int(at.timestamp() * 1000),
        "payload": {
            "account_id": "acct_sched_0000001",
            "object": {
                "id": str(meeting.zoom_meeting_id),
                "uuid": "instance-1==",
                "host_id": meeting.host_zoom_user_id,
                "participant": {**who, time_field: iso(at)},
                **extra,
            },
        },
    }


def deliver(client, capture, document: dict) -> WebhookDelivery:
    raw = json.dumps(document, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    with capture(execute=True):
        response = client.post(
            URL,
            data=raw,
            content_type="application/json",
            HTTP_X_ZM_REQUEST_TIMESTAMP=timestamp,
            HTTP_X_ZM_SIGNATURE=signatures.sign(settings.ZOOM_WEBHOOK_SECRET_TOKENS[0], timestamp, raw),
        )
    assert response.status_code == 200, response.content
    return WebhookDelivery.objects.order_by("-pk").first()


def guest(name: str = "候補 花子", key: str = "guest-uuid-1", email: str = "hanako@candidate.example") -> dict:
    # A guest is not signed in to Zoom: participant.id is empty (NOTES section 9).
    return {"id": "", "user_id": "16778240", "user_name": name, "participant_uuid": key, "email": email}


def interviewer(user: User, key: str) -> dict:
    return {"id": user.zoom_user.zoom_user_id, "user_name": user.display_name, "participant_uuid": key, "email": ""}


@pytest.fixture
def interview(company, connected, alice, bob, installer, zoom, django_capture_on_commit_callbacks):
    ZoomGrant.objects.update(
        scopes=["meeting:read:meeting", PARTICIPANT_SCOPE], expires_at=datetime(2040, 1, 1, tzinfo=UTC)
    )
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob])
    mail.outbox.clear()
    return schedule


@pytest.fixture
def meeting(interview) -> ZoomMeeting:
    meeting = ZoomMeeting.objects.get(pk=interview.meeting_id)
    assert meeting.zoom_meeting_id is not None
    return meeting


def grace(meeting: ZoomMeeting) -> timedelta:
    return timedelta(seconds=meeting.company.waiting_grace_seconds)


def test_T37_a_guest_alone_past_the_grace_period_calls_the_host_alternates_and_creator_once(
    interview, meeting, alice, bob, installer, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start - timedelta(minutes=1)),
        )
    assert WaitingIncident.objects.count() == 0  # early is fine: the interview has not started

    with (
        time_machine.travel(start + grace(meeting) + timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        attendance_check_due()
        attendance_check_due()  # the next beat finds it done

    [incident] = WaitingIncident.objects.all()
    assert incident.cause == WaitingIncident.Cause.ALONE
    assert incident.is_open
    lines = Notification.objects.filter(key=f"waiting-guest:{incident.pk}")
    assert sorted(line.user_id for line in lines) == sorted([alice.pk, bob.pk, installer.pk])
    assert all(line.url == f"/schedules/{interview.pk}/" for line in lines)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([alice.email, bob.email, installer.email])
    host_mail = next(message for message in mail.outbox if message.to == [alice.email])
    assert "Start" in host_mail.body or "開始" in host_mail.body


def test_T37_an_interviewer_joining_in_time_means_no_alert(
    interview, meeting, bob, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start, tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start),
        )
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event(
                "meeting.participant_joined", meeting, who=interviewer(bob, "bob-1"), at=start + timedelta(seconds=30)
            ),
        )
    with time_machine.travel(start + grace(meeting) + timedelta(seconds=5), tick=False):
        attendance_check_due()

    assert WaitingIncident.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_T37_a_guest_in_the_waiting_room_is_reported_at_once_and_closed_when_an_interviewer_joins(
    interview, meeting, alice, client_for, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start - timedelta(minutes=3), tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event(
                "meeting.participant_joined_waiting_room", meeting, who=guest(), at=start - timedelta(minutes=3)
            ),
        )

    [incident] = WaitingIncident.objects.all()
    assert incident.cause == WaitingIncident.Cause.WAITING_ROOM
    page = client_for(alice).get(f"/schedules/{interview.pk}/").content.decode()
    assert 'id="waiting-guest"' in page
    assert 'id="rescue-start"' in page  # the host's own action: start as host

    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event(
                "meeting.participant_joined",
                meeting,
                who=interviewer(alice, "alice-1"),
                at=start - timedelta(minutes=1),
            ),
        )

    incident.refresh_from_db()
    assert not incident.is_open
    assert incident.waited_seconds == 120
    assert Notification.objects.filter(resolved_at__isnull=True).count() == 0
    page = client_for(alice).get(f"/schedules/{interview.pk}/").content.decode()
    assert 'id="waiting-guest"' not in page
    assert 'class="muted waited"' in page


def test_T37_an_email_like_the_hosts_never_closes_the_incident(
    interview, meeting, alice, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start, tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined_waiting_room", meeting, who=guest(), at=start),
        )
        impostor = guest(name=alice.display_name, key="guest-uuid-2", email=alice.zoom_user.email)
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=impostor, at=start + timedelta(seconds=10)),
        )

    assert WaitingIncident.objects.get().is_open
    assert Participation.objects.filter(role=Participation.Role.PERSON).count() == 0


def test_T37_the_same_event_resent_in_another_body_counts_once(
    interview, meeting, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    event = participant_event("meeting.participant_joined_waiting_room", meeting, who=guest(), at=start)
    with time_machine.travel(start, tick=False):
        deliver(client, django_capture_on_commit_callbacks, event)
        resent = json.loads(json.dumps(event))
        resent["event_ts"] += 5000  # Zoom's retry carries a new envelope
        again = deliver(client, django_capture_on_commit_callbacks, resent)

    assert again.result == WebhookDelivery.Result.IN_SYNC
    assert WaitingIncident.objects.count() == 1
    assert Participation.objects.count() == 1


def test_T37_a_leave_that_arrives_before_its_join_leaves_the_right_state(
    interview, meeting, alice, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_left", meeting, who=guest(), at=start + timedelta(minutes=20)),
        )
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start + timedelta(minutes=1)),
        )

    row = Participation.objects.get()
    assert not row.is_inside
    assert row.first_joined_at == start + timedelta(minutes=1)
    assert WaitingIncident.objects.count() == 0  # the guest had already gone


def test_T37_events_of_a_meeting_we_did_not_make_are_dropped_on_arrival(
    interview, meeting, client, django_capture_on_commit_callbacks
):
    foreign = participant_event("meeting.participant_joined", meeting, who=guest(), at=meeting.start_time)
    foreign["payload"]["object"]["id"] = "88888888888"

    delivery = deliver(client, django_capture_on_commit_callbacks, foreign)

    assert delivery.payload == {}
    assert delivery.result == WebhookDelivery.Result.UNKNOWN_MEETING
    assert Participation.objects.count() == 0


def test_T37_each_event_costs_constant_work_in_a_burst(interview, meeting, client, django_capture_on_commit_callbacks):
    start = meeting.start_time
    counts = []
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        for n in range(60):
            event = participant_event(
                "meeting.participant_joined",
                meeting,
                who=guest(name=f"参加者 {n}", key=f"p-{n}"),
                at=start - timedelta(minutes=5),
            )
            with CaptureQueriesContext(connection) as context:
                deliver(client, django_capture_on_commit_callbacks, event)
            counts.append(len(context.captured_queries))

    assert Participation.objects.count() == 60
    assert max(counts[10:]) <= max(counts[:10])  # the 60th event costs what the 10th did


def test_T37_the_outcome_after_the_meeting(interview, meeting, alice, client, django_capture_on_commit_callbacks):
    start = meeting.start_time
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start),
        )
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=interviewer(alice, "a-1"), at=start),
        )
        ended = {"event": "meeting.ended", "event_ts": int((start + timedelta(minutes=15)).timestamp() * 1000)}
        document = participant_event("meeting.participant_left", meeting, who=guest(), at=start + timedelta(minutes=15))
        document.update(ended)
        document["payload"]["object"]["end_time"] = iso(start + timedelta(minutes=15))
        deliver(client, django_capture_on_commit_callbacks, document)

    attendance = MeetingAttendance.objects.get(meeting=meeting)
    assert attendance.outcome == MeetingAttendance.Outcome.ENDED_EARLY  # 15 of 60 minutes


def test_T37_no_guest_at_all_by_the_due_time_is_no_incident(interview, meeting):
    with time_machine.travel(meeting.start_time + grace(meeting) + timedelta(seconds=1), tick=False):
        assert attendance_check_due() == 1
    assert WaitingIncident.objects.count() == 0


def test_T38_a_grant_without_the_participant_scope_keeps_working_and_says_so_once(
    interview, meeting, alice, company, django_capture_on_commit_callbacks
):
    ZoomGrant.objects.filter(pk=meeting.host_grant_id).update(scopes=["meeting:read:meeting"])
    with time_machine.travel(meeting.start_time + grace(meeting) + timedelta(seconds=1), tick=False):
        attendance_check_due()
        attendance_check_due()

    attendance = MeetingAttendance.objects.get(meeting=meeting)
    assert attendance.rescue is False
    owner_lines = Notification.objects.filter(user=alice, key=f"zoom-scope:{meeting.host_grant_id}")
    assert owner_lines.count() == 1
    assert owner_lines.get().url == "/accounts/zoom/"
    admins = User.objects.filter(company=company, role=User.Role.ADMIN)
    assert (
        Notification.objects.filter(user__in=admins, key=f"zoom-scope:{meeting.host_grant_id}").count()
        == admins.count()
    )
    assert meeting.status == ZoomMeeting.Status.CREATED  # the meeting itself is untouched


def test_participant_details_are_removed_after_the_retention_period(
    interview, meeting, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start, tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined_waiting_room", meeting, who=guest(), at=start),
        )

    assert attendance_purge(now=start + timedelta(days=30)) == 0
    assert attendance_purge(now=start + timedelta(days=91)) == 1

    assert Participation.objects.count() == 0
    assert WaitingIncident.objects.get().guest_name == ""


def test_the_stored_participant_events_lose_their_bodies_with_the_retention_period(
    interview, meeting, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start, tick=False):
        joined = deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start),
        )
    with time_machine.travel(start + timedelta(days=60), tick=False):
        recent = deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_left", meeting, who=guest(), at=start + timedelta(days=60)),
        )

    attendance_purge(now=start + timedelta(days=91))

    joined.refresh_from_db()
    recent.refresh_from_db()
    assert joined.payload == {}
    assert (joined.event, joined.result, joined.body_hash) != ("", "", "")  # the record of it stays
    assert recent.payload["object"]["participant"]["user_name"] == "候補 花子"


def test_support_staff_see_attendance_and_events_without_the_guests_e_mail(
    interview, meeting, alice, client, support_client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start, tick=False):
        delivery = deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start),
        )
    attendance = MeetingAttendance.objects.get(meeting=meeting)

    pages = [
        support_client.get(reverse("admin:zoom_meetingattendance_changelist")),
        support_client.get(reverse("admin:zoom_meetingattendance_change", args=[attendance.pk])),
        support_client.get(reverse("admin:zoom_webhookdelivery_change", args=[delivery.pk])),
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert "候補 花子" in pages[1].content.decode()  # the name Zoom reported
    assert "guest-uuid-1" in pages[2].content.decode()  # the body, with its participant, is shown
    for page in pages:
        assert "hanako@candidate.example" not in page.content.decode()


def jbh_event(name: str, meeting: ZoomMeeting, *, user_name: str, at: datetime) -> dict:
    """The join-before-host events say only who (id and name): no participant uuid, no time."""
    return {
        "event": name,
        "event_ts": int(at.timestamp() * 1000),
        "payload": {
            "account_id": "acct_sched_0000001",
            "object": {
                # jbh_waiting_left's id is typed as a number in Zoom's event types; the others as a string.
                "id": meeting.zoom_meeting_id if name.endswith("waiting_left") else str(meeting.zoom_meeting_id),
                "uuid": "instance-1==",
                "host_id": meeting.host_zoom_user_id,
                "participant": {"id": "", "user_name": user_name},
            },
        },
    }


def test_T37_a_guest_who_waited_for_the_host_and_then_joined_is_one_participant(
    interview, meeting, alice, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        for document in (
            jbh_event(
                "meeting.participant_jbh_waiting", meeting, user_name="候補 花子", at=start - timedelta(minutes=2)
            ),
            participant_event("meeting.participant_joined", meeting, who=interviewer(alice, "a-1"), at=start),
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start),
            # Zoom's jbh_waiting_left arriving after the guest's join (out of order) finds the same row.
            jbh_event("meeting.participant_jbh_waiting_left", meeting, user_name="候補 花子", at=start),
        ):
            deliver(client, django_capture_on_commit_callbacks, document)

    [row] = Participation.objects.filter(role=Participation.Role.GUEST)
    assert row.name == "候補 花子"
    assert row.waiting_since == start - timedelta(minutes=2)
    assert row.first_joined_at == start
    assert not row.is_waiting


def test_T37_an_interviewer_who_looked_in_early_and_left_does_not_keep_the_guest_company(
    interview, meeting, alice, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start - timedelta(minutes=9), tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event(
                "meeting.participant_joined", meeting, who=interviewer(alice, "a-1"), at=start - timedelta(minutes=10)
            ),
        )
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event(
                "meeting.participant_left", meeting, who=interviewer(alice, "a-1"), at=start - timedelta(minutes=9)
            ),
        )
    with time_machine.travel(start, tick=False):
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start),
        )
    with (
        time_machine.travel(start + grace(meeting) + timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        attendance_check_due()

    [incident] = WaitingIncident.objects.all()
    assert incident.cause == WaitingIncident.Cause.ALONE
    assert incident.is_open


def test_T37_interviewers_leaving_before_the_guest_at_the_end_is_no_incident(
    interview, meeting, alice, client, django_capture_on_commit_callbacks
):
    start = meeting.start_time
    with time_machine.travel(start, tick=False):
        for document in (
            participant_event("meeting.participant_joined", meeting, who=guest(), at=start),
            participant_event("meeting.participant_joined", meeting, who=interviewer(alice, "a-1"), at=start),
        ):
            deliver(client, django_capture_on_commit_callbacks, document)
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        # "End meeting for all": the host's leave comes first, the guest's a moment later.
        deliver(
            client,
            django_capture_on_commit_callbacks,
            participant_event(
                "meeting.participant_left", meeting, who=interviewer(alice, "a-1"), at=start + timedelta(minutes=45)
            ),
        )
        attendance_check_due()

    assert WaitingIncident.objects.count() == 0
    assert Notification.objects.count() == 0


def test_T38_a_meeting_whose_grant_cannot_see_participants_ends_without_a_no_show(
    interview, meeting, client, django_capture_on_commit_callbacks
):
    ZoomGrant.objects.filter(pk=meeting.host_grant_id).update(scopes=["meeting:read:meeting"])
    start = meeting.start_time
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        ended = participant_event("meeting.participant_left", meeting, who=guest(), at=start + timedelta(minutes=60))
        ended["event"] = "meeting.ended"
        ended["payload"]["object"].pop("participant")
        ended["payload"]["object"]["end_time"] = iso(start + timedelta(minutes=60))
        deliver(client, django_capture_on_commit_callbacks, ended)

    attendance = MeetingAttendance.objects.get(meeting=meeting)
    # Zoom never told this grant who came: "the candidate did not join" would be a guess.
    assert attendance.outcome == MeetingAttendance.Outcome.NONE
    assert attendance.rescue is False
    assert attendance.ended_at == start + timedelta(minutes=60)
