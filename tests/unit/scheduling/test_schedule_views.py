"""選考予定 pages: create, edit, cancel, detail and the host preview, company-scoped, with bad input
answered by the form. Zoom is the fake; the reconcile itself is tested in tests/unit/zoom."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import responses
from django.urls import reverse

from herp.models import User
from scheduling.models import Candidate, InterviewSchedule
from tests import flows
from tests.helpers import in_english
from zoom.models import ZoomMeeting

# Days a few months ahead, inside the product's one-year horizon whatever the day of the run.
FIRST = date.today() + timedelta(days=120)
MOVED = date.today() + timedelta(days=150)
BUSY = date.today() + timedelta(days=180)


def form_data(participants: list[User], **overrides) -> dict:
    data = {
        "candidate": "",
        "new_candidate_name": "候補 太郎",
        "new_candidate_email": "taro@candidate.example",
        "title": "一次面接",
        "starts_at": f"{FIRST}T10:00",
        "timezone": "Asia/Tokyo",
        "duration_minutes": "60",
        "location": "zoom",
        "participants": [str(user.pk) for user in participants],
    }
    data.update(overrides)
    return data


def test_it_creates_a_zoom_interview_and_shows_its_meeting(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    client = client_for(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scheduling:new"), form_data([alice, bob]))

    schedule = InterviewSchedule.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("scheduling:detail", args=[schedule.pk])
    assert schedule.company == company
    assert schedule.created_by == alice
    assert schedule.candidate.name == "候補 太郎"
    # The datetime-local value is read in the chosen zone.
    assert schedule.starts_at == datetime.combine(FIRST, time(10, 0), tzinfo=ZoneInfo("Asia/Tokyo"))
    assert set(schedule.participants.all()) == {alice, bob}
    page = client.get(response.url).content.decode()
    meeting = ZoomMeeting.objects.get()
    assert meeting.join_url in page
    assert meeting.passcode in page
    assert 'data-meeting-status="created"' in page
    assert alice.zoom_user.email in page  # the host
    assert bob.zoom_user.email in page  # the alternative host
    assert 'data-host-reason="smallest_link_id"' in page


def test_the_start_is_read_in_the_chosen_time_zone(company, connected, alice, zoom, client_for):
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        client_for(alice).post(
            reverse("scheduling:new"), form_data([alice], location="onsite", timezone="America/New_York")
        )

    schedule = InterviewSchedule.objects.get()
    assert schedule.starts_at == datetime.combine(FIRST, time(10, 0), tzinfo=ZoneInfo("America/New_York"))
    edit = client_for(alice).get(reverse("scheduling:edit", args=[schedule.pk])).content.decode()
    assert f'value="{FIRST}T10:00"' in edit


def test_the_form_shows_who_will_host_and_why_before_saving(company, connected, alice, bob, person, client_for):
    carol = person("Carol")

    page = client_for(alice).get(reverse("scheduling:new")).content.decode()
    assert 'id="host-preview"' in page
    assert "js/host-preview.js" in page
    assert "<script>" not in page  # CSP: static scripts only

    preview = client_for(alice).get(reverse("scheduling:host_preview"), {"participants": [alice.pk, bob.pk, carol.pk]})
    html = preview.json()["html"]
    assert preview.status_code == 200
    assert 'data-host-reason="smallest_link_id"' in html
    assert "Alice" in html
    assert bob.zoom_user.email in html  # alternative host
    assert "Carol" in html  # not linked


def test_the_preview_explains_the_installer_fallback_and_nobody(company, connected, installer, person, client_for):
    carol = person("Carol")
    client = client_for(carol)

    fallback = client.get(reverse("scheduling:host_preview"), {"participants": [carol.pk]}).json()["html"]
    assert 'data-host-reason="installer_fallback"' in fallback
    assert installer.display_name in fallback

    connected.disconnect(installer)
    nobody = client.get(reverse("scheduling:host_preview"), {"participants": [carol.pk]}).json()["html"]
    assert 'data-host-reason="none_available"' in nobody


def test_the_preview_ignores_other_companies_people(company, connected, alice, user_factory, client_for):
    stranger = user_factory(name="Stranger of another company")

    html = client_for(alice).get(reverse("scheduling:host_preview"), {"participants": [stranger.pk]}).json()["html"]

    assert "Stranger" not in html


def test_bad_input_shows_the_form_with_messages_and_saves_nothing(company, connected, alice, client_for):
    response = in_english(client_for(alice)).post(
        reverse("scheduling:new"),
        form_data(
            [], new_candidate_name="", title="", starts_at="tomorrow", duration_minutes="0", timezone="Mars/Base"
        ),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"candidate", "title", "starts_at", "duration_minutes", "timezone", "participants"}
    assert "Enter a date and time" in response.content.decode()
    assert InterviewSchedule.objects.count() == 0
    assert Candidate.objects.count() == 0
    assert ZoomMeeting.objects.count() == 0


def test_a_zoom_interview_nobody_can_host_is_refused_with_the_remedy(company, connected, installer, person, client_for):
    connected.disconnect(installer)
    carol = person("Carol")

    response = in_english(client_for(carol)).post(reverse("scheduling:new"), form_data([carol]))

    assert response.status_code == 200
    assert "Nobody can host this Zoom interview" in response.content.decode()
    assert InterviewSchedule.objects.count() == 0


def test_another_companys_candidate_or_people_are_not_choices(
    company, connected, alice, user_factory, company_factory, client_for
):
    other = company_factory()
    foreign_candidate = Candidate.objects.create(company=other, name="Foreign")
    foreign_person = user_factory(company=other)

    response = client_for(alice).post(
        reverse("scheduling:new"),
        form_data([alice], candidate=str(foreign_candidate.pk), new_candidate_name="", new_candidate_email="")
        | {"participants": [str(foreign_person.pk)]},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"candidate", "participants"}
    assert InterviewSchedule.objects.count() == 0


def test_choosing_a_candidate_and_typing_a_new_one_is_refused(company, connected, alice, client_for):
    existing = Candidate.objects.create(company=company, name="既存 候補")

    response = in_english(client_for(alice)).post(
        reverse("scheduling:new"), form_data([alice], candidate=str(existing.pk))
    )

    assert "not both" in response.content.decode()
    assert InterviewSchedule.objects.count() == 0


def test_editing_moves_the_interview_and_keeps_the_meeting(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    client = client_for(alice)
    edit_url = reverse("scheduling:edit", args=[schedule.pk])
    assert client.get(edit_url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url,
            form_data(
                [alice],
                candidate=str(schedule.candidate_id),
                new_candidate_name="",
                new_candidate_email="",
                starts_at=f"{MOVED}T15:30",
            ),
        )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.starts_at == datetime.combine(MOVED, time(15, 30), tzinfo=ZoneInfo("Asia/Tokyo"))
    assert ZoomMeeting.objects.count() == 1
    assert zoom.calls_to("PATCH")[0].body["start_time"] == f"{MOVED}T15:30:00"


def test_cancel_asks_for_confirmation_then_deletes_the_meeting(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    client = client_for(alice)
    url = reverse("scheduling:cancel", args=[schedule.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'id="schedule-cancel-confirm"' in confirm.content.decode()
    schedule.refresh_from_db()
    assert schedule.status == InterviewSchedule.Status.SCHEDULED  # a GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.status == InterviewSchedule.Status.CANCELLED
    assert ZoomMeeting.objects.get().status == ZoomMeeting.Status.DELETED
    assert zoom.alive() == {}
    assert client.get(reverse("scheduling:edit", args=[schedule.pk])).status_code == 302


def test_the_list_shows_upcoming_interviews_with_their_meeting_status(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    page = client_for(alice).get(reverse("scheduling:list")).content.decode()

    assert "一次面接" in page
    assert 'data-meeting-status="created"' in page


def test_the_menu_lists_interview_schedules(company, alice, client_for):
    page = client_for(alice).get(reverse("home")).content.decode()

    assert reverse("scheduling:list") in page


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("scheduling:detail", "get"),
        ("scheduling:edit", "get"),
        ("scheduling:edit", "post"),
        ("scheduling:cancel", "get"),
        ("scheduling:cancel", "post"),
        ("scheduling:retry", "post"),
        ("scheduling:start", "post"),
    ],
)
def test_another_companys_schedule_is_404(
    company, connected, alice, user_factory, client_for, name, method, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice], location="onsite")
    outsider = user_factory()

    response = getattr(client_for(outsider), method)(reverse(name, args=[schedule.pk]))

    assert response.status_code == 404
    schedule.refresh_from_db()
    assert schedule.status == InterviewSchedule.Status.SCHEDULED


def test_the_preview_for_another_companys_schedule_is_404(
    company, connected, alice, user_factory, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice], location="onsite")

    response = client_for(user_factory()).get(reverse("scheduling:host_preview"), {"schedule": schedule.pk})

    assert response.status_code == 404


def test_pages_need_a_signed_in_company_member(client, user_factory, client_for):
    assert client.get(reverse("scheduling:list")).status_code == 302
    staff = user_factory(is_staff=True)
    assert client_for(staff).get(reverse("scheduling:list")).status_code == 403


def test_a_failed_meeting_shows_its_error_and_a_retry_button(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    zoom.fail_next("POST", "/users/me/meetings", 400, {"code": 3161, "message": "Hosting is not allowed."})
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    client = client_for(alice)

    page = client.get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    assert 'data-meeting-status="failed"' in page
    assert "Hosting is not allowed." in page
    assert 'id="meeting-retry"' in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("scheduling:retry", args=[schedule.pk]))

    assert ZoomMeeting.objects.get().status == ZoomMeeting.Status.CREATED


# --- Double booking ----------------------------------------------------------------------------------


def test_the_form_and_page_warn_when_the_host_already_hosts_at_that_time_and_suggest_a_free_one(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    starts = datetime.combine(BUSY, time(10, 0), tzinfo=ZoneInfo("Asia/Tokyo"))
    first = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice], starts_at=starts)
    client = client_for(alice)

    preview = client.get(
        reverse("scheduling:host_preview"),
        {
            "participants": [alice.pk, bob.pk],
            "starts_at": f"{BUSY}T10:30",
            "timezone": "Asia/Tokyo",
            "duration_minutes": "60",
        },
    ).json()["html"]
    assert 'id="double-booking"' in preview
    assert first.title in preview
    assert "<strong>Bob</strong>" in preview  # free, linked: the suggestion

    second = flows.create(
        django_capture_on_commit_callbacks,
        company,
        alice,
        participants=[alice, bob],
        starts_at=datetime.combine(BUSY, time(10, 30), tzinfo=ZoneInfo("Asia/Tokyo")),
        title="二次面接",
    )
    page = client.get(reverse("scheduling:detail", args=[second.pk])).content.decode()
    assert 'id="double-booking"' in page
    # Each page names the other meeting, never its own; a back-to-back one is no clash.
    first_page = client.get(reverse("scheduling:detail", args=[first.pk])).content.decode()
    assert "<li>二次面接 — " in first_page
    assert "<li>一次面接 — " not in first_page
    later = client.get(
        reverse("scheduling:host_preview"),
        {
            "participants": [alice.pk],
            "starts_at": f"{BUSY}T11:30",
            "timezone": "Asia/Tokyo",
            "duration_minutes": "30",
        },
    ).json()["html"]
    assert 'id="double-booking"' not in later


def test_a_deleted_meeting_is_no_clash(company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks):
    starts = datetime.combine(BUSY, time(10, 0), tzinfo=ZoneInfo("Asia/Tokyo"))
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice], starts_at=starts)
    flows.cancel(django_capture_on_commit_callbacks, schedule)

    html = (
        client_for(alice)
        .get(
            reverse("scheduling:host_preview"),
            {
                "participants": [alice.pk],
                "starts_at": f"{BUSY}T10:00",
                "timezone": "Asia/Tokyo",
                "duration_minutes": "60",
            },
        )
        .json()["html"]
    )

    assert 'id="double-booking"' not in html
