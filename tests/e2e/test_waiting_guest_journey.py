"""Issue 15's journey in a real browser: a candidate joins the interview's meeting from the emulated
Zoom's join page as a guest and sits alone past the company's grace period → the due check (what beat
runs every 30 s; here ``manage.py zoom_attendance_check``) rings the host's bell with "join now" and the
mail arrives → the host presses it, Zoom starts the meeting for them → the incident closes and the
interview's page shows how long the candidate waited.

The browser tier has no broker: the emulator's participant events reach the live server's webhook
endpoint over HTTP and are processed in that request; mail goes to a real SMTP server on a free port.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import demo_world, snap
from tests.e2e.test_schedule_journey import R1, R2, connect_company, fill_schedule, link_zoom, meeting_of_page
from tests.smtp import SmtpServer
from tests.unit.invitations.mailbox import parse
from zoom.models import MeetingAttendance, Participation, WaitingIncident

TOKYO = ZoneInfo("Asia/Tokyo")
CANDIDATE = "候補 太郎"
T = TypeVar("T")


def wait_for(check: Callable[[], T], *, timeout: float = 15.0, what: str) -> T:
    """Poll until ``check`` returns something truthy (the emulator's events arrive on their own thread).
    The tier's SQLite test database is shared in memory: a read while the server writes may find a
    table locked, which only means "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except OperationalError:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def rescue_mails(smtp: SmtpServer) -> dict[str, str]:
    mails = [parse(raw) for raw in smtp.messages()]
    return {mail.to: mail.subject for mail in mails if "お待ちです" in mail.subject}


def test_a_guest_left_alone_calls_the_host_in_and_the_page_shows_the_wait(page, new_context, live_server, smtp):
    demo_world(live_server)
    admin = new_context().new_page()
    connect_company(admin, live_server)
    link_zoom(page, live_server, R1)  # recruiter1 hosts (the smaller link id); recruiter2 is alternative host
    link_zoom(new_context().new_page(), live_server, R2)

    # An interview starting this minute (a Zoom interview may start up to five minutes ago).
    start = datetime.now(TOKYO).replace(second=0, microsecond=0)
    page.goto(f"{live_server.url}/schedules/new/")
    fill_schedule(page, title="一次面接", local_start=start.strftime("%Y-%m-%dT%H:%M"), candidate=CANDIDATE)
    page.locator("#schedule-save").click()
    expect(page.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "created")
    interview_url = page.url
    meeting = meeting_of_page(page)
    join_url = page.locator("#join-url").get_attribute("href")
    assert join_url

    # The company admin shortens the grace period (参加状況) so that it ends a few seconds from now.
    grace = int((timezone.now() - start).total_seconds()) + 6
    admin.goto(f"{live_server.url}/schedules/attendance/")
    admin.locator("#id_waiting_grace_seconds").fill(str(grace))
    admin.locator("main form button[type=submit]").click()
    expect(admin.locator("#id_waiting_grace_seconds")).to_have_value(str(grace))
    snap(admin, "journey-waiting-01-grace-period")

    # The candidate opens the link (not signed in to Zoom) and joins: join before host lets them in, alone.
    guest = new_context().new_page()
    guest.goto(join_url)
    guest.locator("[data-testid=zoom-join-name]").fill(CANDIDATE)
    guest.locator("[data-testid=zoom-join-submit]").click()
    expect(guest.locator("[data-testid=zoom-room]")).to_have_attribute("data-state", "in_meeting")
    wait_for(
        lambda: Participation.objects.filter(attendance__meeting=meeting, name=CANDIDATE, joined_at__isnull=False),
        what="the guest's participant_joined to reach HERP",
    )
    snap(guest, "journey-waiting-02-guest-alone-in-zoom")
    page.goto(interview_url)
    expect(page.locator("#bell-count")).to_have_count(0)  # within the grace period: nobody is called yet
    assert WaitingIncident.objects.count() == 0

    # No event comes when nobody comes: the due check finds the guest alone past the grace period.
    due = start + timedelta(seconds=grace)
    time.sleep(max((due - timezone.now()).total_seconds(), 0) + 0.5)
    call_command("zoom_attendance_check")
    [incident] = WaitingIncident.objects.all()
    assert incident.cause == WaitingIncident.Cause.ALONE

    # The host's bell rings, the interview's page says so with the host's own action, and the mail is there.
    page.goto(interview_url)
    expect(page.locator("#bell-count")).to_have_text("1")
    expect(page.locator("#waiting-guest")).to_contain_text("候補者がいまお待ちです")
    expect(page.locator("#rescue-start")).to_have_text("今すぐ参加（ホストとして開始）")
    snap(page, "journey-waiting-03-host-called-in")
    page.locator("#bell").click()
    expect(page.locator("#notifications li").first).to_contain_text(f"{CANDIDATE} さんがお待ちです：一次面接")
    snap(page, "journey-waiting-04-bell")
    mails = smtp.wait_for(lambda messages: len(rescue_mails(smtp)) >= 2, what="the rescue mails")
    assert mails
    assert sorted(rescue_mails(smtp)) == sorted([R1, R2])  # the host; recruiter2 is the alternative host
    assert rescue_mails(smtp)[R1] == f"[HERP] {CANDIDATE} さんがお待ちです：一次面接"

    # The host joins now: HERP fetches the start link, Zoom starts the meeting for them.
    page.goto(interview_url)
    page.locator("#rescue-start").click()
    expect(page.locator("[data-testid=zoom-room]")).to_have_attribute("data-role", "host")
    expect(page.locator("[data-testid=zoom-room-inside]")).to_contain_text(CANDIDATE)
    snap(page, "journey-waiting-05-host-in-the-meeting")
    expect(guest.locator("[data-testid=zoom-room-inside] li")).to_have_count(2, timeout=10_000)  # it reloads

    incident = wait_for(
        lambda: WaitingIncident.objects.filter(closed_at__isnull=False).first(), what="the incident to close"
    )
    # The wait runs from the guest's join to the host's, as Zoom reported them (join_time has whole
    # seconds; participant_jbh_joined, which has no time, is placed at its event_ts).
    rows = Participation.objects.filter(attendance__meeting=meeting)
    host_in = rows.get(role=Participation.Role.PERSON).first_joined_at
    guest_in = rows.get(role=Participation.Role.GUEST).first_joined_at
    assert abs(incident.waited_seconds - (host_in - guest_in).total_seconds()) <= 1
    assert incident.waited_seconds > 0
    page.goto(interview_url)
    expect(page.locator("#waiting-guest")).to_have_count(0)
    expect(page.locator("#attendance .waited")).to_contain_text(re.compile(r"候補者は.+待ちました"))
    expect(page.locator("#attendance tr[data-role=guest]")).to_contain_text(CANDIDATE)
    expect(page.locator("#attendance tr[data-role=person]")).to_have_count(1)
    expect(page.locator("#bell-count")).to_have_text("1")  # still unread, now marked resolved
    snap(page, "journey-waiting-06-the-page-shows-the-wait")
    assert MeetingAttendance.objects.get(meeting=meeting).longest_wait_seconds == incident.waited_seconds

    # The admins' 参加状況 lists the interview with the wait.
    admin.goto(f"{live_server.url}/schedules/attendance/")
    expect(admin.locator("#attendance-report")).to_contain_text("一次面接")
    snap(admin, "journey-waiting-07-attendance-report")
