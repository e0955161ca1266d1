"""The "Guests see 'waiting for host'?" page on the schedule, its "Fix what we can" button, and support
staff's read-only copy in the admin. Zoom is the fake; the checklist's logic is in test_diagnostics.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import flows
from tests.helpers import in_english
from zoom.models import ZoomMeeting


@pytest.fixture
def schedule(company, connected, alice, bob, zoom, django_capture_on_commit_callbacks):
    return flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])


def troubleshoot(schedule) -> str:
    return reverse("scheduling:troubleshoot", args=[schedule.pk])


def fix(schedule) -> str:
    return reverse("scheduling:troubleshoot_fix", args=[schedule.pk])


def admin_troubleshoot(meeting_id: int) -> str:
    return reverse("admin:zoom_zoommeeting_troubleshoot", args=[meeting_id])


# --- The schedule's pages -------------------------------------------------------------------------------------


def test_the_schedule_page_links_to_the_check_and_its_help_without_asking_zoom(schedule, alice, zoom, client_for):
    zoom.calls.clear()

    page = in_english(client_for(alice)).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()

    assert f'href="{troubleshoot(schedule)}"' in page
    assert "Guests see ‘waiting for host’?" in page
    assert reverse("zoom:help") + "#waiting-for-host" in page
    assert zoom.calls == []  # the check runs only when asked for


def test_the_check_page_shows_every_line_with_its_result_and_the_help(schedule, alice, zoom, client_for):
    zoom.forced_settings = {"waiting_room": True}
    ZoomMeeting.objects.filter(pk=schedule.meeting_id).update(alternative_hosts=[])
    zoom.meetings[schedule.meeting.zoom_meeting_id]["settings"]["waiting_room"] = True

    response = in_english(client_for(alice)).get(troubleshoot(schedule))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-check="host" data-status="passed"' in page
    assert 'data-check="waiting_room" data-status="failed"' in page
    assert 'data-check="passcode_in_url" data-status="passed"' in page
    assert 'data-check="join_before_host" data-status="passed"' in page
    assert 'data-check="alternative_hosts" data-status="passed"' in page
    assert "Turn off “Waiting room” in Zoom" in page
    assert reverse("zoom:help") + "#waiting-for-host" in page
    assert f'action="{fix(schedule)}"' in page
    assert "Fix what we can" in page


def test_a_passing_meeting_offers_no_fix(schedule, alice, client_for):
    page = in_english(client_for(alice)).get(troubleshoot(schedule)).content.decode()

    assert 'data-all-passed="true"' in page
    assert f'action="{fix(schedule)}"' not in page


def test_any_company_member_may_check_and_is_told_they_are_not_the_host(schedule, person, client_for):
    page = in_english(client_for(person("Carol"))).get(troubleshoot(schedule)).content.decode()

    assert 'data-check="host" data-status="failed"' in page
    assert "You have not linked a Zoom user." in page


@pytest.mark.parametrize("status", [0, 500, 503, 429, 401])
def test_zoom_errors_show_a_readable_message_never_a_500(schedule, alice, zoom, client_for, status):
    # 0: no answer at all. A 401 makes us refresh the token, which Zoom (unmocked here) does not answer.
    zoom.fail_next("GET", "/meetings/", status, {"code": status, "message": "Zoom says no."})

    response = in_english(client_for(alice)).get(troubleshoot(schedule))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="diagnosis-error"' in page
    assert "access-" not in page
    assert 'data-status="unknown"' in page


def test_fix_what_we_can_patches_zoom_then_shows_what_stayed_locked(schedule, alice, zoom, client_for):
    zoom.forced_settings = {"waiting_room": True}  # the account locks the waiting room on
    zoom.meetings[schedule.meeting.zoom_meeting_id]["settings"]["waiting_room"] = True

    response = in_english(client_for(alice)).post(fix(schedule))

    assert response.status_code == 200
    [patch] = zoom.calls_to("PATCH")
    assert patch.token == f"access-{alice.pk}"
    assert patch.body["settings"]["waiting_room"] is False
    assert patch.body["settings"]["join_before_host"] is True
    page = response.content.decode()
    assert 'data-fix-level="warning"' in page
    assert "a lock overrides them: Waiting room off" in page
    assert 'data-check="waiting_room" data-status="failed"' in page


def test_fix_what_we_can_at_the_daily_limit_shows_a_readable_message(schedule, alice, zoom, client_for):
    zoom.fail_next(
        "PATCH", "/meetings/", 429, {"code": 429, "message": "You have exceeded the daily rate limit (100)."}
    )

    response = in_english(client_for(alice)).post(fix(schedule))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-fix-level="error"' in page
    assert "Zoom&#x27;s limit of meeting changes for this host is reached for now" in page


def test_fix_on_a_schedule_without_a_meeting_goes_back_to_the_check(company, alice, client_for):
    from scheduling.models import Candidate, InterviewSchedule

    candidate = Candidate.objects.create(company=company, name="候補")
    onsite = InterviewSchedule.objects.create(
        company=company, candidate=candidate, title="面接", starts_at=flows.data(participants=[]).starts_at
    )
    client = in_english(client_for(alice))

    assert client.post(fix(onsite)).url == troubleshoot(onsite)
    assert "This interview has no Zoom meeting" in client.get(troubleshoot(onsite)).content.decode()


def test_another_companys_schedule_is_not_found_on_both_routes(schedule, user_factory, client_for, zoom):
    stranger = client_for(user_factory())
    zoom.calls.clear()

    assert stranger.get(troubleshoot(schedule)).status_code == 404
    assert stranger.post(fix(schedule)).status_code == 404
    assert zoom.calls == []


# --- Support staff in the admin -------------------------------------------------------------------------------


def test_support_staff_see_the_checklist_read_only_in_the_admin(schedule, support_client, zoom):
    in_english(support_client)
    zoom.embed_passcode = False
    change = support_client.get(reverse("admin:zoom_zoommeeting_change", args=[schedule.meeting_id]))
    assert admin_troubleshoot(schedule.meeting_id) in change.content.decode()

    response = support_client.get(admin_troubleshoot(schedule.meeting_id))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-check="host" data-status="passed"' in page
    assert "Who hosts" in page
    assert 'data-check="passcode_in_url" data-status="failed"' in page
    assert reverse("zoom:help") + "#waiting-for-host" in page
    assert "<form" not in page.split('id="content-main"')[1]  # no fix button
    assert "Fix what we can</button>" not in page
    assert zoom.calls_to("PATCH") == []


def test_support_staff_cannot_fix(schedule, support_client, zoom):
    assert support_client.post(fix(schedule)).status_code == 403
    assert support_client.post(admin_troubleshoot(schedule.meeting_id)).status_code == 405
    assert zoom.calls_to("PATCH") == []


def test_staff_without_view_permission_are_refused(schedule, user_factory, client_for):
    staff = client_for(user_factory(is_staff=True))

    assert staff.get(admin_troubleshoot(schedule.meeting_id)).status_code == 403


def test_the_admin_asks_zoom_only_when_the_check_is_opened(schedule, support_client, zoom):
    zoom.calls.clear()

    assert support_client.get(reverse("admin:zoom_zoommeeting_changelist")).status_code == 200
    assert support_client.get(reverse("admin:zoom_zoommeeting_change", args=[schedule.meeting_id])).status_code == 200

    assert zoom.calls == []


def test_an_unknown_meeting_in_the_admin_is_not_found(support_client):
    assert support_client.get(admin_troubleshoot(987654)).status_code == 404
