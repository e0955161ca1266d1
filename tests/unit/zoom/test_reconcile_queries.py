"""Issue 16, goal 1: the reconcile costs at most five SQL statements per create and per update beyond
its Zoom calls; it takes four (claim, load with the host grants, the "sent" mark, and Zoom's answer
written together with the release).
Counted: the statements on the reconcile's own tables (meetings and grants). Not counted: transaction
control (outside the test's own transaction an ``atomic`` block costs no statement Django reports),
and what the receivers of ``meeting_synced`` write in the same transaction (scheduling's invitations,
a feature of their own with their own cost)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoom.meetings.reconcile import Outcome, meeting_reconcile
from zoom.models import ZoomMeeting

BUDGET = 5


@pytest.fixture
def meeting(connected, desired) -> ZoomMeeting:
    return desired()


OWN_TABLES = ('"zoom_zoommeeting"', '"integrations_zoomgrant"')


def statements(context: CaptureQueriesContext) -> list[str]:
    """The statements that read or write the reconcile's own tables (transaction control touches none)."""
    own = []
    for query in context.captured_queries:
        head = query["sql"].split(" WHERE ")[0]
        if any(head.startswith(f"UPDATE {table}") or f" FROM {table}" in head for table in OWN_TABLES):
            own.append(query["sql"])
    return own


def test_a_create_costs_at_most_five_statements(meeting, zoom):
    with CaptureQueriesContext(connection) as context:
        assert meeting_reconcile(meeting_id=meeting.pk).outcome == Outcome.DONE

    assert len(zoom.calls_to("POST")) == 1
    assert len(statements(context)) <= BUDGET, "\n".join(statements(context))


def test_an_update_costs_at_most_five_statements(meeting, zoom):
    meeting_reconcile(meeting_id=meeting.pk)
    moved = ZoomMeeting.objects.get(pk=meeting.pk)
    moved.duration = 30
    moved.reopen()
    moved.save()

    with CaptureQueriesContext(connection) as context:
        assert meeting_reconcile(meeting_id=meeting.pk).outcome == Outcome.DONE

    assert len(zoom.calls_to("PATCH")) == 1
    assert len(statements(context)) <= BUDGET, "\n".join(statements(context))
