"""The personas every tier may use, in the manner of healthchecks' ``hc/test.py`` (alice, bob) written as
pytest fixtures the way allauth's ``tests/conftest.py`` writes them. tests/conftest.py registers them.

- ``company``: 株式会社テスト, and ``installer``, its admin 管理 花子.
- ``connect`` / ``connected``: the company connected to Zoom account ``ACCOUNT_ID`` by the installer, with
  the installer's grant (access token ``inst-<company pk>``).
- ``person``: someone of the company who may link Zoom; ``link_factory``: a person's own Zoom link with
  its own grant (access token ``access-<user pk>``); ``linked``: both at once, known to the fake Zoom as the
  host of their meetings; ``alice`` and ``bob``: two linked people (Alice's link is the older one, so she
  hosts when both take part).
- ``zoom``: the fake Zoom (tests/fakes/zoom.py) that plays the meeting endpoints, at ``fake_zoom_hosts``.
- ``desired``: makes a meeting Alice hosts, as scheduling asks for one, without running its reconcile.

The factories they are made with (companies, users, grants, signed-in clients) are in tests/conftest.py;
plain helpers are in tests/helpers.py, tests/flows.py and tests/fakes/.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from herp.models import Company, User
from integrations.models import ZoomGrant, ZoomInstallation
from tests.fakes.zoom import ACCOUNT_ID, API_BASE, OAUTH_BASE, FakeZoom
from tests.helpers import in_days
from zoom.meetings import desired as meetings_desired
from zoom.meetings.desired import MeetingSpec
from zoom.models import ZoomMeeting, ZoomUser


@pytest.fixture
def fake_zoom_hosts(settings) -> None:
    """Zoom's hosts point at the fake's names, which never resolve (see tests/fakes/zoom.py)."""
    settings.ZOOM_OAUTH_BASE_URL = OAUTH_BASE
    settings.ZOOM_API_BASE_URL = API_BASE


@pytest.fixture
def zoom(fake_zoom_hosts) -> Iterator[FakeZoom]:
    """The fake Zoom's meeting endpoints; any other call to Zoom raises ConnectionError."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeZoom(rsps)


@pytest.fixture
def company(company_factory) -> Company:
    return company_factory(name="株式会社テスト")


@pytest.fixture
def installer(company, user_factory) -> User:
    return user_factory(company=company, role=User.Role.ADMIN, name="管理 花子", email="installer@herp.example")


@pytest.fixture
def connect(grant_factory) -> Callable[..., ZoomInstallation]:
    """Connects a company to a Zoom account through its admin's Connect, as the callback completes it."""

    def make(
        company: Company,
        installer: User,
        *,
        account_id: str = ACCOUNT_ID,
        zoom_user_id: str | None = None,
        access_token: str | None = None,
    ) -> ZoomInstallation:
        grant = grant_factory(
            company=company,
            zoom_user_id=zoom_user_id or f"zu_inst_{uuid.uuid4().hex[:6]}",
            access_token=access_token or f"inst-{company.pk}",
        )
        installation = ZoomInstallation.objects.for_company(company)
        installation.start_connect(by=installer)
        installation.complete(grant, account_id, installer=installer, email="installer@zoom.example")
        return installation

    return make


@pytest.fixture
def connected(company, installer, connect) -> ZoomInstallation:
    return connect(company, installer)


@pytest.fixture
def person(company, user_factory) -> Callable[..., User]:
    def make(name: str = "") -> User:
        return user_factory(company=company, name=name or f"社員 {uuid.uuid4().hex[:4]}")

    return make


@pytest.fixture
def link_factory(grant_factory) -> Callable[..., ZoomUser]:
    """A person's Zoom link (active, of ACCOUNT_ID unless told) with its own grant."""

    def make(
        user: User,
        *,
        status: str = ZoomUser.Status.ACTIVE,
        account_id: str = ACCOUNT_ID,
        zoom_user_id: str | None = None,
        access_token: str | None = None,
        **fields: Any,
    ) -> ZoomUser:
        zoom_user_id = zoom_user_id or f"zu_{uuid.uuid4().hex[:10]}"
        grant = grant_factory(
            company=user.company, zoom_user_id=zoom_user_id, access_token=access_token or f"access-{user.pk}"
        )
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
def linked(person, link_factory, zoom) -> Callable[[str], User]:
    """A person with a Zoom link whose meetings the fake Zoom reports as hosted by that link's Zoom user."""

    def make(name: str) -> User:
        user = person(name)
        link = link_factory(user)
        zoom.host_ids[link.grant.decrypt_access_token()] = link.zoom_user_id
        return user

    return make


@pytest.fixture
def alice(linked) -> User:
    return linked("Alice")


@pytest.fixture
def bob(linked) -> User:
    return linked("Bob")


@pytest.fixture
def desired(company, alice) -> Callable[[], ZoomMeeting]:
    """Makes a desired meeting Alice hosts in ten days, whose queued reconcile was not run (its on_commit
    callback is discarded): tests run the reconcile themselves."""

    # Tests travel in time: tokens must not expire on the way (a refresh would need Zoom's OAuth host).
    # Only the grants that exist now are extended: request this after ``connected``.
    ZoomGrant.objects.update(expires_at=datetime(2040, 1, 1, tzinfo=UTC))

    def make() -> ZoomMeeting:
        link = alice.zoom_user
        spec = MeetingSpec(
            topic="一次面接",
            start_time=in_days(10),
            duration=60,
            timezone="Asia/Tokyo",
            host_zoom_user_id=link.zoom_user_id,
            host_email=link.email,
            host_grant_id=link.grant_id,
            host_link_id=link.pk,
            host_user_id=alice.pk,
        )
        return meetings_desired.meeting_create(company=company, spec=spec)

    return make
