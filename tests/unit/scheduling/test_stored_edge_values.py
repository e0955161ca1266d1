"""RELIABILITY T29: no value already in the database — an old row, an import — makes a product page, a
task or an admin page answer 500: times at the calendar's edges, time zones that are none, durations no
interview has."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from scheduling.models import InterviewSchedule
from scheduling.services import schedules_replan
from tests import flows
from zoom.meetings import reconcile as meetings
from zoom.meetings.sweep import meetings_sweep
from zoom.models import ZoomMeeting

EDGES = {
    "year 1 in Auckland": {"starts_at": datetime(1, 1, 1, tzinfo=UTC), "timezone": "Pacific/Auckland"},
    "year 9999 in Tokyo": {"starts_at": datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "timezone": "Asia/Tokyo"},
    "a path for a zone": {"timezone": "../../etc/passwd"},
    "a huge duration in year 9999": {"starts_at": datetime(9999, 12, 30, tzinfo=UTC), "duration_minutes": 2**31 - 1},
}


def store(schedule: InterviewSchedule, values: dict) -> None:
    InterviewSchedule.objects.filter(pk=schedule.pk).update(**values)
    meeting_values = {
        "start_time": values.get("starts_at"),
        "timezone": values.get("timezone"),
        "duration": values.get("duration_minutes"),
    }
    ZoomMeeting.objects.filter(pk=schedule.meeting_id).update(
        **{key: value for key, value in meeting_values.items() if value is not None}
    )


@pytest.fixture
def edge_schedule(request, company, connected, alice, zoom, django_capture_on_commit_callbacks):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    store(schedule, EDGES[request.param])
    return schedule


@pytest.mark.parametrize("edge_schedule", list(EDGES), indirect=True)
def test_T29_pages_the_support_admin_and_tasks_take_rows_at_the_edges(
    edge_schedule, company, alice, user_factory, client_for, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    pk, meeting_id = edge_schedule.pk, edge_schedule.meeting_id
    pages = [
        reverse("scheduling:list"),
        reverse("scheduling:detail", args=[pk]),
        reverse("scheduling:edit", args=[pk]),
        reverse("scheduling:cancel", args=[pk]),
        reverse("scheduling:troubleshoot", args=[pk]),
        reverse("scheduling:host_preview") + f"?schedule={pk}&participants={alice.pk}",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    operator = client_for(user_factory(is_staff=True, is_superuser=True))
    for page in (
        reverse("admin:zoom_zoommeeting_changelist"),
        reverse("admin:zoom_zoommeeting_change", args=[meeting_id]),
        reverse("admin:zoom_zoommeeting_troubleshoot", args=[meeting_id]),
    ):
        assert operator.get(page).status_code == 200, page

    # The tasks: the reconcile of a changed meeting, the sweeper, the host rule again.
    meeting = ZoomMeeting.objects.get(pk=meeting_id)
    ZoomMeeting.objects.filter(pk=meeting_id).update(revision=meeting.revision + 1, status=ZoomMeeting.Status.PENDING)
    result = meetings.meeting_reconcile(meeting_id=meeting_id)
    meetings_sweep()
    schedules_replan(company_id=company.pk)
    assert result.outcome in {meetings.Outcome.DONE, meetings.Outcome.RETRY, meetings.Outcome.FAILED}

    # And the buttons.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("scheduling:edit", args=[pk]), {"title": "x"}).status_code == 200
        assert client.post(reverse("scheduling:retry", args=[pk])).status_code == 302
        assert client.post(reverse("scheduling:cancel", args=[pk])).status_code == 302
