"""Small helpers shared by test modules (fixtures live in conftest.py files)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone


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
