"""The browser tier: Debian's Chromium, driven by Playwright's sync API, against pytest-django's live_server.

Every test here runs in a transactional database on both aliases (the emulator keeps its own) and gets a
fresh browser context; the browser itself starts once per session. `bin/tier e2e` only runs this tier
when Chromium is installed. Helpers for journeys live in tests/e2e/helpers.py.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from tests.e2e.helpers import PROJECT_ROOT
from tests.smtp import SmtpServer

# Playwright's sync API runs an event loop in the main thread, and Django then refuses ORM calls from
# it (SynchronousOnlyOperation). The test code is synchronous all the same, so the guard is lifted;
# only here, since this tier runs in a pytest process of its own.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
FAILURES_DIR = PROJECT_ROOT / "var" / "e2e-failures"
E2E_DIR = Path(__file__).resolve().parent

# The served app answers each request on a thread of its own and the emulator delivers its webhooks from
# threads too, so this tier writes from several threads at once (a guest's participant events arrive while
# a page loads). Django's in-memory SQLite test database shares one cache across threads, where a write
# meeting another thread's read fails at once ("database table is locked"); a file waits for the lock, as
# the emulator's database already does (tests/settings.py). Changed in place, before any test database
# exists, and only for this tier's process.
_default = settings.DATABASES["default"]
if _default["ENGINE"].endswith("sqlite3"):
    _default.setdefault("TEST", {})["NAME"] = str(PROJECT_ROOT / "var" / f"test_default_{os.getpid()}.sqlite3")

e2e_database = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])
_call_report = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: pytest-django reads the django_db markers in its own hook (to run transactional tests last).
    # pytest hands every conftest the whole session's items, so only this directory's are marked.
    for item in items:
        if E2E_DIR not in item.path.parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(e2e_database)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(request, browser):
    """Makes browser contexts (a second person, other headers); `context` and `page` use the first one.

    After a failed test, every page still open is saved to var/e2e-failures/<test name>[-n].png.
    """
    contexts = []

    def make(**options):
        context = browser.new_context(viewport=VIEWPORT, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    report = request.node.stash.get(_call_report, None)
    if report is not None and report.failed:
        _save_failure_screenshots(request.node.name, [page for context in contexts for page in context.pages])
    for context in contexts:
        context.close()


def _save_failure_screenshots(test_name: str, pages) -> None:
    FAILURES_DIR.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", test_name)
    for number, page in enumerate(pages, start=1):
        suffix = "" if number == 1 else f"-{number}"
        try:
            page.screenshot(path=FAILURES_DIR / f"{stem}{suffix}.png", full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"e2e: no failure screenshot of {test_name}{suffix}: {exc}")


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free port that the served app sends its mail to."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _site_follows_live_server(live_server, settings):
    """Absolute links and the emulator's URLs point at the server the browser talks to."""
    settings.SITE_URL = live_server.url
    settings.ZOOM_OAUTH_BASE_URL = f"{live_server.url}/zoom-emulator"
    settings.ZOOM_API_BASE_URL = f"{live_server.url}/zoom-emulator/v2"
