"""RELIABILITY T33: a database error inside the reconcile task (at the claim, a reload or a write) is
retried by the task itself with a short bounded backoff, carrying its claim token, instead of leaving
the row to the sweeper; nothing is lost and nothing made twice."""

from __future__ import annotations

from unittest import mock

import pytest
from celery.exceptions import Retry
from django.db import OperationalError

from zoom.meetings.lease import Lease
from zoom.meetings.reconcile import Outcome
from zoom.models import ZoomMeeting
from zoom.tasks import DATABASE_RETRY_CAP, meeting_reconcile_task


@pytest.fixture
def meeting(connected, desired) -> ZoomMeeting:
    return desired()


def run_task(meeting_id: int, claim_token: str | None = None, *, retries: int = 0):
    """The task as a worker runs it (not eagerly), with Celery's retry captured."""
    meeting_reconcile_task.push_request(retries=retries, is_eager=False)
    try:
        with mock.patch.object(meeting_reconcile_task, "retry", side_effect=Retry()) as retry:
            try:
                outcome = meeting_reconcile_task.run(meeting_id, claim_token)
            except Retry:
                return None, retry.call_args.kwargs
            return outcome, None
    finally:
        meeting_reconcile_task.pop_request()


def blip_once(target: str):
    """Patch ``Lease.<target>`` to raise OperationalError on its first call only."""
    original = getattr(Lease, target)
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return original(*args, **kwargs)

    return mock.patch.object(Lease, target, flaky)


@pytest.mark.parametrize("step", ["claim", "load", "store_and_finish"])
def test_T33_a_database_error_at_any_step_is_retried_by_the_task_and_makes_one_meeting(step, meeting, zoom):
    with blip_once(step):
        outcome, retry = run_task(meeting.pk)

    assert outcome is None
    assert 0 < retry["countdown"] <= DATABASE_RETRY_CAP
    token = retry["kwargs"]["claim_token"]
    assert retry["kwargs"] == {"meeting_id": meeting.pk, "claim_token": token}

    outcome, retry = run_task(**retry["kwargs"], retries=1)

    assert outcome == Outcome.DONE
    row = ZoomMeeting.objects.get(pk=meeting.pk)
    assert row.status == ZoomMeeting.Status.CREATED
    assert len(zoom.alive()) == 1  # a write lost after Zoom made it is adopted by its marker
    assert len(zoom.calls_to("POST")) == 1


def test_T33_the_backoff_grows_and_stays_bounded(meeting, zoom):
    countdowns = []
    with mock.patch.object(Lease, "claim", side_effect=OperationalError("down")):
        for attempt in range(meeting_reconcile_task.max_retries):
            _outcome, retry = run_task(meeting.pk, "token", retries=attempt)
            countdowns.append(retry["countdown"])

    assert countdowns == sorted(countdowns)
    assert max(countdowns) <= DATABASE_RETRY_CAP


def test_T33_out_of_retries_the_row_waits_for_the_sweeper_and_nothing_is_lost(meeting, zoom, caplog):
    with mock.patch.object(Lease, "claim", side_effect=OperationalError("down")):
        outcome, retry = run_task(meeting.pk, retries=meeting_reconcile_task.max_retries)

    assert outcome == Outcome.DEFERRED
    assert retry is None
    assert ZoomMeeting.objects.get(pk=meeting.pk).status == ZoomMeeting.Status.PENDING
    assert "the sweeper will retry" in caplog.text
