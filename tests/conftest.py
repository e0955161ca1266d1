"""Factories shared by every tier, each a callable with uuid-unique defaults, and support staff's client.
The personas made with them (a connected company, Alice and Bob, the fake Zoom) are in tests/personas.py,
registered here for every tier."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from herp.models import Company, User
from herp.support import SUPPORT_GROUP

pytest_plugins = ["tests.personas"]

# Hypothesis profiles. "ci" (the default) keeps every fuzz suite to a bounded number of examples, with no
# deadline (a request through the whole stack has no steady duration on a loaded machine) and the same
# examples on every run, so the unit tier stays inside its budget and a failure repeats. "deep" explores:
# HYPOTHESIS_PROFILE=deep make unit.
_FIXTURE_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "ci", max_examples=5, deadline=None, derandomize=True, database=None, suppress_health_check=_FIXTURE_CHECKS
)
hypothesis_settings.register_profile(
    "integration",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_FIXTURE_CHECKS,
)
hypothesis_settings.register_profile("deep", max_examples=400, deadline=None, suppress_health_check=_FIXTURE_CHECKS)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DEMO_PASSWORD = "correct-horse-battery"


@pytest.fixture
def company_factory(db) -> Callable[..., Company]:
    def make(name: str | None = None) -> Company:
        return Company.objects.create(name=name or f"Company {uuid.uuid4().hex[:6]}")

    return make


@pytest.fixture
def user_factory(db, company_factory) -> Callable[..., User]:
    def make(
        *,
        company: Company | None = None,
        role: str = User.Role.MEMBER,
        email: str | None = None,
        password: str = DEMO_PASSWORD,
        **fields: Any,
    ) -> User:
        if company is None and not fields.get("is_staff"):
            company = company_factory()
        return User.objects.create_user(
            email=email or f"user-{uuid.uuid4().hex[:8]}@example.com",
            password=password,
            company=company,
            role=role,
            **fields,
        )

    return make


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """A test client signed in as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def support_client(user_factory, client_for) -> Client:
    """Support staff (in the support group, no company) signed in to the admin."""
    staff = user_factory(is_staff=True, email="support@herp.example")
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    return client_for(staff)


@pytest.fixture
def grant_factory(db, company_factory) -> Callable[..., Any]:
    """A stored, encrypted ZoomGrant (tokens default to unique values)."""
    from integrations.models import ZoomGrant

    def make(
        *,
        company: Company | None = None,
        zoom_user_id: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        expires_in: int = 3600,
        status: str = ZoomGrant.Status.ACTIVE,
        token_version: int = 1,
    ) -> ZoomGrant:
        suffix = uuid.uuid4().hex[:10]
        grant = ZoomGrant(
            company=company or company_factory(),
            zoom_user_id=zoom_user_id or f"zu{suffix}",
            expires_at=timezone.now() + timedelta(seconds=expires_in),
            scopes=["user:read:user", "meeting:write:meeting"],
            status=status,
            token_version=token_version,
        )
        grant.access_token = grant.encrypt("access_token", access_token or f"access-{suffix}")
        grant.refresh_token = grant.encrypt("refresh_token", refresh_token or f"refresh-{suffix}")
        grant.save()
        return grant

    return make
