"""Fixtures of the token layer's unit tests: fake Zoom hosts, grants and installations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from integrations.models import ZoomInstallation

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "zoom"
OAUTH_BASE = "https://zoom.test"
API_BASE = "https://api.zoom.test/v2"
TOKEN_URL = f"{OAUTH_BASE}/oauth/token"
CLIENT_ID = "unitClientId"
CLIENT_SECRET = "unitClientSecret0123456789abcdef"


def zoom_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def fake_zoom(settings):
    """Zoom's hosts point at names that never resolve: with `responses` active an unmatched call
    raises ConnectionError, and without it nothing can reach the internet."""
    settings.ZOOM_OAUTH_BASE_URL = OAUTH_BASE
    settings.ZOOM_API_BASE_URL = API_BASE
    settings.ZOOM_CLIENT_ID = CLIENT_ID
    settings.ZOOM_CLIENT_SECRET = CLIENT_SECRET
    settings.ADMINS = []
    return settings


@pytest.fixture
def installation_factory(db, company_factory, user_factory, grant_factory) -> Callable[..., ZoomInstallation]:
    """An installation in the given status with every field that status implies."""

    def make(*, company=None, status: str = ZoomInstallation.Status.CONNECTED, **fields: Any) -> ZoomInstallation:
        company = company or company_factory()
        values: dict[str, Any] = {"company": company, "status": status}
        if status in (
            ZoomInstallation.Status.CONNECTED,
            ZoomInstallation.Status.NEEDS_RECONNECT,
            ZoomInstallation.Status.REVOKED,
        ):
            installer = user_factory(company=company, role="admin")
            values.update(
                zoom_account_id=f"acct{uuid.uuid4().hex[:10]}",
                installer=installer,
                installer_zoom_email=installer.email,
                grant=grant_factory(company=company),
                connected_at=timezone.now(),
            )
        values.update(fields)
        return ZoomInstallation.objects.create(**values)

    return make


@pytest.fixture
def admin_of(user_factory) -> Callable[..., Any]:
    def make(company):
        return user_factory(company=company, role="admin")

    return make
