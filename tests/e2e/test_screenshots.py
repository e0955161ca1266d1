"""The committed screenshots in docs/screenshots/ (`make screenshots`), one full-page PNG per entry of SHOTS.

To add a page, append a Shot: its file name, a setup that creates the rows it needs and returns them
by name, which of those rows is signed in (or None), the URL path (formatted with the same rows, e.g.
"/interviews/{interview.pk}/") and the language. Setups take `fixture`, pytest's getfixturevalue, to
reach any factory fixture. Fixed names and e-mail addresses keep the images stable between runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from herp.models import User
from tests.e2e.helpers import choose_language, screenshots_dir, sign_in_quickly

Fixture = Callable[[str], Any]


@dataclass(frozen=True)
class Shot:
    file_name: str
    setup: Callable[[Fixture], dict[str, Any]]
    signed_in: str | None
    path: str
    language: str = "ja"


def nothing(fixture: Fixture) -> dict[str, Any]:
    return {}


def company_admin(fixture: Fixture) -> dict[str, Any]:
    company = fixture("company_factory")(name="株式会社サンプル")
    admin = fixture("user_factory")(company=company, role=User.Role.ADMIN, name="山田 花子", email="hanako@example.com")
    return {"company": company, "admin": admin}


def staff_without_company(fixture: Fixture) -> dict[str, Any]:
    return {"staff": fixture("user_factory")(is_staff=True, name="サポート 担当", email="support@example.com")}


ACCOUNT_ID = "kLmN0pQrStUvWxYz012345"


def connection_in(status: str) -> Callable[[Fixture], dict[str, Any]]:
    """The company admin's 外部サービス連携 page with the Zoom card in the given state."""

    def setup(fixture: Fixture) -> dict[str, Any]:
        from django.utils import timezone

        from integrations.models import IntegrationEvent, ZoomInstallation

        rows = company_admin(fixture)
        installation = ZoomInstallation.objects.for_company(rows["company"])
        installation.status = status
        installation.last_attempt_at = timezone.now()
        if status in ("connected", "needs_reconnect", "revoked"):
            installation.zoom_account_id = ACCOUNT_ID
            installation.installer = rows["admin"]
            installation.installer_zoom_email = "hanako@zoom.example"
            installation.grant = fixture("grant_factory")(company=rows["company"], zoom_user_id="zuHanako")
            installation.connected_at = timezone.now()
        if status == "pre_approval_requested":
            installation.pre_approval_requested_by = rows["admin"]
            installation.pre_approval_requested_at = timezone.now()
        if status == "needs_reconnect":
            IntegrationEvent.record(
                rows["company"],
                IntegrationEvent.Kind.NEEDS_RECONNECT,
                reason="Zoom refused the refresh token (invalid_grant)",
            )
        if status == "revoked":
            IntegrationEvent.record(
                rows["company"], IntegrationEvent.Kind.REVOKED, reason="The installer removed the app in Zoom"
            )
        installation.save()
        return rows

    return setup


def personal_link(state: str) -> Callable[[Fixture], dict[str, Any]]:
    """A recruiter's 外部サービスアカウント page: none, active, suspended, invalid, or company_not_connected."""

    def setup(fixture: Fixture) -> dict[str, Any]:
        from zoom.models import ZoomUser

        rows = connection_in("not_connected" if state in ("suspended", "company_not_connected") else "connected")(
            fixture
        )
        recruiter = fixture("user_factory")(company=rows["company"], name="佐藤 一郎", email="ichiro@example.com")
        rows["recruiter"] = recruiter
        if state in ("active", "suspended", "invalid"):
            ZoomUser.objects.create(
                user=recruiter,
                company=rows["company"],
                grant=fixture("grant_factory")(company=rows["company"], zoom_user_id="zuIchiro"),
                zoom_user_id="zuIchiro",
                zoom_account_id=ACCOUNT_ID,
                email="ichiro@zoom.example",
                display_name="佐藤 一郎",
                status=ZoomUser.Status.INVALID if state == "invalid" else ZoomUser.Status.ACTIVE,
                status_reason="grant_revoked" if state == "invalid" else "",
            )
        return rows

    return setup


def members_overview(fixture: Fixture) -> dict[str, Any]:

    rows = personal_link("active")(fixture)
    fixture("user_factory")(company=rows["company"], name="鈴木 二郎", email="jiro@example.com")
    return rows


CARD_STATES = ("not_connected", "authorizing", "pre_approval_requested", "connected", "needs_reconnect", "revoked")
SETTINGS = "/settings/integrations/"

SHOTS = [
    Shot("login-ja.png", nothing, None, "/login/"),
    Shot("home-admin-ja.png", company_admin, "admin", "/"),
    Shot("home-admin-en.png", company_admin, "admin", "/", language="en"),
    Shot("forbidden-staff-without-company-ja.png", staff_without_company, "staff", "/"),
    Shot("zoom-emulator-index.png", nothing, None, "/zoom-emulator/"),
    *(
        Shot(f"integrations-zoom-{status}-ja.png", connection_in(status), "admin", SETTINGS)
        for status in (
            "not_connected",
            "authorizing",
            "pre_approval_requested",
            "connected",
            "needs_reconnect",
            "revoked",
        )
    ),
    Shot("integrations-zoom-connected-en.png", connection_in("connected"), "admin", "/settings/integrations/", "en"),
    Shot(
        "integrations-zoom-authorizing-en.png", connection_in("authorizing"), "admin", "/settings/integrations/", "en"
    ),
    Shot("integrations-zoom-members-ja.png", members_overview, "admin", "/settings/integrations/zoom/members/"),
    *(
        Shot(f"accounts-zoom-{state}-ja.png", personal_link(state), "recruiter", "/accounts/zoom/")
        for state in ("none", "active", "suspended", "invalid", "company_not_connected")
    ),
    Shot("accounts-zoom-active-en.png", personal_link("active"), "recruiter", "/accounts/zoom/", "en"),
]


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.file_name.removesuffix(".png") for shot in SHOTS])
def test_it_captures_the_screenshots(shot, request, context, page, live_server):
    rows = shot.setup(request.getfixturevalue)
    if shot.signed_in is not None:
        sign_in_quickly(context, live_server, rows[shot.signed_in])
    if shot.language != "ja":
        signed_in = rows[shot.signed_in] if shot.signed_in is not None else None
        choose_language(context, live_server, shot.language, user=signed_in)

    response = page.goto(live_server.url + shot.path.format(**rows))

    assert response is not None
    assert response.status < 500, f"{shot.path} answered {response.status}"
    page.screenshot(path=screenshots_dir() / shot.file_name, full_page=True)
