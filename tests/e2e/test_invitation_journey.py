"""Issue 12's "Done when", in a real browser: as recruiter1, an interview is created → the candidate's
and the interviewers' mails arrive at a real SMTP server with a calendar event; it is moved → updates
with the same UID and a higher SEQUENCE; the host changes → the new URL goes out and the page says so;
it is cancelled → cancellations.

The browser tier has no broker: the reconcile and the sends run eagerly inside the save's request,
against the emulator on the same live server, and the mails go to an aiosmtpd server on a free port.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_world, snap
from tests.e2e.test_schedule_journey import R1, R1_NAME, R2, connect_company, fill_schedule, link_zoom
from tests.smtp import SmtpServer
from tests.unit.invitations.mailbox import Received, final_events, parse

CANDIDATE = "taro@candidate.example"


def new_mails(smtp: SmtpServer, seen: int, count: int) -> list[Received]:
    messages = smtp.wait_for(lambda messages: len(messages) >= seen + count, what=f"{count} more mails")
    return [parse(raw) for raw in messages[seen:]]


def row(page: Page, key_prefix: str):
    return page.locator(f'#invitation-list tr[data-recipient^="{key_prefix}"]')


def test_invitations_follow_an_interview_from_creation_to_cancellation(page, new_context, live_server, smtp):
    demo_world(live_server)
    connect_company(new_context().new_page(), live_server)
    link_zoom(page, live_server, R1)  # first: recruiter1's link has the smaller internal id, so they host
    link_zoom(new_context().new_page(), live_server, R2)
    day = (timezone.now() + timedelta(days=14)).date()

    # Created: once Zoom made the meeting, the candidate and both interviewers get an invitation.
    page.goto(f"{live_server.url}/schedules/new/")
    fill_schedule(page, title="一次面接", local_start=f"{day}T10:00", candidate="候補 太郎")
    page.locator("#id_new_candidate_email").fill(CANDIDATE)
    page.locator("#schedule-save").click()
    expect(page.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "created")
    first_url = page.locator("#join-url").get_attribute("href")
    invitations = new_mails(smtp, 0, 3)
    assert sorted(mail.to for mail in invitations) == sorted([CANDIDATE, R1, R2])
    uid = invitations[0].uid
    for mail in invitations:
        assert (mail.method, mail.mime_method, mail.sequence, mail.uid) == ("REQUEST", "REQUEST", 0, uid)
        assert mail.location == first_url
        assert mail.attendees == [mail.to]
    [candidate] = [mail for mail in invitations if mail.to == CANDIDATE]
    assert candidate.subject == "【株式会社デモ】一次面接のご案内"
    assert first_url in candidate.text
    expect(row(page, "candidate:")).to_have_attribute("data-status", "sent")
    expect(row(page, "candidate:")).to_have_attribute("data-sequence", "0")
    expect(page.locator("#invitation-copy")).to_have_text("招待文をコピー")
    snap(page, "journey-invite-01-invitations-sent")

    # Moved: the same event is updated for everyone.
    page.locator("#schedule-edit").click()
    page.locator("#id_starts_at").fill(f"{day + timedelta(days=1)}T11:30")
    page.locator("#schedule-save").click()
    expect(row(page, "candidate:")).to_have_attribute("data-kind", "update")
    updates = new_mails(smtp, 3, 3)
    for mail in updates:
        assert (mail.method, mail.uid) == ("REQUEST", uid)
        assert mail.sequence > 0
        assert mail.start.strftime("%Y-%m-%d %H:%M") == f"{day + timedelta(days=1)} 11:30"
    snap(page, "journey-invite-02-moved-updates-sent")

    # The host changes (recruiter1 is no longer a participant): a new meeting, its URL goes out, the page says so.
    page.locator("#schedule-edit").click()
    page.get_by_label(R1_NAME).uncheck()
    page.locator("#schedule-save").click()
    expect(page.locator("#url-changed")).to_contain_text("URLが変わりました。")
    new_url = page.locator("#join-url").get_attribute("href")
    assert new_url != first_url
    changes = {mail.to: mail for mail in new_mails(smtp, 6, 3)}
    assert changes[R1].method == changes[R1].mime_method == "CANCEL"
    for address in (CANDIDATE, R2):
        assert (changes[address].method, changes[address].location, changes[address].uid) == ("REQUEST", new_url, uid)
    assert "以前お送りしたURLはご利用いただけなくなりました" in changes[CANDIDATE].text
    expect(row(page, "user:")).to_have_count(2)
    snap(page, "journey-invite-03-host-changed-new-url-sent")

    # Cancelled: everyone still holding the event gets a cancellation.
    page.locator("#schedule-cancel").click()
    expect(page.locator("#cancel-notice")).to_contain_text("キャンセルのお知らせがメールで届き")
    page.locator("#schedule-cancel-confirm").click()
    expect(row(page, "candidate:")).to_have_attribute("data-kind", "cancellation")
    cancellations = new_mails(smtp, 9, 2)
    assert sorted(mail.to for mail in cancellations) == sorted([CANDIDATE, R2])
    assert {(mail.method, mail.mime_method) for mail in cancellations} == {("CANCEL", "CANCEL")}
    everything = [parse(raw) for raw in smtp.messages()]
    assert len(everything) == 11
    assert all(event is None for events in final_events(everything).values() for event in events.values())
    assert re.search(r"data-status=\"sent\"", page.content())
    snap(page, "journey-invite-04-cancelled-cancellations-sent")
