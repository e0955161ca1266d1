"""Small helpers shared by test modules (fixtures live in conftest.py files)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

T = TypeVar("T")


def in_english(client: Client) -> Client:
    """The product speaks Japanese unless the person chose English; tests that read English copy choose it.

    As the language switch does: the cookie, and the signed-in person's stored language (which wins).
    """
    from herp.models import User

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    user_id = client.session.get(SESSION_KEY)
    if user_id is not None:
        User.objects.filter(pk=user_id).update(language="en")
    return client


def in_days(days: int = 1, hour: int = 10) -> datetime:
    """``hour`` o'clock ``days`` from now in Asia/Tokyo (TIME_ZONE), the zone the schedules use."""
    return timezone.localtime(timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def wait_for(check: Callable[[], T], *, timeout: float = 45.0, what: str = "the worker") -> T:
    """Poll ``check`` until it returns something truthy, for at most ``timeout`` seconds: how the tiers
    with a worker or a server wait, never by sleeping a fixed time."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
