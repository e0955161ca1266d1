from __future__ import annotations

import pytest

from zoom_emulator.seed import SeedResult, seed


@pytest.fixture
def seeded() -> SeedResult:
    return seed(reset=True)


@pytest.fixture
def app(seeded):
    return seeded.app
