"""The integration tier: PostgreSQL (row locks, concurrency), Redis with a real Celery worker, and the
emulator over real HTTP. `bin/tier` only starts it when DATABASE_URL and REDIS_URL are set; here a
service that was named but cannot be reached fails the run instead of skipping it."""

from __future__ import annotations

import contextlib
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


# --- Function-scoped workers (issue 5, T19 and T21) --------------------------------------------------

# Runs `celery` in a subprocess after applying test-only changes to the worker's own copy of
# zoom.meetings (prefork children inherit them): a shorter lease, so that a killed worker's lease runs
# out in seconds instead of minutes (HERP_TEST_LEASE_SECONDS); a shorter retry backoff
# (HERP_TEST_BACKOFF_SECONDS); and a "poison" topic whose reconcile
# SIGKILLs the child process that runs it, a task that always crashes its worker (HERP_TEST_POISON_TOPIC).
_WORKER_MAIN = """
import os, signal, sys
from datetime import timedelta

import django

django.setup()
from zoom.meetings import lease, reconcile

if os.environ.get("HERP_TEST_LEASE_SECONDS"):
    lease.LEASE = timedelta(seconds=float(os.environ["HERP_TEST_LEASE_SECONDS"]))
if os.environ.get("HERP_TEST_BACKOFF_SECONDS"):
    reconcile.BACKOFF_BASE = float(os.environ["HERP_TEST_BACKOFF_SECONDS"])
if os.environ.get("HERP_TEST_POISON_TOPIC"):
    _poison, _next_step = os.environ["HERP_TEST_POISON_TOPIC"], reconcile.next_step

    def _crashing_next_step(meeting):
        if meeting.topic == _poison:
            os.kill(os.getpid(), signal.SIGKILL)
        return _next_step(meeting)

    reconcile.next_step = _crashing_next_step

from celery.__main__ import main

sys.argv = ["celery", *sys.argv[1:]]
sys.exit(main())
"""


class WorkerHandle:
    """One function-scoped `celery worker`: its own hostname, its own queue, its own process group."""

    def __init__(self, process, *, hostname: str, queue: str, log_path: Path) -> None:
        self.process = process
        self.hostname = hostname
        self.queue = queue
        self.log_path = log_path

    def kill(self) -> None:
        """SIGKILL the whole process group (the main process and its pool children), at once."""
        import os
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        import os
        import signal
        import subprocess

        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _forget_queue(queue: str) -> None:
    """Remove a private queue from Redis: its messages, its binding, and unacknowledged deliveries of
    a killed worker (kombu would restore those into the queue after the visibility timeout)."""
    import json

    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"{queue}*"):
        client.delete(key)
    client.delete(f"_kombu.binding.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        try:
            _message, _exchange, routing_key = json.loads(raw)
        except (ValueError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()


@pytest.fixture
def celery_worker_factory(django_db_setup, live_server):
    """Starts real `celery worker` subprocesses for one test, each on a queue of its own (so the session
    worker never takes their tasks): ``start(concurrency=1, lease_seconds=None, backoff_seconds=None,
    poison_topic=None, queue=None)`` → WorkerHandle, once it answers a ping. Another worker may share a
    queue (``queue=``), as a restarted worker does. Every worker's process group is killed in teardown,
    before the database is flushed."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import uuid

    from django.db import connections

    from herp.celery import app

    database = connections["default"].settings_dict
    started: list[WorkerHandle] = []
    queues: set[str] = set()
    log_dir = Path("var") / "celery-workers"
    log_dir.mkdir(parents=True, exist_ok=True)

    def start(
        *,
        concurrency: int = 1,
        lease_seconds: float | None = None,
        backoff_seconds: float | None = None,
        poison_topic: str | None = None,
        queue: str | None = None,
    ) -> WorkerHandle:
        name = f"meetings-{uuid.uuid4().hex[:10]}"
        hostname = f"{name}@{socket.gethostname()}"
        queue = queue or f"test-{name}"
        queues.add(queue)
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
            "HERP_TEST_LEASE_SECONDS": "" if lease_seconds is None else str(lease_seconds),
            "HERP_TEST_BACKOFF_SECONDS": "" if backoff_seconds is None else str(backoff_seconds),
            "HERP_TEST_POISON_TOPIC": poison_topic or "",
        }
        log_path = log_dir / f"{name}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _WORKER_MAIN,
                    "-A",
                    "herp",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    str(concurrency),
                    "--hostname",
                    hostname,
                    "--queues",
                    queue,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the pool children
            )
        handle = WorkerHandle(process, hostname=hostname, queue=queue, log_path=log_path)
        started.append(handle)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(destination=[hostname], timeout=0.5):
                return handle
            if process.poll() is not None:
                pytest.fail(f"A Celery worker exited early; see {log_path}.", pytrace=False)
        pytest.fail(f"A Celery worker did not answer a ping within 30 s; see {log_path}.", pytrace=False)

    yield start
    for handle in started:
        handle.stop()
    for queue in queues:
        _forget_queue(queue)


@pytest.fixture
def zoom_linked(browser_for):
    """The demo company connected over HTTP by its admin (who pre-approves on Zoom's screen), then the
    given people linked, in that order, each signed in to Zoom as their own work Zoom user. Returns
    their signed-in browsers by e-mail (the admin's under "admin@demo.example")."""

    def make(*emails: str) -> dict:
        admin = browser_for("admin@demo.example")
        zoom_sign_in(admin, "zoom-admin@demo.example")
        admin.get("/settings/integrations/").press(button_id="zoom-connect")
        admin.press("事前承認をとる").press("認可")
        assert 'data-status="connected"' in admin.html
        browsers = {"admin@demo.example": admin}
        for email in emails:
            browser = browser_for(email)
            zoom_sign_in(browser, email)
            browser.get("/accounts/zoom/").press(button_id="zoom-link")
            if "/zoom-emulator/oauth/authorize" in browser.url:
                browser.press("認可")
            assert 'data-status="active"' in browser.html, f"{email} could not link Zoom"
            browsers[email] = browser
        return browsers

    return make
