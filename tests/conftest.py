"""Factories shared by every tier. Each returns a callable with uuid-unique defaults."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from herp.models import Company, User

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
