"""Invitations through a real Celery worker on Redis to a real SMTP server (aiosmtpd), with Zoom played
by the emulator over HTTP: RELIABILITY T34 (SMTP down, slow, refusing an address; the broker down after
the change committed; the worker killed mid-send) and T35 (a run of changes with failures between,
read back in order with the icalendar library).

The worker runs on a queue of its own (HERP_TEST_QUEUE: what it queues itself comes back to it) with
a short lease and backoff for invitations, and sends through the test's SMTP server. The tests wait by
polling with a deadline, never by sleeping a fixed time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from herp.celery import app
from herp.models import Company, User
from scheduling.invitations.delivery import invitations_sweep
from scheduling.invitations.models import InvitationMessage
from scheduling.invitations.tasks import invitation_send_task
from scheduling.models import InterviewSchedule
from scheduling.services import ScheduleData, schedule_cancel, schedule_create, schedule_update
from tests.helpers import wait_for
from tests.smtp import SmtpServer
from tests.unit.invitations.mailbox import Received, final_events, parse
from zoom import services as zoom_services
from zoom.models import ZoomMeeting

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])

R1, R2, ADMIN = "recruiter1@demo.example", "recruiter2@demo.example", "admin@demo.example"
CANDIDATE = "hanako@candidate.example"
LEASE_SECONDS = 2.0
T = TypeVar("T")


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def worker(celery_worker_factory, smtp, monkeypatch):
    """A worker that sends through the test's SMTP server (2 s timeout), on a queue of its own that this
    process publishes to as well; ``worker.restart()`` starts another on the same queue."""
    queue = f"test-invitations-{uuid.uuid4().hex[:10]}"

    def start():
        return celery_worker_factory(
            lease_seconds=LEASE_SECONDS,
            queue=queue,
            env={
                "HERP_TEST_EMAIL_URL": smtp.url,
                "HERP_TEST_EMAIL_TIMEOUT": "2",
                "HERP_TEST_INVITATION_LEASE_SECONDS": str(LEASE_SECONDS),
                "HERP_TEST_INVITATION_BACKOFF_SECONDS": "1",
                "HERP_TEST_QUEUE": queue,
            },
        )

    handle = start()
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    handle.restart = start  # type: ignore[attr-defined]
    return handle


def user(email: str) -> User:
    return User.objects.get(email=email)


def data(title: str, participants: list[User], *, starts_in_days: int = 10, **extra) -> ScheduleData:
    start = (timezone.localtime() + timedelta(days=starts_in_days)).replace(hour=10, minute=0, second=0, microsecond=0)
    values = {
        "title": title,
        "starts_at": start,
        "duration_minutes": 45,
        "timezone": "Asia/Tokyo",
        "location": InterviewSchedule.Location.ZOOM,
        "participants": participants,
        "new_candidate_name": "山田 花子",
        "new_candidate_email": CANDIDATE,
    }
    values.update(extra)
    return ScheduleData(**values)


def same(schedule: InterviewSchedule, participants: list[User], **changes) -> ScheduleData:
    schedule.refresh_from_db()
    values = {
        "starts_at": schedule.starts_at,
        "candidate": schedule.candidate,
        "new_candidate_name": "",
        "new_candidate_email": "",
    }
    values.update(changes)
    return data(schedule.title, participants, **values)


def received(smtp: SmtpServer) -> list[Received]:
    return [parse(raw) for raw in smtp.messages()]


def rows_settled(schedule_pk: int, count: int) -> Callable[[], list[InvitationMessage] | None]:
    def check() -> list[InvitationMessage] | None:
        rows = list(InvitationMessage.objects.filter(schedule_id=schedule_pk))
        if len(rows) < count or any(row.is_pending for row in rows):
            return None
        return rows

    return check


def sweep_until(check: Callable[[], T], *, timeout: float = 45.0, what: str) -> T:
    """Beat's job, played by the test, with the sweeper's "untouched for" age matching the short lease."""

    def swept() -> T:
        invitations_sweep(stale_after=timedelta(seconds=LEASE_SECONDS))
        return check()

    return wait_for(swept, timeout=timeout, what=what)


def test_T34_each_person_gets_one_invitation_through_the_worker_and_a_real_smtp_server(zoom_linked, worker, smtp):
    zoom_linked(R1, R2)
    schedule = schedule_create(company=Company.objects.get(), by=user(R1), data=data("T34 面接", [user(R1), user(R2)]))

    rows = wait_for(rows_settled(schedule.pk, 3), what="three invitations")

    assert {row.status for row in rows} == {"sent"}
    mails = smtp.wait_for(lambda messages: len(messages) >= 3, what="three mails")
    assert len(mails) == 3
    by_address = {mail.to: mail for mail in received(smtp)}
    assert set(by_address) == {CANDIDATE, R1, R2}
    meeting = ZoomMeeting.objects.get(pk=InterviewSchedule.objects.get(pk=schedule.pk).meeting_id)
    for mail in by_address.values():
        assert (mail.method, mail.mime_method, mail.sequence) == ("REQUEST", "REQUEST", 0)
        assert mail.location == meeting.join_url
        assert mail.attendees == [mail.to]
    assert len({mail.uid for mail in by_address.values()}) == 1


def test_T34_a_mail_server_that_is_down_then_back_loses_nothing_and_sends_each_once(zoom_linked, worker, smtp):
    zoom_linked(R1)
    smtp.stop()
    schedule = schedule_create(company=Company.objects.get(), by=user(R1), data=data("T34 down", [user(R1)]))
    wait_for(
        lambda: InvitationMessage.objects.filter(schedule_id=schedule.pk, attempts__gte=2).count() == 2,
        what="the worker to fail and retry against the stopped server",
    )
    assert not InvitationMessage.objects.filter(schedule_id=schedule.pk, status="sent").exists()
    row = InvitationMessage.objects.filter(schedule_id=schedule.pk).first()
    assert row.failure == "server_unreachable"

    smtp.start()

    rows = sweep_until(rows_settled(schedule.pk, 2), what="the retries to reach the server")
    assert {row.status for row in rows} == {"sent"}
    assert sorted(mail.to for mail in received(smtp)) == sorted([CANDIDATE, R1])


def test_T34_a_slow_mail_server_costs_a_retry_and_sends_each_once(zoom_linked, worker, smtp):
    zoom_linked(R1)
    smtp.behaviour.slow_mail_seconds = 3.0  # beyond the worker's 2 s timeout
    schedule = schedule_create(company=Company.objects.get(), by=user(R1), data=data("T34 slow", [user(R1)]))
    wait_for(
        lambda: InvitationMessage.objects.filter(schedule_id=schedule.pk, attempts__gte=1, status="queued").exists(),
        what="a timeout",
    )
    smtp.behaviour.slow_mail_seconds = 0.0

    rows = sweep_until(rows_settled(schedule.pk, 2), what="the retries")

    assert {row.status for row in rows} == {"sent"}
    assert max(row.attempts for row in rows) >= 2
    assert sorted(mail.to for mail in received(smtp)) == sorted([CANDIDATE, R1])


def test_T34_a_refused_address_fails_visibly_with_the_reason_and_the_others_are_sent(
    zoom_linked, worker, smtp, browser_for
):
    browsers = zoom_linked(R1)
    smtp.behaviour.refuse = {CANDIDATE}
    schedule = schedule_create(company=Company.objects.get(), by=user(R1), data=data("T34 refused", [user(R1)]))

    rows = wait_for(rows_settled(schedule.pk, 2), what="both messages to settle")

    status = {row.recipient_kind: row for row in rows}
    assert status["participant"].status == "sent"
    failed = status["candidate"]
    assert (failed.status, failed.failure, failed.attempts) == ("failed", "recipient_refused", 1)
    assert "550" in failed.last_error
    assert '"event": "invitations.failed"' in worker.log()
    assert [mail.to for mail in received(smtp)] == [R1]
    page = browsers[R1].get(f"/schedules/{schedule.pk}/")
    assert 'data-status="failed"' in page.html
    assert "550 5.1.1 No such user here" in page.html


def test_T34_a_broker_outage_after_the_change_committed_loses_nothing(zoom_linked, worker, smtp, monkeypatch):
    zoom_linked(R1)
    schedule = schedule_create(company=Company.objects.get(), by=user(R1), data=data("T34 broker", [user(R1)]))
    wait_for(rows_settled(schedule.pk, 2), what="the invitations")

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(invitation_send_task, "apply_async", broker_down)
    schedule_update(
        schedule=schedule, data=same(schedule, [user(R1)], starts_at=schedule.starts_at + timedelta(hours=2))
    )
    queued = InvitationMessage.objects.filter(schedule_id=schedule.pk, kind="update")
    assert queued.count() == 2
    assert {row.status for row in queued} == {"queued"}
    monkeypatch.undo()
    monkeypatch.setitem(app.conf, "task_default_queue", worker.queue)

    rows = sweep_until(rows_settled(schedule.pk, 4), what="the sweeper to queue the updates again")

    assert {row.status for row in rows} == {"sent"}
    updates = [mail for mail in received(smtp) if mail.sequence == 1]
    assert sorted(mail.to for mail in updates) == sorted([CANDIDATE, R1])


def test_T34_a_worker_killed_mid_send_sends_the_same_event_again_and_nothing_is_lost(zoom_linked, worker, smtp):
    zoom_linked(R1)
    # The next message is stored by the server, which then waits before saying so: the worker is killed then.
    smtp.behaviour.hang_after_accept_seconds = 30.0
    schedule = schedule_create(company=Company.objects.get(), by=user(R1), data=data("T34 kill", [user(R1)]))
    smtp.wait_for(lambda messages: len(messages) >= 1, what="the first message to reach the server")
    sending = wait_for(
        lambda: InvitationMessage.objects.filter(schedule_id=schedule.pk, status="sending").first(),
        what="the worker to be in the middle of a send",
    )
    worker.kill()

    replacement = worker.restart()
    rows = sweep_until(rows_settled(schedule.pk, 2), timeout=60, what="the replacement worker to finish")

    assert {row.status for row in rows} == {"sent"}
    mails = received(smtp)
    copies = [mail for mail in mails if mail.to == sending.email]
    assert len(copies) == 2  # a duplicate, and only after the crash mid-send
    assert copies[0].ics == copies[1].ics  # the same UID, SEQUENCE and DTSTAMP: calendars merge it
    assert sorted({mail.to for mail in mails}) == sorted([CANDIDATE, R1])
    assert replacement.process.poll() is None


def test_T35_every_calendar_ends_right_after_a_run_of_changes_with_failures_between(
    zoom_linked, worker, smtp, monkeypatch
):
    zoom_linked(R1, R2)
    company = Company.objects.get()
    r1, r2, admin = user(R1), user(R2), user(ADMIN)
    r3 = user("recruiter3@demo.example")
    schedule = schedule_create(company=company, by=r1, data=data("T35 面接", [r1, r2, admin]))
    wait_for(rows_settled(schedule.pk, 4), what="the invitations")

    # Move, while the mail server is down for a moment.
    smtp.stop()
    schedule_update(
        schedule=schedule, data=same(schedule, [r1, r2, admin], starts_at=schedule.starts_at + timedelta(days=1))
    )
    wait_for(lambda: InvitationMessage.objects.filter(schedule_id=schedule.pk, kind="update", attempts__gte=1).exists())
    smtp.start()
    sweep_until(rows_settled(schedule.pk, 8), what="the move's updates")

    # Host change: R1 unlinks, the interview is re-hosted by R2 with a new meeting (and a new URL).
    zoom_services.zoom_user_unlink(user=r1)
    sweep_until(
        lambda: (
            InterviewSchedule.objects.get(pk=schedule.pk).meeting.host_user_id == r2.pk
            and rows_settled(schedule.pk, 12)()
        ),
        what="the new URL to go out",
    )

    # A participant removed and another added, while the broker refuses this process's messages.
    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(invitation_send_task, "apply_async", broker_down)
    schedule_update(schedule=schedule, data=same(schedule, [r1, r2, r3]))
    monkeypatch.undo()
    monkeypatch.setitem(app.conf, "task_default_queue", worker.queue)
    sweep_until(rows_settled(schedule.pk, 15), what="the removal, the addition and the candidate's update")

    # Move again, while the mail server answers 4xx for a while.
    smtp.behaviour.busy = 2
    final_start = schedule.starts_at + timedelta(days=2, hours=3)
    schedule_update(schedule=schedule, data=same(schedule, [r1, r2, r3], starts_at=final_start))
    sweep_until(rows_settled(schedule.pk, 19), what="the last move's updates")

    meeting = InterviewSchedule.objects.get(pk=schedule.pk).meeting
    mails = received(smtp)
    held = final_events(mails)
    current = {CANDIDATE, R1, R2, r3.email}
    for address in current:
        [event] = held[address].values()
        assert event is not None, address
        assert event.start == final_start
        assert event.location == meeting.join_url
    assert list(held[ADMIN].values()) == [None]  # removed: the event is gone from their calendar
    assert len({mail.uid for mail in mails}) == 1

    schedule_cancel(schedule=schedule)
    sweep_until(rows_settled(schedule.pk, 23), what="the cancellations")

    mails = received(smtp)
    for address, events in final_events(mails).items():
        assert list(events.values()) == [None], address
    for address in current | {ADMIN}:
        versions = [mail.sequence for mail in mails if mail.to == address]
        assert versions == sorted(set(versions)), f"{address} got {versions}"
        last = [mail for mail in mails if mail.to == address][-1]
        assert (last.method, last.mime_method) == ("CANCEL", "CANCEL")
