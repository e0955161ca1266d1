"""Guests would wait for the host, in a real browser: Zoom's account locks the waiting room on, the
interview's page shows the override and its remedy, the checklist says which cause applies and who must
act, and "fix what we can" reports what stayed locked — then fixes it once the lock is lifted."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import demo_world, sign_in, snap, zoom_sign_in


def connect_and_link(page, new_context, live_server) -> None:
    admin = new_context().new_page()
    zoom_sign_in(admin, live_server, "zoom-admin@demo.example")
    sign_in(admin, live_server, "admin@demo.example", "herp-demo")
    admin.goto(f"{live_server.url}/settings/integrations/")
    admin.locator("#zoom-connect").click()
    admin.get_by_role("button", name="事前承認をとる").click()
    admin.get_by_role("button", name="認可").click()
    expect(admin.locator("#zoom-card")).to_have_attribute("data-status", "connected")

    zoom_sign_in(page, live_server, "recruiter1@demo.example")
    sign_in(page, live_server, "recruiter1@demo.example", "herp-demo")
    page.goto(f"{live_server.url}/accounts/zoom/")
    page.locator("#zoom-link").click()
    page.get_by_role("button", name="認可").click()
    expect(page.locator("#zoom-link-card")).to_have_attribute("data-status", "active")


def test_a_locked_waiting_room_is_explained_checked_and_fixed_once_unlocked(page, new_context, live_server):
    from zoom_emulator import meetings as zoom_side

    demo_world(live_server)
    connect_and_link(page, new_context, live_server)
    zoom_side.set_policy("demo", waiting_room=True, waiting_room_locked=True)

    page.goto(f"{live_server.url}/schedules/new/")
    page.locator("#id_new_candidate_name").fill("候補 花子")
    page.locator("#id_new_candidate_email").fill("hanako@candidate.example")
    page.locator("#id_title").fill("一次面接")
    starts = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    page.locator("#id_starts_at").fill(starts)
    page.get_by_label("佐藤 一郎").check()
    expect(page.locator("#host-preview")).to_contain_text("佐藤 一郎")
    page.locator("#schedule-save").click()

    expect(page.locator("main")).to_contain_text("待機室")
    snap(page, "journey-override-01-warning")

    page.locator("#meeting-troubleshoot").click()
    expect(page.locator("#check-waiting_room")).to_have_attribute("data-status", "failed")
    expect(page.locator("#check-host")).to_have_attribute("data-status", "passed")
    snap(page, "journey-override-02-checklist")

    page.locator("#troubleshoot-fix").click()
    expect(page.locator("#fix-outcome")).to_be_visible()
    expect(page.locator("#check-waiting_room")).to_have_attribute("data-status", "failed")  # still locked
    snap(page, "journey-override-03-still-locked")

    # A Zoom admin lifts the lock; "fix what we can" now turns the waiting room off.
    zoom_side.set_policy("demo", waiting_room_locked=False)
    page.locator("#troubleshoot-fix").click()
    expect(page.locator("#check-waiting_room")).to_have_attribute("data-status", "passed")
    snap(page, "journey-override-04-fixed")
