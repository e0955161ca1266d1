"""The benchmarks' machinery: scratch databases, a Redis of their own, the app (and so the emulator)
under gunicorn, Celery workers, the demo world connected over HTTP, the load average, and the one
result format that ``bench/run_all.py`` turns into a table. Nothing here is used by the product.

Every process started here is in its own process group and is ended by ``Stack.close`` (SIGTERM, then
SIGKILL); every wait is bounded. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from bench.scratch import drop, free_port, scratch_databases

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PASSWORD = "herp-demo"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# The development settings' token key (herp/settings.py): the driver (DEBUG=1) encrypts with it, so
# production-like workers are given the same one explicitly.
DEV_TOKEN_KEY = "ZGV2LW9ubHktdG9rZW4ta2V5LW5vdC1mb3ItcHJvZCE="

T = TypeVar("T")


# --- Results ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a goal, what was measured, its baseline measured beside it, the ratio,
    whether the goal is met, and the load average (1 min) during the measurement."""

    goal: str
    figure: str
    baseline: str
    ratio: float | None
    target: str
    met: bool | None
    load: str = ""
    note: str = ""


def emit(rows: list[Row], json_path: str | None) -> None:
    print_table(rows)
    if json_path:
        with open(json_path, "a") as out:
            for row in rows:
                out.write(json.dumps(asdict(row)) + "\n")


def print_table(rows: list[Row]) -> None:
    headers = ["goal", "measured", "baseline", "ratio", "target", "met", "load avg"]
    lines = [
        [
            r.goal,
            r.figure,
            r.baseline,
            "" if r.ratio is None else f"{r.ratio:.2f}",
            r.target,
            {True: "yes", False: "NO", None: "-"}[r.met],
            r.load,
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    for r in rows:
        if r.note:
            print(f"  {r.goal}: {r.note}")


class Load:
    """Samples the 1-minute load average every 2 s while running: other agents run test suites on this
    machine, so absolute figures are noisy and the load says how noisy."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(2)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def text(self) -> str:
        samples = self.samples or [os.getloadavg()[0]]
        return f"{sum(samples) / len(samples):.1f} (max {max(samples):.1f})"


# --- Processes -------------------------------------------------------------------------------------


def wait_until(check: Callable[[], T], *, deadline: float, what: str, interval: float = 0.02) -> T:
    """Poll ``check`` until it returns something truthy; give up at ``deadline`` (time.monotonic)."""
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out waiting for {what}.")
        time.sleep(interval)


def stop(process: subprocess.Popen[Any], sig: int = signal.SIGTERM) -> None:
    """End a process group we started: ``sig``, then SIGKILL after 15 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Stack(contextlib.ExitStack):
    """What one benchmark run started: a temp dir, processes, scratch databases; closed in reverse."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix=f"herp-bench-{name}-"))
        self.callback(shutil.rmtree, self.tmp, ignore_errors=True)
        self.log_dir = ROOT / "var" / "bench"
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def spawn(self, name: str, command: list[str], *, env: dict[str, str] | None = None) -> subprocess.Popen[Any]:
        log = (self.log_dir / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.callback(log.close)
        self.callback(stop, process)
        return process

    def databases(self, database_url: str, what: str) -> str:
        url, names = scratch_databases(database_url, what)
        self.callback(drop, database_url, names)
        return url

    def redis(self) -> str:
        """A Redis of our own on a free port (no persistence), so no other run's purge touches our queue."""
        port = free_port()
        process = self.spawn(
            f"redis-{port}",
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
        )
        wait_until(lambda: _listening(port) or process.poll() is not None, deadline=time.monotonic() + 20, what="redis")
        if process.poll() is not None:
            raise SystemExit("redis-server did not start (see var/bench/).")
        return f"redis://127.0.0.1:{port}/0"


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def require_database_url() -> str:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (scratch databases are made beside its database).")
    if urlsplit(database_url).hostname not in LOOPBACK:
        sys.exit("Loopback only: DATABASE_URL must point at 127.0.0.1.")
    return database_url


def dev_env(*, site_url: str, database_url: str, redis_url: str | None, **extra: str) -> dict[str, str]:
    """The app with the emulator mounted (``make run``'s settings) on the scratch databases."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "ZOOM_EMULATOR": "1",
        "SITE_URL": site_url,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "herp.settings",
        **extra,
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def production_env(*, site_url: str, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """A worker configured as in production (DEBUG off, no emulator mounted), whose Zoom is the
    emulator at ``site_url``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "herp.settings",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": site_url,
        "TOKEN_ENCRYPTION_KEYS": DEV_TOKEN_KEY,
        "ZOOM_CLIENT_ID": "herpDemoClientId",
        "ZOOM_CLIENT_SECRET": "herpDemoClientSecret0123456789ab",
        "ZOOM_WEBHOOK_SECRET_TOKENS": "herpDemoWebhookSecretToken",
        "ZOOM_OAUTH_BASE_URL": f"{site_url}/zoom-emulator",
        "ZOOM_API_BASE_URL": f"{site_url}/zoom-emulator/v2",
        "EMAIL_URL": "console:",
        **extra,
    }
    for name in ("DEBUG", "ZOOM_EMULATOR"):
        env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def migrate(env: dict[str, str], *, seed_demo: bool = True) -> None:
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "migrate", "--noinput", "--database", "zoom_emulator", "-v", "0")
    if seed_demo:
        manage(env, "seed_demo", "-v", "0")


def gunicorn(
    stack: Stack,
    env: dict[str, str],
    port: int,
    *,
    workers: int = 4,
    threads: int = 4,
    tls: tuple[Path, Path] | None = None,
    config: Path | None = None,
    name: str = "gunicorn",
) -> subprocess.Popen[Any]:
    """The app under gunicorn with gthread workers (sync workers close every connection; runserver's
    keep-alive stalls ~40 ms per request on delayed ACK). Keep-alive outlasts any pause of a run."""
    command = [
        PYTHON, "-m", "gunicorn", "herp.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--keep-alive", "300",
        "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip
    if tls is not None:
        command += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    if config is not None:
        command += ["--config", str(config)]
    process = stack.spawn(f"{name}-{port}", command, env=env)
    scheme = "https" if tls else "http"
    verify: str | bool = str(tls[0]) if tls else True

    def healthy() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited early; see var/bench/{name}-{port}.log")
        try:
            return requests.get(f"{scheme}://127.0.0.1:{port}/healthz", timeout=1, verify=verify).status_code == 200
        except requests.RequestException:
            return False

    wait_until(healthy, deadline=time.monotonic() + 90, what="gunicorn", interval=0.2)
    return process


def celery_worker(
    stack: Stack,
    env: dict[str, str],
    *,
    pool: str = "prefork",
    concurrency: int = 4,
    name: str = "worker",
    extra: list[str] | None = None,
    main: list[str] | None = None,
) -> tuple[subprocess.Popen[Any], str]:
    """``main``: how to start Celery (default ``python -m celery``), e.g. a wrapper that patches first."""
    hostname = f"bench-{name}-{os.getpid()}@{socket.gethostname()}"
    process = stack.spawn(
        name,
        [
            *(main or [PYTHON, "-m", "celery"]),
            "-A",
            "herp",
            "worker",
            "--loglevel",
            "WARNING",
            "--pool",
            pool,
            "--concurrency",
            str(concurrency),
            "--hostname",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *(extra or []),
        ],
        env=env,
    )
    return process, hostname


def wait_for_worker(app: Any, hostname: str, process: subprocess.Popen[Any], *, seconds: float = 90) -> None:
    def answered() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"The Celery worker {hostname} exited early; see var/bench/.")
        return bool(app.control.ping(destination=[hostname], timeout=0.5))

    wait_until(answered, deadline=time.monotonic() + seconds, what="the worker", interval=0)


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU seconds of a process and its living descendants (from /proc), e.g. a Celery
    worker and its pool, or gunicorn and its workers."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    wanted, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in wanted]
        wanted.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0.0) for pid in wanted)


def setup_django(env: dict[str, str]) -> None:
    """This process drives the product and the emulator on the same databases."""
    os.environ.update(env)
    if "REDIS_URL" not in env:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # The driver measures like production: no query log (DEBUG only mounts the emulator here).
    settings.DEBUG = False


def connect_and_link(
    base: str, people: tuple[str, ...] = ("recruiter1@demo.example", "recruiter2@demo.example")
) -> None:
    """The product's flows over HTTP: the admin connects (pre-approving on Zoom's screen), then each of
    ``people`` links their work Zoom user."""
    from tests.browser import Browser

    def signed_in(email: str, zoom_email: str) -> Browser:
        browser = Browser(base)
        browser.get("/zoom-emulator/signin/").press(f"Sign in as {zoom_email}")
        browser.get("/login/").press("ログイン", data={"username": email, "password": PASSWORD})
        return browser

    admin = signed_in("admin@demo.example", "zoom-admin@demo.example")
    admin.get("/settings/integrations/").press(button_id="zoom-connect")
    admin.press("事前承認をとる").press("認可")
    if 'data-status="connected"' not in admin.html:
        raise SystemExit("The demo company did not connect.")
    for email in people:
        person = signed_in(email, email)
        person.get("/accounts/zoom/").press(button_id="zoom-link")
        if "/zoom-emulator/oauth/authorize" in person.url:
            person.press("認可")
        if 'data-status="active"' not in person.html:
            raise SystemExit(f"{email} could not link Zoom.")


def save_interviews(count: int, offset: int = 0) -> list[int]:
    """``count`` Zoom interviews of the demo company (recruiter1 and recruiter2) saved through
    scheduling's service, their reconcile not queued: the caller runs or queues it when it times it."""
    from django.utils import timezone

    from herp.models import Company, User
    from scheduling.models import InterviewSchedule
    from scheduling.services import ScheduleData, schedule_create
    from zoom.meetings import desired

    company = Company.objects.get()
    r1 = User.objects.get(email="recruiter1@demo.example")
    r2 = User.objects.get(email="recruiter2@demo.example")
    first = timezone.now() + timedelta(days=30)
    queued, desired.meeting_enqueue = desired.meeting_enqueue, lambda meeting_id: None
    try:
        ids = []
        for index in range(offset, offset + count):
            schedule = schedule_create(
                company=company,
                by=r1,
                data=ScheduleData(
                    title=f"ベンチ面接 {index + 1}",
                    starts_at=first + timedelta(minutes=30 * index),
                    duration_minutes=30,
                    timezone="Asia/Tokyo",
                    location=InterviewSchedule.Location.ZOOM,
                    participants=[r1, r2],
                    new_candidate_name=f"候補 {index + 1}",
                ),
            )
            assert schedule.meeting_id is not None
            ids.append(schedule.meeting_id)
    finally:
        desired.meeting_enqueue = queued
    return ids


def bare_body(index: int, start_local: str) -> dict[str, Any]:
    """A create body shaped like the product's (bodies.create_body), for the bare baseline."""
    return {
        "type": 2,
        "topic": f"ベンチ面接 bare {index}",
        "start_time": start_local,
        "duration": 30,
        "timezone": "Asia/Tokyo",
        "password": "bench12345",
        "agenda": f"herp-marker bare-{index}",
        "settings": {
            "join_before_host": True,
            "jbh_time": 0,
            "waiting_room": False,
            "alternative_hosts": "recruiter2@demo.example",
        },
    }


@dataclass
class Timer:
    samples: list[float] = field(default_factory=list)

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.samples.append(time.perf_counter() - started)

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples)

    @property
    def median(self) -> float:
        ordered = sorted(self.samples)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
