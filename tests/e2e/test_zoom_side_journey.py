"""Issue 14's "Done when", in a real browser: changes made in Zoom are put right.

(a) The host deletes the interview's meeting on the emulator's web portal (Meetings › Delete, signed in
as recruiter1): the interview's page then shows a new URL, the "Changes made in Zoom" list, and the
update that went out to the candidate and the interviewers (the invitations' list; the mails arrive
at a real SMTP server with the new URL).
(b) The host moves the meeting on the portal (Edit › Save): it is put back, so the emulator shows the
interview's time again, and the host is told once by mail.

The browser tier has no broker: Zoom's signed webhook reaches the live server from the emulator's
delivery thread, and its processing (the read-back, the new meeting or the PATCH, the mails) runs
eagerly in that request, against the emulator on the same live server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_world, snap, zoom_sign_in
from tests.e2e.test_invitation_journey import CANDIDATE, new_mails, row
from tests.e2e.test_schedule_journey import R1, R2, connect_company, fill_schedule, link_zoom, meeting_of_page
from tests.smtp import SmtpServer
from zoom_emulator import meetings as zoom_side
from zoom_emulator import webhooks as zoom_webhooks


def reload_until(page: Page, check: Callable[[], bool], *, what: str, timeout: float = 20.0) -> None:
    """Reloads the page until ``check`` holds: the change arrives by webhook, after the page was served."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        page.wait_for_timeout(250)
        page.reload()


def an_interview(page: Page, new_context, live_server, smtp: SmtpServer, day) -> str:
    """The company connected, recruiter1 (the host) and recruiter2 linked, and recruiter1's interview
    saved with its invitations sent; returns the join URL."""
    demo_world(live_server)
    connect_company(new_context().new_page(), live_server)
    link_zoom(page, live_server, R1)  # first: recruiter1's link has the smaller internal id, so they host
    link_zoom(new_context().new_page(), live_server, R2)
    page.goto(f"{live_server.url}/schedules/new/")
    fill_schedule(page, title="一次面接", local_start=f"{day}T10:00", candidate="候補 太郎")
    page.locator("#id_new_candidate_email").fill(CANDIDATE)
    page.locator("#schedule-save").click()
    expect(page.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "created")
    new_mails(smtp, 0, 3)
    return page.locator("#join-url").get_attribute("href") or ""


def zoom_portal(new_context, live_server) -> Page:
    """Another browser, signed in to Zoom's web portal as the host, on its Meetings page."""
    portal = new_context().new_page()
    zoom_sign_in(portal, live_server, R1)
    portal.goto(f"{live_server.url}/zoom-emulator/meeting/")
    return portal


def subject(msgid: str) -> str:
    with translation.override("ja"):
        return gettext(msgid)


def test_a_meeting_deleted_in_zoom_is_made_again_and_the_new_url_goes_out(page, new_context, live_server, smtp):
    day = (timezone.now() + timedelta(days=14)).date()
    first_url = an_interview(page, new_context, live_server, smtp, day)
    first = meeting_of_page(page)

    # The host deletes the meeting on Zoom's portal.
    portal = zoom_portal(new_context, live_server)
    expect(portal.get_by_test_id(f"zoom-meeting-{first.zoom_meeting_id}")).to_contain_text(f"{day} 10:00")
    snap(portal, "journey-zoomside-01-zoom-meetings")
    portal.get_by_test_id(f"zoom-meeting-delete-{first.zoom_meeting_id}").click()
    expect(portal.get_by_test_id("zoom-meeting-deleted")).to_be_visible()
    snap(portal, "journey-zoomside-02-deleted-in-zoom")

    # HERP made a new meeting and sent its URL: an update for each of the three, and the host's notice.
    mails = new_mails(smtp, 3, 4)
    new_url = meeting_of_page(page).join_url
    updates = [mail for mail in mails if mail.ics]
    assert sorted(mail.to for mail in updates) == sorted([CANDIDATE, R1, R2])
    assert {(mail.method, mail.location) for mail in updates} == {("REQUEST", new_url)}
    [told] = [mail for mail in mails if not mail.ics]
    assert (told.to, told.subject) == (R1, subject("[HERP] A deleted interview meeting was made again"))

    # The interview's page shows the new URL, what happened in Zoom, and the update that went out.
    unsent = page.locator('#invitation-list tr[data-recipient]:not([data-status="sent"])')
    reload_until(
        page,
        lambda: page.locator("#join-url").get_attribute("href") == new_url and unsent.count() == 0,
        what="the new URL and its updates, sent",
    )
    assert new_url != first_url
    expect(page.locator("#join-url")).to_have_attribute("href", re.compile(r"/zoom-emulator/j/\d+\?pwd="))
    expect(page.locator("#url-changed")).to_contain_text("URLが変わりました。")
    change = page.locator('#zoom-changes li[data-zoom-change="deleted"]')
    expect(change).to_have_attribute("data-action", "recreated")
    expect(change).to_contain_text(R1)  # who did it, as Zoom tells
    expect(page.locator("#zoom-changes")).to_contain_text("Zoom上で行われた変更")
    people = page.locator("#invitation-list tr[data-recipient]")
    expect(people).to_have_count(3)  # the candidate and both interviewers
    for number in range(3):
        expect(people.nth(number)).to_have_attribute("data-kind", "update")
        expect(people.nth(number)).to_have_attribute("data-status", "sent")
        expect(people.nth(number)).to_have_attribute("data-sequence", "1")
    snap(page, "journey-zoomside-03-made-again-new-url-sent")

    assert [m.meeting_id for m in zoom_side.meetings_of(R1)] == [meeting_of_page(page).zoom_meeting_id]
    portal.reload()
    expect(portal.get_by_test_id(f"zoom-meeting-{meeting_of_page(page).zoom_meeting_id}")).to_be_visible()


def test_a_meeting_moved_in_zoom_is_put_back_and_the_host_is_told(page, new_context, live_server, smtp):
    day = (timezone.now() + timedelta(days=14)).date()
    an_interview(page, new_context, live_server, smtp, day)
    meeting = meeting_of_page(page)

    # The host moves the meeting on Zoom's portal: another day and hour, shorter.
    portal = zoom_portal(new_context, live_server)
    portal.get_by_test_id(f"zoom-meeting-edit-{meeting.zoom_meeting_id}").click()
    portal.get_by_label("Date").fill(f"{day + timedelta(days=1)}")
    portal.get_by_label("Time").fill("15:30")
    portal.get_by_label("Duration (minutes)").fill("30")
    snap(portal, "journey-zoomside-04-moving-in-zoom")
    portal.get_by_test_id("zoom-meeting-save").click()
    expect(portal.get_by_test_id("zoom-meeting-saved")).to_be_visible()

    # Put back: the emulator shows the interview's time and duration again.
    listed = portal.get_by_test_id(f"zoom-meeting-{meeting.zoom_meeting_id}")
    reload_until(portal, lambda: f"{day} 10:00" in listed.inner_text(), what="the put-back")
    expect(listed).to_contain_text("45 min")
    snap(portal, "journey-zoomside-05-put-back-in-zoom")
    at_zoom = zoom_side.get_meeting(meeting.zoom_meeting_id)
    assert (at_zoom.start_time, at_zoom.duration) == (meeting.start_time, 45)

    # The host was told once, and nobody else got anything: the interview did not change.
    told = new_mails(smtp, 3, 1)
    assert [(mail.to, mail.subject) for mail in told] == [
        (R1, subject("[HERP] An interview changed in Zoom was put back"))
    ]
    assert "HERP" in told[0].text
    page.reload()
    change = page.locator('#zoom-changes li[data-zoom-change="updated"]')
    expect(change).to_have_attribute("data-action", "put_back")
    expect(page.locator("#url-changed")).to_have_count(0)
    expect(row(page, "candidate:")).to_have_attribute("data-kind", "invitation")
    assert meeting_of_page(page).zoom_meeting_id == meeting.zoom_meeting_id
    snap(page, "journey-zoomside-06-interview-says-put-back")
    assert zoom_webhooks.wait_for_deliveries(timeout=10)  # the put-back's own echo, handled in its request
    assert len(smtp.messages()) == 4  # changed nothing more
