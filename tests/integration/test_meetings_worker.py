"""Issue 5 end to end on the integration tier: schedules saved through HERP's pages (or its services)
become Zoom meetings made by a real `celery worker` on Redis, against the emulator over real HTTP.

Nothing is faked: the company connects and people link through the emulated Zoom's screens, the
worker is a subprocess with its own database connections, and what Zoom has is read from the
emulator's own tables and call log. The tests wait for the worker by polling the database with a
deadline (``wait_for``), never by sleeping a fixed time.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from herp.models import Company, User
from scheduling.models import InterviewSchedule
from scheduling.services import ScheduleData, schedule_create, schedule_update
from tests.browser import Browser
from zoom.meetings.lease import MAX_ATTEMPTS
from zoom.meetings.sweep import meetings_sweep
from zoom.models import ZoomMeeting, ZoomUser
from zoom.tasks import meeting_reconcile_task
from zoom_emulator import calllog, faults
from zoom_emulator import meetings as zoom_side

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])

R1 = "recruiter1@demo.example"
R2 = "recruiter2@demo.example"
TOKYO = ZoneInfo("Asia/Tokyo")
T = TypeVar("T")


def wait_for(check: Callable[[], T], *, timeout: float = 30.0, what: str = "the worker") -> T:
    """Poll ``check`` until it returns something truthy, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def meeting_settled(schedule_pk: int, *, status: str, revision: int | None = None) -> Callable[[], ZoomMeeting | None]:
    def check() -> ZoomMeeting | None:
        meeting = ZoomMeeting.objects.filter(interview_schedule__pk=schedule_pk).first()
        if meeting is None or meeting.status != status:
            return None
        if revision is not None and meeting.synced_revision < revision:
            return None
        return meeting

    return check


def user(email: str) -> User:
    return User.objects.get(email=email)


def submit_schedule_form(browser: Browser, values: list[tuple[str, str]]) -> Browser:
    """Fill and submit the page's #schedule-form as a browser would: its hidden fields (CSRF) and the
    values given (selects and several checked participants, which tests/browser.py cannot choose)."""
    form = next(form for form in browser.forms() if form.attrs.get("id") == "schedule-form")
    names = {name for name, _value in values}
    fields = [(name, value) for name, value in form.fields if name not in names] + values
    action = urljoin(browser.url, form.action or browser.url)
    browser.response = browser.session.post(action, data=fields, headers={"Referer": browser.url}, timeout=15)
    return browser


def schedule_values(*, title: str, local_start: str, participants: list[User]) -> list[tuple[str, str]]:
    return [
        ("candidate", ""),
        ("new_candidate_name", "候補 太郎"),
        ("new_candidate_email", "taro@candidate.example"),
        ("title", title),
        ("starts_at", local_start),
        ("timezone", "Asia/Tokyo"),
        ("duration_minutes", "45"),
        ("location", InterviewSchedule.Location.ZOOM),
        *(("participants", str(person.pk)) for person in participants),
    ]


def schedule_pk_from(browser: Browser) -> int:
    match = re.search(r"/schedules/(\d+)/$", browser.url)
    assert match, f"not on a schedule's page: {browser.url} ({browser.status})"
    return int(match.group(1))


def create_calls() -> list[Any]:
    return [call for call in calllog.calls("meetings.create") if call.method == "POST"]


# --- Create, move and cancel through the pages, with the session's worker ---------------------------


def test_a_zoom_interview_is_created_moved_and_cancelled_at_zoom_by_the_worker(
    celery_worker_process, zoom_linked, browser_for
):
    # recruiter2 links first, so the rule (smallest link id) picks recruiter2 although recruiter1 saves.
    browsers = zoom_linked(R2, R1)
    recruiter1 = browsers[R1]
    r1, r2 = user(R1), user(R2)
    host_link, other_link = ZoomUser.objects.filter(user__in=[r1, r2]).order_by("pk")
    assert host_link.user == r2

    # Before saving, the form's panel says who will host and why (the page's JS asks this URL).
    recruiter1.get(f"/schedules/host-preview/?participants={r1.pk}&participants={r2.pk}")
    preview = recruiter1.response.json()["html"]
    assert 'data-host-reason="smallest_link_id"' in preview
    assert host_link.email in preview
    assert other_link.email in preview

    day = (timezone.now() + timedelta(days=14)).astimezone(TOKYO).date()
    recruiter1.get("/schedules/new/")
    submit_schedule_form(
        recruiter1, schedule_values(title="一次面接", local_start=f"{day}T10:00", participants=[r1, r2])
    )
    schedule_pk = schedule_pk_from(recruiter1)

    meeting = wait_for(meeting_settled(schedule_pk, status="created"), what="the meeting to be created")
    assert meeting.host_zoom_user_id == host_link.zoom_user_id
    assert meeting.alternative_hosts == [other_link.email]
    assert "?pwd=" in meeting.join_url
    at_zoom = zoom_side.meetings_of(host_link.email)
    assert [m.meeting_id for m in at_zoom] == [meeting.zoom_meeting_id]
    assert at_zoom[0].settings["alternative_hosts"] == other_link.email
    assert zoom_side.meetings_of(other_link.email) == []
    assert len(create_calls()) == 1
    recruiter1.get(f"/schedules/{schedule_pk}/")
    assert 'id="join-url"' in recruiter1.html
    assert meeting.join_url.replace("&", "&amp;") in recruiter1.html
    assert host_link.email in recruiter1.html
    assert other_link.email in recruiter1.html

    # Moved by a day and an hour: the same Zoom meeting, with the new start.
    recruiter1.get(f"/schedules/{schedule_pk}/edit/")
    submit_schedule_form(
        recruiter1,
        schedule_values(title="一次面接", local_start=f"{day + timedelta(days=1)}T11:00", participants=[r1, r2]),
    )
    assert schedule_pk_from(recruiter1) == schedule_pk
    revision = ZoomMeeting.objects.get(pk=meeting.pk).revision
    moved = wait_for(meeting_settled(schedule_pk, status="created", revision=revision), what="the move")
    assert moved.pk == meeting.pk
    assert moved.zoom_meeting_id == meeting.zoom_meeting_id
    expected_start = datetime(day.year, day.month, day.day, 11, 0, tzinfo=TOKYO) + timedelta(days=1)
    assert zoom_side.get_meeting(meeting.zoom_meeting_id).start_time == expected_start
    assert len(create_calls()) == 1

    # Cancelled: deleted at Zoom.
    recruiter1.get(f"/schedules/{schedule_pk}/cancel/").press(button_id="schedule-cancel-confirm")
    wait_for(meeting_settled(schedule_pk, status="deleted"), what="the deletion")
    assert zoom_side.get_meeting(meeting.zoom_meeting_id) is None
    assert zoom_side.get_meeting(meeting.zoom_meeting_id, include_deleted=True).deleted_at is not None
    assert zoom_side.meetings_of(host_link.email) == []


# --- T19: one meeting however often it is queued ------------------------------------------------------


def data_for(title: str, participants: list[User]) -> ScheduleData:
    return ScheduleData(
        title=title,
        starts_at=timezone.now() + timedelta(days=7),
        duration_minutes=30,
        timezone="Asia/Tokyo",
        location=InterviewSchedule.Location.ZOOM,
        participants=participants,
        new_candidate_name="候補 花子",
    )


def route_reconciles_to(monkeypatch, queue: str) -> list[str]:
    """Queue this process's reconcile tasks (on commit, and the sweeper's) on a test worker's own queue;
    returns the ids of the messages sent."""
    sent: list[str] = []

    def send(meeting_id: int) -> None:
        sent.append(meeting_reconcile_task.apply_async(args=[meeting_id], queue=queue).id)

    monkeypatch.setattr(meeting_reconcile_task, "delay", send)
    return sent


def task_outcomes(worker, task_id: str) -> list[str]:
    return re.findall(rf"zoom\.meeting_reconcile\[{task_id}\] succeeded in [\d.]+s: '(\w+)'", worker.log())


def test_T19_a_meeting_queued_three_times_at_once_and_redelivered_is_created_once(
    celery_worker_factory, zoom_linked, monkeypatch
):
    zoom_linked(R1, R2)
    worker = celery_worker_factory(concurrency=4)
    # The create answers slowly, so the first task still holds the lease when the others arrive.
    faults.delay(1500, endpoint="meetings.create")
    monkeypatch.setattr(meeting_reconcile_task, "delay", lambda meeting_id: None)  # the test queues, below
    schedule = schedule_create(
        company=Company.objects.get(), by=user(R1), data=data_for("T19 面接", [user(R1), user(R2)])
    )
    meeting_id = schedule.meeting_id

    barrier = threading.Barrier(3)
    task_ids: list[str] = []

    def enqueue() -> None:
        barrier.wait(timeout=5)
        task_ids.append(meeting_reconcile_task.apply_async(args=[meeting_id], queue=worker.queue).id)

    threads = [threading.Thread(target=enqueue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(task_ids) == 3
    # What an acks_late redelivery looks like to a worker: the same message (same task id) again.
    meeting_reconcile_task.apply_async(args=[meeting_id], queue=worker.queue, task_id=task_ids[0])

    meeting = wait_for(meeting_settled(schedule.pk, status="created"), what="the meeting")

    def finished() -> list[str]:
        found = sorted(outcome for tid in set(task_ids) for outcome in task_outcomes(worker, tid))
        return found if len(found) == 4 else []

    outcomes = wait_for(finished, what="all four deliveries to finish")
    assert outcomes == ["done", "skipped", "skipped", "skipped"]
    assert [(call.method, call.status_code) for call in create_calls()] == [("POST", 201)]
    host = ZoomUser.objects.filter(user__in=[user(R1), user(R2)]).order_by("pk").first()
    assert [m.meeting_id for m in zoom_side.meetings_of(host.email)] == [meeting.zoom_meeting_id]


# --- T21: a worker killed mid-task; a task that always crashes its worker -----------------------------


LEASE_SECONDS = 2.0


def sweep_until(check: Callable[[], T], *, timeout: float, what: str) -> T:
    """Beat's job, played by the test: run the sweeper until ``check`` holds. The sweeper's "untouched
    for" age matches the workers' shortened lease (in production the lease, 5 min, is the longer)."""

    def swept() -> T:
        meetings_sweep(stale_after=timedelta(seconds=LEASE_SECONDS))
        return check()

    return wait_for(swept, timeout=timeout, what=what)


def test_T21_a_worker_killed_mid_create_is_replaced_and_the_meeting_is_made_once(
    celery_worker_factory, zoom_linked, monkeypatch
):
    zoom_linked(R1, R2)
    first = celery_worker_factory(lease_seconds=LEASE_SECONDS)
    route_reconciles_to(monkeypatch, first.queue)
    # Zoom takes 3 s to answer the create: the worker is killed while it waits.
    faults.delay(3000, endpoint="meetings.create")
    schedule = schedule_create(company=Company.objects.get(), by=user(R1), data=data_for("T21 面接", [user(R1)]))
    # The emulator uses the delay switch up when the request arrives: from then on the create is in flight.
    wait_for(lambda: not faults.active("meetings.create"), what="the create to reach Zoom")
    in_flight = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert in_flight.status == "creating"
    assert in_flight.create_sent_at is not None
    first.kill()
    assert first.process.returncode is not None

    # A new worker comes up (same queue, as a restarted one would), while the killed one's lease runs out.
    second = celery_worker_factory(lease_seconds=LEASE_SECONDS, queue=first.queue)
    # Zoom finished the create the killed worker asked for; nobody heard the answer.
    link = ZoomUser.objects.get(user__email=R1)
    made = wait_for(lambda: zoom_side.meetings_of(link.email), what="Zoom to finish the killed worker's create")
    assert len(made) == 1

    meeting = sweep_until(
        meeting_settled(schedule.pk, status="created"), timeout=30, what="the sweeper and the new worker"
    )
    assert meeting.zoom_meeting_id == made[0].meeting_id  # adopted by its marker, not made again
    assert meeting.attempts == 0
    assert meeting.claim_token == ""
    assert len(create_calls()) == 1
    assert [m.meeting_id for m in zoom_side.meetings_of(link.email)] == [meeting.zoom_meeting_id]
    assert f"Adopted Zoom meeting {meeting.zoom_meeting_id}" in second.log()


def test_T21_a_task_that_always_kills_its_worker_fails_after_bounded_attempts_and_the_queue_flows(
    celery_worker_factory, zoom_linked, browser_for, monkeypatch
):
    browsers = zoom_linked(R1)
    poison_topic = "T21 poison"
    worker = celery_worker_factory(lease_seconds=LEASE_SECONDS, poison_topic=poison_topic)
    route_reconciles_to(monkeypatch, worker.queue)
    company = Company.objects.get()
    poison = schedule_create(company=company, by=user(R1), data=data_for(poison_topic, [user(R1)]))

    failed = sweep_until(meeting_settled(poison.pk, status="failed"), timeout=60, what="the poison task to be given up")
    assert failed.failure == ZoomMeeting.Failure.GAVE_UP
    assert failed.last_error.startswith(f"Gave up after {MAX_ATTEMPTS} attempts.")
    assert failed.attempts == MAX_ATTEMPTS + 1  # the claim that gave up is counted too
    assert failed.zoom_meeting_id is None
    assert create_calls() == []
    assert worker.log().count("WorkerLostError") >= MAX_ATTEMPTS
    # The schedule's page says so, readably, with a Retry button.
    page = browsers[R1].get(f"/schedules/{poison.pk}/")
    assert 'id="meeting-error"' in page.html
    assert "Gave up after" in page.html
    assert 'id="meeting-retry"' in page.html

    # The same worker still makes other meetings.
    healthy = schedule_create(company=company, by=user(R1), data=data_for("T21 healthy", [user(R1)]))
    made = wait_for(meeting_settled(healthy.pk, status="created"), what="the next meeting")
    assert made.zoom_meeting_id is not None
    assert ZoomMeeting.objects.get(pk=failed.pk).status == "failed"


# --- T28: Zoom acted, then answered with an error ----------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_T28_three_creates_zoom_made_but_answered_with_an_error_end_with_one_meeting_each(
    status, celery_worker_factory, zoom_linked, monkeypatch
):
    zoom_linked(R1)
    worker = celery_worker_factory(concurrency=2, backoff_seconds=0.5)
    route_reconciles_to(monkeypatch, worker.queue)
    # The repro: Zoom makes each meeting, then answers 500 (or 503) instead of 201.
    faults.drop_after("meetings.create", times=3, status_code=status)
    company = Company.objects.get()
    schedules = [
        schedule_create(company=company, by=user(R1), data=data_for(f"T28 面接 {n}", [user(R1)])) for n in range(3)
    ]

    made = [wait_for(meeting_settled(s.pk, status="created"), timeout=45, what="the adoption") for s in schedules]

    link = ZoomUser.objects.get(user__email=R1)
    at_zoom = zoom_side.meetings_of(link.email)
    assert len(at_zoom) == 3
    for meeting in made:
        marker = f"herp-meeting:{meeting.uuid}"
        assert [m.meeting_id for m in at_zoom if marker in m.agenda] == [meeting.zoom_meeting_id]
    assert len(create_calls()) == 3  # each lost create was searched for and adopted, never sent again


def test_T28_a_move_whose_answer_was_lost_is_read_back_and_not_sent_again(
    celery_worker_factory, zoom_linked, monkeypatch
):
    zoom_linked(R1)
    worker = celery_worker_factory(backoff_seconds=0.5)
    route_reconciles_to(monkeypatch, worker.queue)
    company = Company.objects.get()
    schedule = schedule_create(company=company, by=user(R1), data=data_for("T28 移動", [user(R1)]))
    created = wait_for(meeting_settled(schedule.pk, status="created"), what="the create")

    faults.drop_after("meetings.update", times=1, status_code=502)
    later = schedule.starts_at + timedelta(hours=3)
    moved_data = data_for("T28 移動", [user(R1)])
    schedule_update(
        schedule=schedule,
        data=ScheduleData(**{**moved_data.__dict__, "starts_at": later, "candidate": schedule.candidate}),
    )

    revision = ZoomMeeting.objects.get(pk=created.pk).revision
    moved = wait_for(meeting_settled(schedule.pk, status="created", revision=revision), timeout=45, what="the move")
    assert zoom_side.get_meeting(moved.zoom_meeting_id).start_time == later.replace(microsecond=0)
    updates = [call for call in calllog.calls("meetings.update") if call.method == "PATCH"]
    assert len(updates) == 1
