"""A connected company with people who may link Zoom, shared by the scheduling and meeting tests
(tests/unit/zoom/test_meetings_*.py import them from here)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from herp.models import Company, User
from integrations.models import ZoomInstallation
from zoom.models import ZoomUser

ACCOUNT_ID = "acct_sched_0000001"
API_BASE = "https://api.zoom.test/v2"


@pytest.fixture(autouse=True)
def fake_zoom(settings):
    settings.ZOOM_API_BASE_URL = API_BASE
    settings.ZOOM_OAUTH_BASE_URL = "https://zoom.test"


@pytest.fixture
def company(company_factory) -> Company:
    return company_factory(name="株式会社スケジュール")


@pytest.fixture
def installer(company, user_factory) -> User:
    return user_factory(company=company, role=User.Role.ADMIN, name="管理 花子", email="installer@herp.example")


@pytest.fixture
def connect(grant_factory) -> Callable[..., ZoomInstallation]:
    def make(company: Company, installer: User, *, account_id: str = ACCOUNT_ID) -> ZoomInstallation:
        grant = grant_factory(
            company=company, zoom_user_id=f"zu_inst_{uuid.uuid4().hex[:6]}", access_token=f"inst-{company.pk}"
        )
        installation = ZoomInstallation.objects.for_company(company)
        installation.status = ZoomInstallation.Status.AUTHORIZING
        installation.save()
        installation.complete(grant, account_id, installer=installer, email="installer@zoom.example")
        return installation

    return make


@pytest.fixture
def connected(company, installer, connect) -> ZoomInstallation:
    return connect(company, installer)


@pytest.fixture
def link_factory(grant_factory) -> Callable[..., ZoomUser]:
    """A person's Zoom link (active, of ACCOUNT_ID unless told) with its own grant."""

    def make(user: User, *, status: str = ZoomUser.Status.ACTIVE, account_id: str = ACCOUNT_ID, **fields: Any):
        zoom_user_id = f"zu_{uuid.uuid4().hex[:10]}"
        grant = grant_factory(company=user.company, zoom_user_id=zoom_user_id, access_token=f"access-{user.pk}")
        return ZoomUser.objects.create(
            user=user,
            company=user.company,
            grant=grant,
            zoom_user_id=zoom_user_id,
            zoom_account_id=account_id,
            email=f"zoom-{user.pk}@zoom.example",
            display_name=user.display_name,
            status=status,
            **fields,
        )

    return make


@pytest.fixture
def person(company, user_factory) -> Callable[..., User]:
    def make(name: str = "") -> User:
        return user_factory(company=company, name=name or f"社員 {uuid.uuid4().hex[:4]}")

    return make


def in_days(days: int = 1, hour: int = 10) -> Any:
    # In Asia/Tokyo (TIME_ZONE), the zone the schedules use.
    return timezone.localtime(timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def zoom() -> Any:
    """A fake Zoom (`responses`) that plays the meeting endpoints; see zoomfake.py."""
    import responses

    from tests.unit.scheduling.zoomfake import FakeZoom

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeZoom(rsps)


@pytest.fixture
def alice(person, link_factory) -> User:
    user = person("Alice")
    link_factory(user)
    return user


@pytest.fixture
def bob(person, link_factory) -> User:
    user = person("Bob")
    link_factory(user)
    return user
