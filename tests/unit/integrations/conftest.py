"""Fixtures of the token layer's unit tests: Zoom at the fake's hosts with our app's credentials there,
installations in any status, and admins."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from integrations.models import ZoomInstallation
from tests.fakes.zoom import CLIENT_ID, CLIENT_SECRET


@pytest.fixture(autouse=True)
def fake_zoom(settings, fake_zoom_hosts):
    """Zoom at the fake's hosts (tests/fakes/zoom.py), knowing our app by CLIENT_ID and CLIENT_SECRET."""
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
