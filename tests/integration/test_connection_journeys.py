"""Issue 3's journeys end to end over real HTTP: HERP and the emulated Zoom, no mocks."""

from __future__ import annotations

import pytest

from herp.models import Company
from integrations.models import ZoomInstallation
from tests.integration.conftest import zoom_sign_in

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])


def installation() -> ZoomInstallation:
    return ZoomInstallation.objects.get(company=Company.objects.get(name="株式会社デモ"))


def test_a_zoom_admin_pre_approves_and_authorizes_in_one_go(browser_for):
    admin = browser_for("admin@demo.example")
    zoom_sign_in(admin, "zoom-admin@demo.example")

    admin.get("/settings/integrations/").press(button_id="zoom-connect")
    assert "/zoom-emulator/oauth/authorize" in admin.url
    admin.press("事前承認をとる")
    admin.press("認可")

    assert admin.url.endswith("/settings/integrations/")
    assert 'data-status="connected"' in admin.html
    assert "zoom-admin@demo.example" in admin.html
    connected = installation()
    assert connected.status == ZoomInstallation.Status.CONNECTED
    assert connected.installer_zoom_email == "zoom-admin@demo.example"


def test_a_member_requests_pre_approval_and_connects_after_the_zoom_admin_approves(browser_for):
    from zoom_emulator import accounts

    admin = browser_for("admin@demo.example")
    zoom_sign_in(admin, "admin@demo.example")  # a plain member of the Zoom account

    admin.get("/settings/integrations/").press(button_id="zoom-connect")
    admin.press("事前に承認をとるためのリクエスト")
    assert "リクエスト済み" in admin.html
    assert "/zoom-emulator/" in admin.url  # Zoom does not redirect back while the request waits

    admin.get("/settings/integrations/")
    assert 'data-status="authorizing"' in admin.html
    admin.press(button_id="zoom-pre-approval-requested")
    assert 'data-status="pre_approval_requested"' in admin.html
    assert "山田 花子" in admin.html

    # The Zoom admin finds Zoom's e-mail in the outbox and pre-approves from the Marketplace page.
    zoom_admin = browser_for(None)
    zoom_sign_in(zoom_admin, "zoom-admin@demo.example")
    assert accounts.outbox(to="zoom-admin@demo.example"), "Zoom e-mails the account's admins"
    zoom_admin.get("/zoom-emulator/outbox/")
    zoom_admin.get("/zoom-emulator/marketplace/manage/app-requests/").press("Pre-approve")
    assert accounts.is_preapproved("demo")

    admin.get("/settings/integrations/").press(button_id="zoom-retry")
    admin.press("認可")

    assert 'data-status="connected"' in admin.html
    assert installation().installer_zoom_email == "admin@demo.example"


def test_T01_a_replayed_callback_changes_nothing_over_http(browser_for):
    from zoom_emulator import accounts

    accounts.preapprove("demo")
    admin = browser_for("admin@demo.example")
    zoom_sign_in(admin, "admin@demo.example")
    admin.get("/settings/integrations/").press(button_id="zoom-connect")
    admin.session.max_redirects = 30
    consent = admin.press("認可")
    callback_url = consent.response.history[-1].url if consent.response.history else consent.url
    assert "/integrations/zoom/callback/" in callback_url
    version = installation().grant.token_version

    admin.get(callback_url)

    assert admin.status == 400
    assert installation().grant.token_version == version


def test_T03_the_emulator_refuses_a_wrong_pkce_verifier(demo):
    import requests
    from django.conf import settings

    from integrations import oauth

    response = requests.post(
        f"{settings.ZOOM_OAUTH_BASE_URL}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": "made-up",
            "redirect_uri": f"{settings.SITE_URL}/integrations/zoom/callback/",
            "code_verifier": oauth.new_code_verifier(),
        },
        auth=(settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET),
        timeout=10,
    )
    assert response.status_code == 400
