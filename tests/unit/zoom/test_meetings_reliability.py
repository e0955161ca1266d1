"""RELIABILITY T19-T24 on SQLite with a fake Zoom: the lease, lost answers, rate limits and bounded
retries, enqueue on commit and the sweeper, cancel racing a create, and the grant's signals.
The same scenarios run with a real worker on PostgreSQL and Redis in the integration tier."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from integrations import grants, signals
from integrations.models import LossReason, ZoomGrant
from scheduling.services import schedule_cancel, schedule_create
from tests import flows
from tests.helpers import in_days
from zoom.meetings import desired as meetings_desired
from zoom.meetings import lease as meetings_lease
from zoom.meetings import reconcile as meetings_reconcile
from zoom.meetings import sweep as meetings_sweep
from zoom.meetings.lease import MAX_ATTEMPTS, Lease, LeaseLost
from zoom.meetings.reconcile import Outcome
from zoom.models import ZoomMeeting
from zoom.tasks import meeting_reconcile_task

Status = ZoomMeeting.Status


def reconcile(meeting: ZoomMeeting, token: str | None = None) -> meetings_reconcile.ReconcileResult:
    return meetings_reconcile.meeting_reconcile(meeting_id=meeting.pk, claim_token=token)


def reload(meeting: ZoomMeeting) -> ZoomMeeting:
    return ZoomMeeting.objects.get(pk=meeting.pk)


# --- T19: the lease --------------------------------------------------------------------------------


def test_T19_a_second_reconcile_on_a_claimed_row_is_a_no_op(connected, desired, zoom):
    meeting = desired()
    assert Lease.claim(meeting.pk, "worker-a")  # worker A holds the lease, mid-create

    results = [reconcile(meeting) for _ in range(3)]  # three more deliveries of the same task

    assert [r.outcome for r in results] == [Outcome.SKIPPED] * 3
    assert zoom.calls == []
    assert reload(meeting).claim_token == "worker-a"


def test_T19_the_holders_own_retry_carries_its_token_and_proceeds(connected, desired, zoom):
    meeting = desired()
    assert Lease.claim(meeting.pk, "worker-a")

    result = reconcile(meeting, token="worker-a")

    assert result.outcome == Outcome.DONE
    assert len(zoom.calls_to("POST")) == 1
    assert reload(meeting).status == Status.CREATED


def test_T19_enqueued_three_times_and_redelivered_makes_one_meeting(connected, desired, zoom):
    meeting = desired()

    outcomes = [reconcile(meeting).outcome for _ in range(3)]
    outcomes.append(meeting_reconcile_task.apply(args=[meeting.pk]).get())  # a redelivery, after the fact

    assert outcomes == [Outcome.DONE, Outcome.SKIPPED, Outcome.SKIPPED, Outcome.SKIPPED]
    assert len(zoom.calls_to("POST")) == 1
    assert reload(meeting).zoom_meeting_id is not None


def test_T19_an_expired_lease_can_be_taken_again(connected, desired, zoom):
    meeting = desired()
    assert Lease.claim(meeting.pk, "crashed-worker")

    with time_machine.travel(timezone.now() + meetings_lease.LEASE + timedelta(seconds=1)):
        result = reconcile(meeting)

    assert result.outcome == Outcome.DONE
    assert len(zoom.calls_to("POST")) == 1


def test_T19_a_worker_that_lost_its_lease_writes_nothing(connected, desired, zoom):
    meeting = desired()
    assert Lease.claim(meeting.pk, "slow-worker")
    # The slow worker's lease ran out and another took the row.
    ZoomMeeting.objects.filter(pk=meeting.pk).update(claim_token="other-worker")

    with pytest.raises(LeaseLost):
        Lease(meeting.pk, "slow-worker").creating()

    assert reload(meeting).status == Status.PENDING


# --- T20: unknown outcome ----------------------------------------------------------------------------


def test_T20_a_lost_create_answer_is_found_by_its_marker_and_adopted(connected, desired, zoom):
    meeting = desired()
    zoom.drop_next_create_answer = True

    first = reconcile(meeting)

    assert first.outcome == Outcome.RETRY
    assert reload(meeting).create_sent_at is not None
    assert len(zoom.alive()) == 1  # Zoom made it; we never heard

    second = reconcile(meeting, token=first.claim_token)

    assert second.outcome == Outcome.DONE
    assert len(zoom.calls_to("POST")) == 1  # no second meeting
    assert [c.method for c in zoom.calls[1:]] == ["GET", "GET"]  # list, then read the one found
    adopted = reload(meeting)
    assert adopted.status == Status.CREATED
    assert adopted.zoom_meeting_id == next(iter(zoom.alive()))
    assert adopted.join_url


def test_T20_when_zoom_cannot_be_searched_the_meeting_needs_attention_instead_of_a_blind_create(
    connected, desired, zoom, caplog
):
    meeting = desired()
    zoom.drop_next_create_answer = True
    first = reconcile(meeting)
    zoom.fail_next(
        "GET", "/users/me/meetings", 400, {"code": 4711, "message": "Invalid access token, does not contain scopes."}
    )

    with caplog.at_level(logging.ERROR, logger="herp.alerts"):
        second = reconcile(meeting, token=first.claim_token)

    assert second.outcome == Outcome.FAILED
    stuck = reload(meeting)
    assert stuck.status == Status.NEEDS_ATTENTION
    assert stuck.failure == ZoomMeeting.Failure.LOOKUP_IMPOSSIBLE
    assert "could not be searched" in stuck.last_error
    assert len(zoom.calls_to("POST")) == 1
    assert "zoom.meeting_failed" in caplog.text


def test_T20_retry_after_needs_attention_creates_once_the_person_checked_zoom(connected, desired, zoom):
    meeting = desired()
    zoom.drop_next_create_answer = True
    first = reconcile(meeting)
    zoom.fail_next("GET", "/users/me/meetings", 400, {"code": 4711, "message": "no scope"})
    reconcile(meeting, token=first.claim_token)
    zoom.meetings.clear()  # the person deleted the stray meeting in Zoom

    meetings_desired.meeting_retry(meeting=reload(meeting))
    assert reconcile(meeting).outcome == Outcome.DONE

    assert len(zoom.calls_to("POST")) == 2
    assert len(zoom.alive()) == 1


# --- T22: rate limits and errors ------------------------------------------------------------------


def test_T22_a_429_with_retry_after_seconds_retries_no_sooner(connected, desired, zoom):
    meeting = desired()
    zoom.fail_next(
        "POST", "/users/me/meetings", 429, {"code": 429, "message": "Too many requests."}, **{"Retry-After": "40"}
    )

    result = reconcile(meeting)

    assert result.outcome == Outcome.RETRY
    assert result.retry_in >= 40
    row = reload(meeting)
    assert row.status == Status.PENDING
    # The lease is kept through the wait, so the sweeper leaves the row to this retry.
    assert row.claimed_until > timezone.now() + timedelta(seconds=40)
    assert reconcile(meeting, token=result.claim_token).outcome == Outcome.DONE


def test_T22_the_task_retries_with_a_countdown_and_its_token(connected, desired, zoom):
    meeting = desired()
    zoom.fail_next("POST", "/users/me/meetings", 429, {"code": 429, "message": "Too many."}, **{"Retry-After": "2"})
    meeting_reconcile_task.push_request(retries=0, is_eager=False)
    try:
        with mock.patch.object(meeting_reconcile_task, "retry", side_effect=Retry()) as retry, pytest.raises(Retry):
            meeting_reconcile_task.run(meeting.pk)
    finally:
        meeting_reconcile_task.pop_request()

    kwargs = retry.call_args.kwargs
    assert kwargs["countdown"] >= 2
    assert kwargs["countdown"] <= meetings_reconcile.max_countdown()
    assert kwargs["kwargs"] == {"meeting_id": meeting.pk, "claim_token": reload(meeting).claim_token}


def test_T22_no_countdown_ever_exceeds_the_brokers_visibility_timeout(connected, desired, zoom, settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    meeting = desired()
    zoom.fail_next("POST", "/users/me/meetings", 429, {"code": 429, "message": "slow down"}, **{"Retry-After": "3000"})

    result = reconcile(meeting)

    assert meetings_reconcile.max_countdown() <= 300
    assert result.outcome == Outcome.DEFERRED  # persisted as not_before instead of a long countdown
    row = reload(meeting)
    assert row.not_before >= timezone.now() + timedelta(seconds=2900)
    assert row.claim_token == ""


def test_T22_the_daily_limit_persists_not_before_and_the_sweeper_resumes_after_it(connected, desired, zoom):
    meeting = desired()
    daily = json.loads(
        '{"code": 429, "message": "You have exceeded the daily rate limit (100) of Meeting Create/Update API '
        'requests permitted for this particular user. You may resume these requests at GMT 00:00:00."}'
    )
    now = datetime(2031, 1, 5, 9, 30, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        zoom.fail_next("POST", "/users/me/meetings", 429, daily, **{"X-RateLimit-Type": "Daily-limit"})
        result = reconcile(meeting)
        assert result.outcome == Outcome.DEFERRED
        assert result.retry_in is None  # no countdown: nothing sleeps in a worker
        row = reload(meeting)
        assert row.not_before == datetime(2031, 1, 6, 0, 0, tzinfo=UTC)  # next 00:00 UTC
        assert row.attempts == 0  # waiting for the limit is no failed attempt
        assert "daily limit" in row.last_error
        assert meetings_sweep.meetings_sweep() == []
        assert reconcile(meeting).outcome == Outcome.SKIPPED

    with time_machine.travel(datetime(2031, 1, 6, 0, 1, tzinfo=UTC), tick=False):
        assert meetings_sweep.meetings_sweep() == [meeting.pk]
        assert reconcile(meeting).outcome == Outcome.DONE
    assert reload(meeting).status == Status.CREATED


def test_T22_a_daily_limit_retry_after_date_is_honoured(connected, desired, zoom):
    meeting = desired()
    zoom.fail_next(
        "POST",
        "/users/me/meetings",
        429,
        {"code": 429, "message": "daily"},
        **{"X-RateLimit-Type": "Daily-limit", "Retry-After": "2031-01-06T00:00:00Z"},
    )
    with time_machine.travel(datetime(2031, 1, 5, 22, 0, tzinfo=UTC), tick=False):
        reconcile(meeting)

    assert reload(meeting).not_before == datetime(2031, 1, 6, 0, 0, tzinfo=UTC)


def test_T22_5xx_is_retried_with_backoff_and_bounded_then_failed_with_an_alert(connected, desired, zoom, caplog):
    meeting = desired()
    for _ in range(MAX_ATTEMPTS + 2):
        zoom.fail_next("POST", "/users/me/meetings", 503, {"code": 503, "message": "Service Unavailable"})
    waits = []
    token = None
    with caplog.at_level(logging.ERROR, logger="herp.alerts"):
        for _ in range(MAX_ATTEMPTS):
            result = reconcile(meeting, token=token)
            token = result.claim_token or token
            if result.outcome != Outcome.RETRY:
                break
            waits.append(result.retry_in)

    assert result.outcome == Outcome.FAILED
    assert waits == sorted(waits)
    assert waits[0] >= meetings_reconcile.BACKOFF_BASE
    assert len(waits) == MAX_ATTEMPTS - 1
    failed = reload(meeting)
    assert failed.status == Status.FAILED
    assert failed.failure == ZoomMeeting.Failure.GAVE_UP
    assert f"Gave up after {MAX_ATTEMPTS} attempts" in failed.last_error
    assert "HTTP 503" in failed.last_error
    assert "zoom.meeting_failed" in caplog.text
    assert len(zoom.calls_to("POST")) == MAX_ATTEMPTS


def test_T22_a_400_is_not_retried_and_fails_with_zooms_reason(connected, desired, zoom):
    meeting = desired()
    zoom.fail_next("POST", "/users/me/meetings", 400, {"code": 300, "message": "Validation Failed: duration too long."})

    result = reconcile(meeting)

    assert result.outcome == Outcome.FAILED
    failed = reload(meeting)
    assert failed.status == Status.FAILED
    assert failed.failure == ZoomMeeting.Failure.REJECTED
    assert "Validation Failed: duration too long." in failed.last_error
    assert len(zoom.calls_to("POST")) == 1


def test_T21_a_task_that_keeps_crashing_its_worker_stops_after_bounded_attempts(connected, desired, zoom):
    meeting = desired()
    # Each claim counts before any work; a worker killed mid-task leaves only its expired lease.
    for _ in range(MAX_ATTEMPTS):
        assert Lease.claim(meeting.pk, f"killed-{_}")
        ZoomMeeting.objects.filter(pk=meeting.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))

    result = reconcile(meeting)

    assert result.outcome == Outcome.FAILED
    failed = reload(meeting)
    assert failed.status == Status.FAILED
    assert "Gave up after" in failed.last_error
    assert zoom.calls == []


def test_with_eager_tasks_a_failure_lands_in_its_state_and_never_reaches_the_request(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    zoom.fail_next("POST", "/users/me/meetings", 503, {"code": 503, "message": "down"})

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    meeting = schedule.meeting
    assert meeting.status == Status.PENDING
    assert meeting.not_before is not None  # the sweeper (or `manage.py sweep_meetings`) resumes it
    assert meeting.claim_token == ""
    assert "HTTP 503" in meeting.last_error


# --- T23: enqueue on commit and the sweeper ---------------------------------------------------------


def test_T23_a_rolled_back_schedule_queues_no_task(company, connected, alice, zoom, django_capture_on_commit_callbacks):
    def save_then_fail() -> None:
        with transaction.atomic():
            schedule_create(company=company, by=alice, data=flows.data(participants=[alice]))
            raise RuntimeError("the request failed after saving")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        save_then_fail()

    assert callbacks == []
    assert ZoomMeeting.objects.count() == 0


def test_T23_the_task_queued_on_commit_sees_the_committed_row(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(meeting_reconcile_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        schedule = schedule_create(company=company, by=alice, data=flows.data(participants=[alice]))
        delay.assert_not_called()  # not before the commit

    assert len(callbacks) == 1
    delay.assert_called_once_with(schedule.meeting_id)
    assert meetings_reconcile.meeting_reconcile(meeting_id=schedule.meeting_id).outcome == Outcome.DONE


def test_T23_the_sweeper_requeues_a_pending_row_whose_task_was_lost_exactly_once(
    connected, desired, zoom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # the publish after commit never happened
        meeting = desired()

    assert meetings_sweep.meetings_sweep() == []  # too fresh: its task may still be on its way
    later = timezone.now() + meetings_sweep.STALE_AFTER + timedelta(seconds=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = meetings_sweep.meetings_sweep()
        second = meetings_sweep.meetings_sweep()

    assert first == [meeting.pk]
    assert second == []
    assert reload(meeting).status == Status.CREATED
    assert len(zoom.calls_to("POST")) == 1


def test_T23_a_broker_outage_at_publish_does_not_fail_the_request(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    with mock.patch.object(meeting_reconcile_task, "delay", side_effect=ConnectionError("redis down")):
        schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    assert schedule.meeting.status == Status.PENDING  # the sweeper picks it up


def test_the_sweeper_requeues_rows_whose_lease_ran_out(connected, desired, zoom):
    meeting = desired()
    assert Lease.claim(meeting.pk, "killed-worker")
    ZoomMeeting.objects.filter(pk=meeting.pk).update(status=Status.CREATING)

    assert meetings_sweep.meetings_sweep() == []
    later = timezone.now() + meetings_lease.LEASE + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert meetings_sweep.meetings_sweep() == [meeting.pk]


def test_sweep_meetings_command_runs_the_sweeper(connected, desired, zoom, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        meeting = desired()
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_meetings", "--stale-after", "0", stdout=out)

    assert f"ids: [{meeting.pk}]" in out.getvalue()
    assert reload(meeting).status == Status.CREATED


def test_the_beat_schedule_runs_the_sweeper():
    from herp.celery import app

    entry = app.conf.beat_schedule["zoom-meetings-sweep"]
    assert entry["task"] == "zoom.meetings_sweep"
    assert entry["schedule"] <= 60


# --- T24: cancel and reschedule races --------------------------------------------------------------


def test_T24_cancel_while_the_create_is_in_flight_ends_deleted_with_no_orphan(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        schedule = schedule_create(company=company, by=alice, data=flows.data(participants=[alice]))

    def cancel_meanwhile() -> None:
        # The person cancels while Zoom is making the meeting; the cancel's own task finds the row
        # claimed and stops, so the worker holding it must finish the job.
        with django_capture_on_commit_callbacks(execute=True):
            schedule_cancel(schedule=schedule)

    zoom.on_create = cancel_meanwhile
    result = reconcile(schedule.meeting)

    assert result.outcome == Outcome.DONE
    assert reload(schedule.meeting).status == Status.DELETED
    assert zoom.alive() == {}
    assert [c.method for c in zoom.calls] == ["POST", "DELETE"]


def test_T24_cancel_after_a_lost_create_answer_finds_and_deletes_the_meeting(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    zoom.drop_next_create_answer = True
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    assert schedule.meeting.zoom_meeting_id is None
    assert len(zoom.alive()) == 1

    flows.cancel(django_capture_on_commit_callbacks, schedule)
    meetings_reconcile.meeting_reconcile(meeting_id=schedule.meeting_id)  # the deferred retry, or the sweeper

    assert reload(schedule.meeting).status == Status.DELETED
    assert zoom.alive() == {}


def test_T24_rescheduling_twice_quickly_updates_the_same_meeting_to_the_last_time(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    zoom_id = schedule.meeting.zoom_meeting_id
    with django_capture_on_commit_callbacks():  # both saves land before any task runs
        flows.schedule_update(
            schedule=schedule,
            data=flows.data(
                participants=[alice], starts_at=in_days(11, 14), candidate=schedule.candidate, new_candidate_name=""
            ),
        )
        flows.schedule_update(
            schedule=schedule,
            data=flows.data(
                participants=[alice], starts_at=in_days(12, 16), candidate=schedule.candidate, new_candidate_name=""
            ),
        )

    assert reconcile(schedule.meeting).outcome == Outcome.DONE
    assert reconcile(schedule.meeting).outcome == Outcome.SKIPPED

    final = reload(schedule.meeting)
    assert final.zoom_meeting_id == zoom_id
    assert final.synced_revision == final.revision == 3
    assert len(zoom.calls_to("PATCH")) == 1
    assert zoom.meetings[zoom_id]["start_time"].endswith("T16:00:00")


# --- Signals: the host's grant ------------------------------------------------------------------------


def test_a_revoked_grant_fails_waiting_meetings_as_disconnected_and_a_relink_resumes_them(
    company, connected, alice, desired, zoom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        meeting = desired()
    grant = ZoomGrant.objects.get(pk=alice.zoom_user.grant_id)

    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_revoke(grant_id=grant.pk, reason=LossReason.APP_REMOVED)

    stopped = reload(meeting)
    assert stopped.status == Status.FAILED
    assert stopped.failure == ZoomMeeting.Failure.DISCONNECTED
    assert zoom.calls == []

    with django_capture_on_commit_callbacks(execute=True):
        signals.grant_reauthorized.send(
            sender=ZoomGrant, grant_id=grant.pk, company_id=company.pk, zoom_user_id=grant.zoom_user_id
        )
    # The grant is still revoked in this test, so the retry fails the same way; what matters is
    # that the meeting was picked up again.
    resumed = reload(meeting)
    assert resumed.attempts == 1


def test_a_reconnect_requeues_the_companys_disconnected_meetings(
    company, connected, installer, desired, zoom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        meeting = desired()
    ZoomMeeting.objects.filter(pk=meeting.pk).update(status=Status.FAILED, failure=ZoomMeeting.Failure.DISCONNECTED)

    with django_capture_on_commit_callbacks(execute=True):
        signals.installation_connected.send(
            sender=type(connected),
            installation=connected,
            company_id=company.pk,
            zoom_account_id="x",
            previous_account_id="x",
            grant_id=connected.grant_id,
        )

    assert reload(meeting).status == Status.CREATED


def test_a_grant_that_fails_mid_reconcile_leaves_the_meeting_disconnected(connected, desired, zoom):
    meeting = desired()
    ZoomGrant.objects.filter(pk=meeting.host_grant_id).update(status=ZoomGrant.Status.INVALID)

    result = reconcile(meeting)

    assert result.outcome == Outcome.FAILED
    failed = reload(meeting)
    assert failed.failure == ZoomMeeting.Failure.DISCONNECTED
    assert "link Zoom again" in failed.last_error


def test_T25_a_meeting_with_another_companys_grant_is_refused_without_calling_zoom(
    company, connected, alice, zoom, django_capture_on_commit_callbacks, company_factory, grant_factory
):
    foreign_grant = grant_factory(company=company_factory(name="他社"), zoom_user_id="zu_foreign")
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    meeting = schedule.meeting
    ZoomMeeting.objects.filter(pk=meeting.pk).update(
        host_grant=foreign_grant, status=ZoomMeeting.Status.PENDING, revision=meeting.revision + 1
    )
    calls_before = len(zoom.calls)

    meetings_reconcile.meeting_reconcile(meeting_id=meeting.pk)

    refused = ZoomMeeting.objects.get(pk=meeting.pk)
    assert refused.status == ZoomMeeting.Status.FAILED
    assert "another company" in refused.last_error
    assert len(zoom.calls) == calls_before
