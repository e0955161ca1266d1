"""The integration tier: PostgreSQL (row locks, concurrency), Redis with a real Celery worker, and the
emulator over real HTTP. `bin/tier` only starts it when DATABASE_URL and REDIS_URL are set; here a
service that was named but cannot be reached fails the run instead of skipping it."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def _require_services() -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.fail(f"The integration tier needs PostgreSQL; DATABASE_URL gives {engine}.", pytrace=False)
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        pytest.fail(f"The integration tier needs Redis at REDIS_URL ({settings.REDIS_URL!r}).", pytrace=False)
