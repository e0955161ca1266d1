from __future__ import annotations

import pytest

from tests.unit.emulator.capture import Capture, capture_fixture  # noqa: F401  (the capture fixture)
from tests.unit.emulator.helpers import connect
from zoom_emulator import accounts, webhooks
from zoom_emulator.models import App
from zoom_emulator.seed import DEMO_ACCOUNT, SeedResult, seed


@pytest.fixture
def unapproved() -> SeedResult:
    """The seed exactly: Demo Inc. requires pre-approval and has not given it to the product's app."""
    return seed(reset=True)


@pytest.fixture
def seeded(unapproved: SeedResult) -> SeedResult:
    # Most tests are about OAuth, not pre-approval: the app is pre-approved for Demo Inc., as it is once a
    # company has connected, so every demo user meets the plain consent page.
    accounts.preapprove(unapproved.accounts[DEMO_ACCOUNT], unapproved.app)
    return unapproved


@pytest.fixture
def app(seeded: SeedResult) -> App:
    return seeded.app


@pytest.fixture
def token(client, app: App) -> str:
    """recruiter1's access token: a member of Demo Inc. with every scope the product asks for."""
    return connect(client, app, "recruiter1@demo.example")["access_token"]


@pytest.fixture(autouse=True)
def _no_retry_outlives_its_test():
    # A delivery to a failing endpoint sleeps minutes between Zoom's retries; end such threads with the test
    # so none wakes up later against another test's database.
    yield
    webhooks.stop_retries()


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> tuple[float, ...]:
    """Zoom's 5/20/60-minute retry delays shortened to tenths of a second."""
    delays = (0.1, 0.2, 0.3)
    monkeypatch.setattr(webhooks, "RETRY_DELAYS", delays)
    return delays


@pytest.fixture
def hooked(app: App, capture: Capture) -> Capture:
    """The product's app with its event URL pointed at a local capture server."""
    app.event_url = capture.url
    app.save(update_fields=["event_url"])
    return capture
