"""Small helpers shared by test modules (fixtures live in conftest.py files)."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def in_english(client: Client) -> Client:
    """The product speaks Japanese unless the person chose English; tests that read English copy choose it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
