"""外部サービス連携 in a real browser: both pre-approval paths, as a company admin meets them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import demo_world, sign_in, snap, zoom_sign_in


def card(page):
    return page.locator("#zoom-card")


def test_a_zoom_admin_connects_with_pre_approve_then_authorize(page, live_server):
    demo_world(live_server)
    zoom_sign_in(page, live_server, "zoom-admin@demo.example")
    sign_in(page, live_server, "admin@demo.example", "herp-demo")

    page.goto(f"{live_server.url}/settings/integrations/")
    expect(card(page)).to_have_attribute("data-status", "not_connected")
    snap(page, "journey-connect-01-not-connected")
    page.locator("#zoom-connect").click()

    expect(page.get_by_role("button", name="事前承認をとる")).to_be_visible()
    snap(page, "journey-connect-02-zoom-pre-approve")
    page.get_by_role("button", name="事前承認をとる").click()
    snap(page, "journey-connect-03-zoom-consent")
    page.get_by_role("button", name="認可").click()

    expect(card(page)).to_have_attribute("data-status", "connected")
    expect(page.locator("main")).to_contain_text("zoom-admin@demo.example")
    expect(page.locator(".messages")).to_contain_text("Zoomと連携しました")
    snap(page, "journey-connect-04-connected")


def test_a_member_requests_pre_approval_waits_and_connects_after_approval(page, new_context, live_server):
    demo_world(live_server)
    zoom_sign_in(page, live_server, "admin@demo.example")
    sign_in(page, live_server, "admin@demo.example", "herp-demo")

    page.goto(f"{live_server.url}/settings/integrations/")
    page.locator("#zoom-connect").click()
    page.get_by_role("button", name="事前に承認をとるためのリクエスト").click()
    expect(page.get_by_role("button", name="リクエスト済み")).to_be_disabled()
    snap(page, "journey-request-01-zoom-requested")

    # Zoom never comes back by itself: the admin returns to the settings page.
    page.goto(f"{live_server.url}/settings/integrations/")
    expect(card(page)).to_have_attribute("data-status", "authorizing")
    snap(page, "journey-request-02-came-back")
    page.locator("#zoom-pre-approval-requested").click()
    expect(card(page)).to_have_attribute("data-status", "pre_approval_requested")
    snap(page, "journey-request-03-waiting")

    # The Zoom admin opens Zoom's e-mail in the outbox and pre-approves from the Marketplace page.
    zoom_admin = new_context().new_page()
    zoom_sign_in(zoom_admin, live_server, "zoom-admin@demo.example")
    zoom_admin.goto(f"{live_server.url}/zoom-emulator/outbox/")
    snap(zoom_admin, "journey-request-04-zoom-outbox")
    zoom_admin.locator("[data-testid=zoom-outbox-email] a").first.click()
    zoom_admin.get_by_role("button", name="Pre-approve").first.click()
    snap(zoom_admin, "journey-request-05-zoom-pre-approved")

    page.locator("#zoom-retry").click()
    page.get_by_role("button", name="認可").click()
    expect(card(page)).to_have_attribute("data-status", "connected")
    snap(page, "journey-request-06-connected")


def test_the_card_reads_in_english_too(page, live_server):
    demo_world(live_server)
    zoom_sign_in(page, live_server, "admin@demo.example")
    sign_in(page, live_server, "admin@demo.example", "herp-demo")
    page.goto(f"{live_server.url}/settings/integrations/")
    page.locator("header .language-switch button[lang=en]").click()
    page.locator("#zoom-connect").click()
    page.goto(f"{live_server.url}/settings/integrations/")

    expect(page.locator("h1")).to_have_text("External service integration")
    expect(page.locator("#zoom-pre-approval-requested")).to_have_text("I requested pre-approval")
    snap(page, "journey-connect-en-authorizing")
