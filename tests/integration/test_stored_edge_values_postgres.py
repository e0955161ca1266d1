"""RELIABILITY T29 on PostgreSQL: rows holding times Python cannot (before year 1, ±infinity) are read
at the calendar's edge, so their pages, the support admin and the reconcile never answer 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from scheduling.models import InterviewSchedule
from tests import flows
from zoom.meetings import reconcile as meetings
from zoom.models import ZoomMeeting

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stored", ["0001-12-31 11:10:00+00 BC", "infinity", "-infinity", "0001-01-01 00:00:00+00"])
def test_T29_postgres_times_python_cannot_hold_answer_pages_admin_and_tasks(
    stored,
    company,
    connected,
    alice,
    zoom,
    client_for,
    user_factory,
    django_capture_on_commit_callbacks,
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_interviewschedule SET starts_at = %s::timestamptz WHERE id = %s", [stored, schedule.pk]
        )
        cursor.execute(
            "UPDATE zoom_zoommeeting SET start_time = %s::timestamptz, revision = revision + 1, status = 'pending' "
            "WHERE id = %s",
            [stored, schedule.meeting_id],
        )

    member = client_for(alice)
    for page in ("list", "detail", "edit", "cancel"):
        url = reverse(f"scheduling:{page}", args=[] if page == "list" else [schedule.pk])
        assert member.get(url).status_code == 200, page
    operator = client_for(user_factory(is_staff=True, is_superuser=True))
    assert operator.get(reverse("admin:zoom_zoommeeting_changelist")).status_code == 200
    assert operator.get(reverse("admin:zoom_zoommeeting_change", args=[schedule.meeting_id])).status_code == 200
    assert meetings.meeting_reconcile(meeting_id=schedule.meeting_id).outcome != meetings.Outcome.SKIPPED
    assert InterviewSchedule.objects.get(pk=schedule.pk).starts_at.year in (1, 9999)
    assert ZoomMeeting.objects.filter(pk=schedule.meeting_id).exists()
