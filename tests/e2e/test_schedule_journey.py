"""選考予定 with Zoom in a real browser (issue 5's "Done when"): as recruiter1, after the company
connected and recruiter1 and recruiter2 linked, a Zoom interview shows who will host and why before
saving; its page shows the URL with the passcode, the host and the alternative host; with the waiting
room locked on in Zoom, a new interview shows the override and its remedy; moving keeps the meeting;
cancelling removes it from Zoom.

The browser tier has no broker, so the reconcile runs eagerly inside the save's request, against the
emulator on the same live server.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from scheduling.remedies import REMEDIES
from tests.e2e.helpers import demo_world, sign_in, snap, zoom_sign_in
from zoom.meetings.bodies import MeetingWarning
from zoom.models import ZoomMeeting, ZoomUser
from zoom_emulator import meetings as zoom_side

R1, R2 = "recruiter1@demo.example", "recruiter2@demo.example"
R1_NAME, R2_NAME = "佐藤 一郎", "鈴木 二郎"


def connect_company(page: Page, live_server) -> None:
    zoom_sign_in(page, live_server, "zoom-admin@demo.example")
    sign_in(page, live_server, "admin@demo.example", "herp-demo")
    page.goto(f"{live_server.url}/settings/integrations/")
    page.locator("#zoom-connect").click()
    page.get_by_role("button", name="事前承認をとる").click()
    page.get_by_role("button", name="認可").click()
    expect(page.locator("#zoom-card")).to_have_attribute("data-status", "connected")


def link_zoom(page: Page, live_server, email: str) -> None:
    zoom_sign_in(page, live_server, email)
    sign_in(page, live_server, email, "herp-demo")
    page.goto(f"{live_server.url}/accounts/zoom/")
    page.locator("#zoom-link").click()
    page.get_by_role("button", name="認可").click()
    expect(page.locator("#zoom-link-card")).to_have_attribute("data-status", "active")


def fill_schedule(page: Page, *, title: str, local_start: str, candidate: str) -> None:
    page.locator("#id_new_candidate_name").fill(candidate)
    page.locator("#id_title").fill(title)
    page.locator("#id_starts_at").fill(local_start)
    page.locator("#id_duration_minutes").fill("45")
    page.locator("#id_location").select_option("zoom")
    page.get_by_label(R1_NAME).check()
    page.get_by_label(R2_NAME).check()


def meeting_of_page(page: Page) -> ZoomMeeting:
    schedule_pk = int(re.search(r"/schedules/(\d+)/", page.url).group(1))
    return ZoomMeeting.objects.get(interview_schedule__pk=schedule_pk)


def test_recruiter1_issues_moves_and_cancels_a_zoom_interview(page, new_context, live_server):
    demo_world(live_server)
    connect_company(new_context().new_page(), live_server)
    link_zoom(page, live_server, R1)  # first, so recruiter1's link has the smaller internal id
    link_zoom(new_context().new_page(), live_server, R2)
    host_link, other_link = ZoomUser.objects.order_by("pk")
    day = (timezone.now() + timedelta(days=14)).date()

    # Before saving: who will host, and why, updated as the participants are ticked.
    page.goto(f"{live_server.url}/schedules/new/")
    fill_schedule(page, title="一次面接", local_start=f"{day}T10:00", candidate="候補 太郎")
    preview = page.locator("#host-preview .host-preview")
    expect(preview).to_have_attribute("data-host-reason", "smallest_link_id")
    expect(page.locator("#host-name")).to_have_text(R1_NAME)
    expect(preview).to_contain_text(R2_NAME)
    snap(page, "journey-schedule-01-host-before-saving")

    # Saved: the URL with its passcode, the host and the alternative host.
    page.locator("#schedule-save").click()
    expect(page.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "created")
    expect(page.locator("#join-url")).to_have_attribute("href", re.compile(r"/zoom-emulator/j/\d+\?pwd="))
    expect(page.locator("#passcode")).to_have_text(re.compile(r"^[A-Za-z0-9]{10}$"))
    expect(page.locator("#meeting-host")).to_contain_text(R1_NAME)
    expect(page.locator("#meeting-host")).to_contain_text(host_link.email)
    expect(page.locator("#meeting-alternative-hosts")).to_contain_text(other_link.email)
    expect(page.locator("#meeting-warnings")).to_have_count(0)
    first = meeting_of_page(page)
    first_url = page.url
    assert [m.meeting_id for m in zoom_side.meetings_of(host_link.email)] == [first.zoom_meeting_id]
    snap(page, "journey-schedule-02-created-with-url-and-hosts")

    # A Zoom admin locks the waiting room on: a new interview shows the override and its remedy.
    admin = new_context().new_page()
    zoom_side.set_policy("demo", waiting_room=True, waiting_room_locked=True)
    admin.goto(f"{live_server.url}/zoom-emulator/settings/")
    snap(admin, "journey-schedule-03-zoom-waiting-room-locked-on")
    page.goto(f"{live_server.url}/schedules/new/")
    fill_schedule(page, title="二次面接", local_start=f"{day + timedelta(days=2)}T15:00", candidate="候補 次郎")
    page.locator("#schedule-save").click()
    expect(page.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "created")
    with translation.override("ja"):
        remedy = str(REMEDIES[MeetingWarning.WAITING_ROOM_ON].remedy)
    expect(page.locator("#meeting-warnings")).to_contain_text(remedy)
    assert MeetingWarning.WAITING_ROOM_ON in meeting_of_page(page).warnings
    snap(page, "journey-schedule-04-waiting-room-override-and-remedy")

    # Moving the first interview keeps its Zoom meeting.
    page.goto(first_url)
    page.locator("#schedule-edit").click()
    page.locator("#id_starts_at").fill(f"{day + timedelta(days=1)}T11:30")
    page.locator("#schedule-save").click()
    expect(page.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "created")
    expect(page.locator("main")).to_contain_text(str(first.zoom_meeting_id))
    moved = meeting_of_page(page)
    assert moved.pk == first.pk
    assert moved.zoom_meeting_id == first.zoom_meeting_id
    assert zoom_side.get_meeting(first.zoom_meeting_id).start_time == moved.start_time
    snap(page, "journey-schedule-05-moved-same-meeting")

    # Cancelling deletes it from Zoom.
    page.locator("#schedule-cancel").click()
    snap(page, "journey-schedule-06-cancel-confirmation")
    page.locator("#schedule-cancel-confirm").click()
    expect(page.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "deleted")
    assert zoom_side.get_meeting(first.zoom_meeting_id) is None
    assert zoom_side.get_meeting(first.zoom_meeting_id, include_deleted=True).deleted_at is not None
    snap(page, "journey-schedule-07-cancelled-deleted-in-zoom")
