"""外部サービスアカウント in a real browser: a link that works, and a personal account refused then fixed."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import demo_world, sign_in, snap, zoom_sign_in


def connect_company(page, live_server) -> None:
    zoom_sign_in(page, live_server, "zoom-admin@demo.example")
    sign_in(page, live_server, "admin@demo.example", "herp-demo")
    page.goto(f"{live_server.url}/settings/integrations/")
    page.locator("#zoom-connect").click()
    page.get_by_role("button", name="事前承認をとる").click()
    page.get_by_role("button", name="認可").click()
    expect(page.locator("#zoom-card")).to_have_attribute("data-status", "connected")


def test_recruiter1_links_their_zoom_user(page, new_context, live_server):
    demo_world(live_server)
    connect_company(new_context().new_page(), live_server)

    zoom_sign_in(page, live_server, "recruiter1@demo.example")
    sign_in(page, live_server, "recruiter1@demo.example", "herp-demo")
    page.goto(f"{live_server.url}/accounts/zoom/")
    snap(page, "journey-link-01-not-linked")
    page.locator("#zoom-link").click()
    page.get_by_role("button", name="認可").click()

    expect(page.locator("#zoom-link-card")).to_have_attribute("data-status", "active")
    expect(page.locator("main")).to_contain_text("recruiter1@demo.example")
    snap(page, "journey-link-02-linked")


def test_a_personal_zoom_account_is_refused_then_the_work_user_links(page, new_context, live_server):
    demo_world(live_server)
    admin_page = new_context().new_page()
    connect_company(admin_page, live_server)

    zoom_sign_in(page, live_server, "recruiter3@personal.example")
    sign_in(page, live_server, "recruiter3@demo.example", "herp-demo")
    page.goto(f"{live_server.url}/accounts/zoom/")
    page.locator("#zoom-link").click()
    page.get_by_role("button", name="認可").click()

    expect(page.locator("#callback-failed")).to_have_attribute("data-reason", "other_account")
    expect(page.locator("#found-email")).to_have_text("recruiter3@personal.example")
    expect(page.locator("main")).to_contain_text("ユーザーを追加する")
    snap(page, "journey-link-03-personal-account-refused")

    # The Zoom admin adds a work Zoom user for recruiter3 in 「ユーザー管理」.
    zoom_admin = new_context().new_page()
    zoom_sign_in(zoom_admin, live_server, "zoom-admin@demo.example")
    zoom_admin.goto(f"{live_server.url}/zoom-emulator/admin/users/add/")
    zoom_admin.locator("input[name=email]").fill("recruiter3@demo.example")
    zoom_admin.locator("input[name=first_name]").fill("三郎")
    zoom_admin.locator("input[name=last_name]").fill("高橋")
    zoom_admin.get_by_role("button", name="追加").click()
    snap(zoom_admin, "journey-link-04-zoom-user-added")

    # recruiter3 signs out of the personal account in Zoom's portal and signs in with the work user.
    page.goto(f"{live_server.url}/zoom-emulator/profile/")
    page.locator("main").get_by_role("button", name="Sign out").click()
    zoom_sign_in(page, live_server, "recruiter3@demo.example")
    page.goto(f"{live_server.url}/accounts/zoom/")
    page.locator("#zoom-link").click()
    page.get_by_role("button", name="認可").click()

    expect(page.locator("#zoom-link-card")).to_have_attribute("data-status", "active")
    expect(page.locator("main")).to_contain_text("recruiter3@demo.example")
    snap(page, "journey-link-05-work-user-linked")
