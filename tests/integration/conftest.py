"""The integration tier: PostgreSQL (row locks, concurrency), Redis with a real Celery worker, and the
emulator over real HTTP. `bin/tier` only starts it when DATABASE_URL and REDIS_URL are set; here a
service that was named but cannot be reached fails the run instead of skipping it."""

from __future__ import annotations

import socket
from pathlib import Path
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
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def _require_services() -> None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.fail(f"The integration tier needs PostgreSQL; DATABASE_URL gives {engine}.", pytrace=False)
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        pytest.fail(f"The integration tier needs Redis at REDIS_URL ({settings.REDIS_URL!r}).", pytrace=False)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, live_server):
    """A real `celery worker` subprocess on Redis, using the test databases and the live server's emulator.

    Tests that use it must commit their data (``django_db(transaction=True)``) for the worker to see it.
    """
    import os
    import subprocess
    import sys
    import time

    from django.db import connections

    from herp.celery import app

    database = connections["default"].settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DEBUG": "1",
        "ZOOM_EMULATOR": "1",
        "SITE_URL": live_server.url,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
    }
    app.control.purge()
    log_path = Path("var") / "celery-worker-integration.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "herp",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            f"integration-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    hostname_prefix = f"integration-{os.getpid()}@"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1) or []
        if any(name.startswith(hostname_prefix) for reply in replies for name in reply):
            break
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited early; see {log_path}.", pytrace=False)
    else:
        worker.terminate()
        pytest.fail(f"The Celery worker did not answer a ping within 30 s; see {log_path}.", pytrace=False)
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


@pytest.fixture
def demo(live_server, settings):
    """The demo world of `make run` (seed_demo), served by the live server with the emulator as Zoom."""
    from django.core.management import call_command

    settings.SITE_URL = live_server.url
    settings.ZOOM_OAUTH_BASE_URL = f"{live_server.url}/zoom-emulator"
    settings.ZOOM_API_BASE_URL = f"{live_server.url}/zoom-emulator/v2"
    call_command("seed_demo", reset=True, verbosity=0)
    return live_server


@pytest.fixture
def browser_for(demo):
    """A new browser signed in to HERP as the given demo person (password herp-demo)."""
    from tests.browser import Browser

    def make(email: str | None = None) -> Browser:
        browser = Browser(demo.url)
        if email is not None:
            browser.get("/login/").press("ログイン", data={"username": email, "password": "herp-demo"})
            assert "/login/" not in browser.url, f"could not sign in as {email}"
        return browser

    return make


def zoom_sign_in(browser, zoom_email: str) -> None:
    """Signs the browser in to the emulated Zoom as the given Zoom user."""
    browser.get("/zoom-emulator/signin/").press(f"Sign in as {zoom_email}")
