"""Issue 16, goal 2: the host preview (and the double-booking check inside it) costs the same number of
queries whatever the number of participants, up to the product's limit (scheduling.rules)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import rules
from tests import flows
from tests.helpers import in_days


def preview_queries(client, participants, starts_at) -> tuple[int, str]:
    query = {
        "participants": [person.pk for person in participants],
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Asia/Tokyo",
        "duration_minutes": "60",
        "location": "zoom",
    }
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("scheduling:host_preview"), query)
    assert response.status_code == 200
    return len(context.captured_queries), response.json()["html"]


def test_a_double_booked_host_is_previewed_in_constant_queries(
    company, connected, person, link_factory, client_for, zoom, django_capture_on_commit_callbacks
):
    people = []
    for n in range(rules.MAX_PARTICIPANTS):
        someone = person(f"面接官 {n:02d}")
        link_factory(someone)
        people.append(someone)
    host = people[0]  # the smallest link id hosts
    at = in_days(3, hour=14)
    flows.create(django_capture_on_commit_callbacks, company, host, participants=[host], starts_at=at)
    client = client_for(host)

    counts = {}
    for size in (1, 10, rules.MAX_PARTICIPANTS):
        counts[size], html = preview_queries(client, people[:size], at)
        assert 'id="double-booking"' in html

    assert len(set(counts.values())) == 1, counts
