"""Every scheduling test runs with Zoom at the fake's hosts; the personas are in tests/personas.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _zoom_at_fake_hosts(fake_zoom_hosts) -> None:
    pass
