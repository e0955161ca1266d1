"""Issue 4's journeys end to end over real HTTP: personal links through the emulated Zoom, no mocks."""

from __future__ import annotations

import pytest

from herp.models import User
from integrations import tokens
from integrations.models import ZoomGrant, ZoomInstallation
from integrations.zoom_api import client as zoom_client
from tests.integration.conftest import zoom_sign_in
from zoom.models import ZoomUser

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])


@pytest.fixture
def connected(browser_for):
    """The demo company connected by its admin, signed in to Zoom as the Zoom admin (who pre-approves)."""
    admin = browser_for("admin@demo.example")
    zoom_sign_in(admin, "zoom-admin@demo.example")
    admin.get("/settings/integrations/").press(button_id="zoom-connect")
    admin.press("事前承認をとる").press("認可")
    assert 'data-status="connected"' in admin.html
    return admin


def link(browser, zoom_email: str):
    zoom_sign_in(browser, zoom_email)
    browser.get("/accounts/zoom/").press(button_id="zoom-link")
    if "/zoom-emulator/oauth/authorize" in browser.url:
        browser.press("認可")
    return browser


def link_of(email: str) -> ZoomUser | None:
    return ZoomUser.objects.filter(user__email=email).first()


def test_recruiter1_links_at_once(connected, browser_for):
    recruiter = link(browser_for("recruiter1@demo.example"), "recruiter1@demo.example")

    assert recruiter.url.endswith("/accounts/zoom/")
    assert 'data-status="active"' in recruiter.html
    assert link_of("recruiter1@demo.example").status == ZoomUser.Status.ACTIVE


def test_a_personal_account_is_refused_with_its_email_and_both_remedies_then_recovers(connected, browser_for):
    recruiter3 = link(browser_for("recruiter3@demo.example"), "recruiter3@personal.example")

    assert recruiter3.status == 400
    assert 'data-reason="other_account"' in recruiter3.html
    assert "recruiter3@personal.example" in recruiter3.html
    assert "ユーザーを追加する" in recruiter3.html
    assert "山田 花子" in recruiter3.html  # the installer, named
    assert link_of("recruiter3@demo.example") is None

    # The Zoom admin adds a work Zoom user for recruiter3 in 「ユーザー管理」.
    zoom_admin = browser_for(None)
    zoom_sign_in(zoom_admin, "zoom-admin@demo.example")
    zoom_admin.get("/zoom-emulator/admin/users/add/").press(
        "追加",
        data={
            "email": "recruiter3@demo.example",
            "first_name": "三郎",
            "last_name": "高橋",
            "role": "member",
            "status": "active",
        },
    )
    # recruiter3 signs out of the personal Zoom account (profile → Sign out), signs in with the work one.
    recruiter3.get("/zoom-emulator/profile/").press("Sign out")
    link(recruiter3, "recruiter3@demo.example")

    assert 'data-status="active"' in recruiter3.html
    assert link_of("recruiter3@demo.example").email == "recruiter3@demo.example"


def test_a_zoom_user_removed_from_the_account_is_refused(connected, browser_for):
    from zoom_emulator import accounts

    accounts.remove_from_account("recruiter2@demo.example")
    recruiter2 = link(browser_for("recruiter2@demo.example"), "recruiter2@demo.example")

    assert 'data-reason="other_account"' in recruiter2.html
    assert "recruiter2@demo.example" in recruiter2.html
    assert link_of("recruiter2@demo.example") is None


def test_linking_before_the_company_connected_says_so(browser_for):
    recruiter = browser_for("recruiter1@demo.example")
    zoom_sign_in(recruiter, "recruiter1@demo.example")
    recruiter.get("/accounts/zoom/")
    assert 'data-status="none"' in recruiter.html
    assert not recruiter.has_button("Zoomと連携する")  # the page says the company must connect first


def test_the_installer_linking_personally_keeps_the_connection_working(connected, browser_for):
    link(connected, "zoom-admin@demo.example")

    installation = ZoomInstallation.objects.get()
    own = link_of("admin@demo.example")
    assert own.grant_id == installation.grant_id
    assert ZoomGrant.objects.filter(zoom_user_id=own.zoom_user_id).count() == 1
    # The connection's token is the fresh one Zoom issued for the link: it still works.
    me = tokens.call_with_token(installation.grant_id, zoom_client.get_me)
    assert me.email == "zoom-admin@demo.example"


def test_a_zoom_user_already_linked_by_someone_else_is_refused_without_naming_them(connected, browser_for):
    link(browser_for("recruiter1@demo.example"), "recruiter1@demo.example")
    recruiter2 = link(browser_for("recruiter2@demo.example"), "recruiter1@demo.example")

    assert 'data-reason="zoom_user_linked_elsewhere"' in recruiter2.html
    assert "佐藤" not in recruiter2.html
    assert link_of("recruiter2@demo.example") is None
    assert link_of("recruiter1@demo.example").status == ZoomUser.Status.ACTIVE


def test_unlink_and_relink(connected, browser_for):
    recruiter = link(browser_for("recruiter1@demo.example"), "recruiter1@demo.example")
    recruiter.press(button_id="zoom-unlink")
    assert link_of("recruiter1@demo.example").status == ZoomUser.Status.UNLINKED
    assert 'data-status="unlinked"' in recruiter.html

    link(recruiter, "recruiter1@demo.example")
    assert link_of("recruiter1@demo.example").status == ZoomUser.Status.ACTIVE


def test_links_are_suspended_on_disconnect_and_resume_on_reconnect(connected, browser_for):
    recruiter = link(browser_for("recruiter1@demo.example"), "recruiter1@demo.example")

    connected.get("/settings/integrations/zoom/disconnect/").press(button_id="zoom-disconnect-confirm")
    assert 'data-status="not_connected"' in connected.html
    recruiter.get("/accounts/zoom/")
    assert 'data-status="suspended"' in recruiter.html
    assert not ZoomUser.objects.usable().exists()

    connected.get("/settings/integrations/").press(button_id="zoom-connect")
    connected.press("認可")
    recruiter.get("/accounts/zoom/")
    assert 'data-status="active"' in recruiter.html
    assert list(ZoomUser.objects.usable().values_list("user__email", flat=True)) == ["recruiter1@demo.example"]


def test_T11_tokens_never_reach_logs_or_pages_in_the_link_flow(connected, browser_for, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        recruiter = link(browser_for("recruiter1@demo.example"), "recruiter1@demo.example")
    grant = link_of("recruiter1@demo.example").grant
    secrets = [grant.decrypt_access_token(), grant.decrypt_refresh_token()]
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in recruiter.html
    assert User.objects.filter(email="recruiter1@demo.example").exists()


def test_a_person_moved_out_of_the_zoom_account_is_found_by_the_next_upkeep(connected, browser_for):
    from django.core import mail

    from zoom.upkeep import upkeep_run
    from zoom_emulator import accounts

    link(browser_for("recruiter2@demo.example"), "recruiter2@demo.example")
    assert link_of("recruiter2@demo.example").status == ZoomUser.Status.ACTIVE

    accounts.remove_from_account("recruiter2@demo.example")
    report = upkeep_run()

    moved = link_of("recruiter2@demo.example")
    assert moved.status == ZoomUser.Status.INVALID
    assert moved.status_reason == "moved_out_of_account"
    assert report.links_invalidated == 1
    assert "recruiter2@demo.example" in [address for message in mail.outbox for address in message.to]
    assert ZoomInstallation.objects.get().status == ZoomInstallation.Status.CONNECTED
