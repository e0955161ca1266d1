"""RELIABILITY T29 (issue 11, items 2 and 3): what a schedule may be. A Zoom interview created, switched to
Zoom or moved starts in the future (five minutes of slack) and within a year; other edits of a started
interview, and its cancellation, stay allowed; an interview without Zoom may be recorded up to a year
back; at most 30 participants. Refused input gets the form back with the reason and saves nothing.
Dates are relative to a frozen clock."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from scheduling import rules
from scheduling.models import Candidate, InterviewSchedule
from scheduling.services import ScheduleRefused, schedule_create
from tests import flows
from tests.helpers import in_english
from tests.unit.scheduling.test_schedule_views import form_data
from zoom.models import ZoomMeeting

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def now():
    """A frozen clock on a whole minute, close to the real one (the grants' expiry is real time)."""
    frozen = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(frozen, tick=False):
        yield frozen


def local(moment) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def post_new(client, people, **overrides):
    return in_english(client).post(reverse("scheduling:new"), form_data(people, **overrides))


def assert_refused(response, text: str) -> None:
    assert response.status_code == 200
    assert text in response.content.decode()
    assert InterviewSchedule.objects.count() == 0
    assert Candidate.objects.count() == 0
    assert ZoomMeeting.objects.count() == 0


@pytest.mark.parametrize(
    ("starts_at", "zone"),
    [
        ("0001-01-01T00:10", "Pacific/Auckland"),
        ("9999-12-31T23:30", "Asia/Tokyo"),
        ("9999-12-31T23:59", "America/Los_Angeles"),
    ],
)
def test_T29_dates_at_the_calendars_edges_are_refused_with_the_reason(
    company, connected, alice, client_for, starts_at, zone
):
    for location in ("zoom", "onsite"):
        response = post_new(client_for(alice), [alice], starts_at=starts_at, timezone=zone, location=location)
        assert response.status_code == 200
        assert response.context["form"].errors["starts_at"]
        assert InterviewSchedule.objects.count() == 0


def test_T29_a_zoom_interview_must_start_in_the_future_with_a_few_minutes_of_slack(
    company, connected, alice, zoom, client_for, now, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    assert_refused(post_new(client, [alice], starts_at=local(now - timedelta(minutes=6))), "must start in the future")
    assert_refused(post_new(client, [alice], starts_at=local(now - timedelta(days=1))), "On-site or Other")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_new(client, [alice], starts_at=local(now - timedelta(minutes=4)))
    assert response.status_code == 302
    assert ZoomMeeting.objects.count() == 1


def test_T29_an_interview_can_be_scheduled_at_most_a_year_ahead(
    company, connected, alice, zoom, client_for, now, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    for location in ("zoom", "onsite"):
        response = post_new(client, [alice], starts_at=local(now + timedelta(days=366)), location=location)
        assert_refused(response, "at most one year ahead")

    with django_capture_on_commit_callbacks(execute=True):
        assert post_new(client, [alice], starts_at=local(now + timedelta(days=364))).status_code == 302


def test_T29_an_interview_without_zoom_may_be_recorded_after_it_took_place_up_to_a_year_back(
    company, connected, alice, client_for, now
):
    client = client_for(alice)
    assert_refused(
        post_new(client, [alice], starts_at=local(now - timedelta(days=400)), location="onsite"), "more than a year ago"
    )

    response = post_new(client, [alice], starts_at=local(now - timedelta(days=3)), location="onsite")

    assert response.status_code == 302
    assert InterviewSchedule.objects.get().starts_at == now.replace(second=0) - timedelta(days=3)
    assert ZoomMeeting.objects.count() == 0


def test_T29_a_past_interview_cannot_be_switched_to_zoom(company, connected, alice, client_for, now):
    client = client_for(alice)
    assert post_new(client, [alice], starts_at=local(now - timedelta(days=3)), location="onsite").status_code == 302
    schedule = InterviewSchedule.objects.get()

    response = in_english(client).post(
        reverse("scheduling:edit", args=[schedule.pk]),
        form_data([alice], candidate=str(schedule.candidate_id), new_candidate_name="", new_candidate_email="")
        | {"starts_at": local(now - timedelta(days=3)), "location": "zoom"},
    )

    assert response.status_code == 200
    assert "must start in the future" in response.content.decode()
    schedule.refresh_from_db()
    assert schedule.location == "onsite"
    assert ZoomMeeting.objects.count() == 0


def test_T29_a_started_zoom_interview_keeps_other_edits_and_cancellation_but_cannot_be_moved_into_the_past(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice], starts_at=starts)
    edit = reverse("scheduling:edit", args=[schedule.pk])
    same = form_data([alice], candidate=str(schedule.candidate_id), new_candidate_name="", new_candidate_email="")
    same["starts_at"] = local(starts)

    with time_machine.travel(starts + timedelta(minutes=30), tick=False):
        client = in_english(client_for(alice))
        with django_capture_on_commit_callbacks(execute=True):
            retitled = client.post(
                edit, same | {"title": "一次面接（延長）", "participants": [str(alice.pk), str(bob.pk)]}
            )
        same["title"] = "一次面接（延長）"
        moved_back = client.post(edit, same | {"starts_at": local(starts - timedelta(hours=2))})
        longer = client.post(edit, same | {"duration_minutes": "90"})
        with django_capture_on_commit_callbacks(execute=True):
            moved_ahead = client.post(edit, same | {"starts_at": local(starts + timedelta(days=1))})
        with django_capture_on_commit_callbacks(execute=True):
            cancelled = client.post(reverse("scheduling:cancel", args=[schedule.pk]))

    assert retitled.status_code == 302
    assert moved_back.status_code == 200
    assert "must start in the future" in moved_back.content.decode()
    assert longer.status_code == 200
    assert "must start in the future" in longer.content.decode()
    assert moved_ahead.status_code == 302
    assert cancelled.status_code == 302
    schedule.refresh_from_db()
    assert schedule.title == "一次面接（延長）"
    assert schedule.starts_at == starts + timedelta(days=1)
    assert schedule.is_cancelled


def test_T29_the_service_refuses_what_the_form_would(company, connected, alice, now):
    for starts_at, location in ((now + timedelta(days=400), "onsite"), (now - timedelta(hours=1), "zoom")):
        with pytest.raises(ScheduleRefused):
            schedule_create(
                company=company, by=alice, data=flows.data(participants=[alice], starts_at=starts_at, location=location)
            )
    with pytest.raises(ScheduleRefused):
        schedule_create(company=company, by=alice, data=flows.data(participants=[alice], duration_minutes=100_000))
    assert InterviewSchedule.objects.count() == 0


# --- Participants (item 3) ----------------------------------------------------------------------------


@pytest.fixture
def crowd(company, user_factory):
    return [user_factory(company=company) for _ in range(rules.MAX_PARTICIPANTS + 1)]


def test_T29_more_participants_than_the_limit_are_refused_on_the_form(company, connected, alice, crowd, client_for):
    assert_refused(post_new(client_for(alice), crowd), "at most 30 participants")


def test_T29_the_preview_says_the_same_limit(company, connected, alice, crowd, client_for):
    html = (
        in_english(client_for(alice))
        .get(reverse("scheduling:host_preview"), {"participants": [user.pk for user in crowd]})
        .json()["html"]
    )

    assert 'id="too-many-participants"' in html
    assert "at most 30 participants" in html


def test_T29_a_thousand_and_one_ids_get_the_message_not_a_bare_400(company, connected, alice, client_for):
    ids = [str(number) for number in range(1, 1002)]
    client = in_english(client_for(alice))

    form = client.post(reverse("scheduling:new"), form_data([alice]) | {"participants": ids})
    preview = client.get(reverse("scheduling:host_preview"), {"participants": ids})

    assert_refused(form, "at most 30 participants")
    assert preview.status_code == 200
    assert "at most 30 participants" in preview.json()["html"]


def test_T29_far_more_values_than_any_form_has_get_a_page_that_says_why(company, connected, alice, client_for):
    ids = [str(number) for number in range(1, 6000)]

    response = in_english(client_for(alice)).post(reverse("scheduling:new"), {"participants": ids, "title": "x"})

    assert response.status_code == 400
    assert "more participants than an interview may have" in response.content.decode()
    assert InterviewSchedule.objects.count() == 0


def test_T29_the_same_person_chosen_many_times_counts_once(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_new(client_for(alice), [alice] * 40)

    assert response.status_code == 302
    assert list(InterviewSchedule.objects.get().participants.all()) == [alice]


@pytest.mark.parametrize(
    "query",
    [
        {"duration_minutes": "99999999999", "starts_at": "2027-01-01T10:00"},
        {"duration_minutes": "-5", "starts_at": "2027-01-01T10:00"},
        {"starts_at": "9999-12-31T23:30", "timezone": "Asia/Tokyo", "duration_minutes": "60"},
        {"starts_at": "0001-01-01T00:10", "timezone": "Pacific/Auckland", "duration_minutes": "60"},
    ],
)
def test_T29_the_preview_takes_huge_durations_and_edge_years(company, connected, alice, client_for, query):
    response = client_for(alice).get(reverse("scheduling:host_preview"), {"participants": [alice.pk], **query})

    assert response.status_code == 200
    assert 'data-host-reason="single_linked"' in response.json()["html"]
