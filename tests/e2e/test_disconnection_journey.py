"""The company's Zoom connection dies in an ordinary way, in a real browser: the installer removes the app
in Zoom, the admin's card says why at once (one webhook delivery), and Reconnect brings it back."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import demo_world, sign_in, snap, zoom_sign_in


def test_the_installer_removes_the_app_the_card_says_why_and_reconnect_fixes_it(page, live_server):
    from zoom_emulator import webhooks

    demo_world(live_server)
    zoom_sign_in(page, live_server, "zoom-admin@demo.example")
    sign_in(page, live_server, "admin@demo.example", "herp-demo")
    page.goto(f"{live_server.url}/settings/integrations/")
    page.locator("#zoom-connect").click()
    page.get_by_role("button", name="事前承認をとる").click()
    page.get_by_role("button", name="認可").click()
    expect(page.locator("#zoom-card")).to_have_attribute("data-status", "connected")

    page.goto(f"{live_server.url}/zoom-emulator/profile/apps/")
    snap(page, "journey-disconnect-01-zoom-added-apps")
    page.get_by_role("button", name="削除 (Remove)").click()
    assert webhooks.wait_for_deliveries(timeout=10)

    page.goto(f"{live_server.url}/settings/integrations/")
    expect(page.locator("#zoom-card")).to_have_attribute("data-status", "revoked")
    expect(page.locator("#zoom-card")).to_contain_text(
        "ZoomでHERPのアプリが削除されました。"
    )  # the reason, from its code
    expect(page.locator(".banner-warn")).to_be_visible()
    snap(page, "journey-disconnect-02-card-revoked")

    page.locator("#zoom-reconnect").click()
    page.get_by_role("button", name="認可").click()
    expect(page.locator("#zoom-card")).to_have_attribute("data-status", "connected")
    expect(page.locator(".banner-warn")).to_have_count(0)
    snap(page, "journey-disconnect-03-reconnected")
