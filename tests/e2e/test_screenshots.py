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


SHOTS = [
    Shot("login-ja.png", nothing, None, "/login/"),
    Shot("home-admin-ja.png", company_admin, "admin", "/"),
    Shot("home-admin-en.png", company_admin, "admin", "/", language="en"),
    Shot("forbidden-staff-without-company-ja.png", staff_without_company, "staff", "/"),
    Shot("zoom-emulator-index.png", nothing, None, "/zoom-emulator/"),
]


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.file_name.removesuffix(".png") for shot in SHOTS])
def test_it_captures_the_screenshots(shot, request, context, page, live_server):
    rows = shot.setup(request.getfixturevalue)
    if shot.signed_in is not None:
        sign_in_quickly(context, live_server, rows[shot.signed_in])
    if shot.language != "ja":
        choose_language(context, live_server, shot.language)

    response = page.goto(live_server.url + shot.path.format(**rows))

    assert response is not None
    assert response.status < 500, f"{shot.path} answered {response.status}"
    page.screenshot(path=screenshots_dir() / shot.file_name, full_page=True)
