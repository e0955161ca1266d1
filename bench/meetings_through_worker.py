"""Issue 5's benchmark: 100 Zoom meetings issued through a real Celery worker against the emulator with
50 ms added latency on ``meetings.create``, beside 100 bare sequential HTTP calls to the same endpoint
with the same token. Prints both wall times and their ratio, measured in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/meetings_through_worker.py [--count 100] [--latency-ms 50] [--concurrency 4]

What it does, on loopback only:

1. Creates the scratch databases ``bench_herp`` and ``bench_herp_zoom_emulator`` on the server of
   DATABASE_URL (dropped at the end unless ``--keep``), migrates both and seeds the demo (seed_demo).
2. Serves the app with ``manage.py runserver --noreload`` on a free port (DEBUG=1 ZOOM_EMULATOR=1, so
   the emulator is Zoom), and starts ``celery -A herp worker`` on REDIS_URL (its default queue is purged
   first: use a Redis database nothing else uses).
3. Connects the demo company and links recruiter1 and recruiter2 over HTTP through the emulated Zoom's
   screens, as people do (tests/browser.py). Sets the emulator's added latency on ``meetings.create``
   (every call) and lifts Zoom's daily limit of 100 creates per host (this measures throughput, not
   the limit; (b) alone would otherwise use up recruiter1's 100).
4. (a) Saves ``--count`` Zoom interviews with recruiter1 and recruiter2 through the product's service
   (``scheduling.services.schedule_create``: the desired meeting and the task queued on commit) and
   measures the wall time from the first save until the emulator holds all of them (and until every
   row is ``created`` in HERP). (b) Sends ``--count`` bare ``POST /v2/users/me/meetings`` to the same
   emulator endpoint, one after another, with the host's access token, and measures the wall time.
5. Prints both times and (a)/(b), and checks that (a) made exactly one meeting per schedule.

Every wait is bounded (``--deadline`` seconds).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.scratch import drop, free_port, scratch_databases  # noqa: E402

SCRATCH = "bench_herp"
PASSWORD = "herp-demo"


def wait_until(check, *, deadline: float, what: str, interval: float = 0.02):
    """Poll ``check`` until it returns something truthy; give up at ``deadline`` (time.monotonic)."""
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out waiting for {what}.")
        time.sleep(interval)


def stop(process: subprocess.Popen) -> None:
    """End a process group we started: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def connect_and_link(base: str) -> None:
    """The product's flows over HTTP: the admin connects (pre-approving on Zoom's screen), then
    recruiter1 and recruiter2 link their work Zoom users."""
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
    for email in ("recruiter1@demo.example", "recruiter2@demo.example"):
        person = signed_in(email, email)
        person.get("/accounts/zoom/").press(button_id="zoom-link")
        if "/zoom-emulator/oauth/authorize" in person.url:
            person.press("認可")
        if 'data-status="active"' not in person.html:
            raise SystemExit(f"{email} could not link Zoom.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4, help="the worker's pool size")
    parser.add_argument("--deadline", type=float, default=600, help="seconds any one phase may take")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    if not 1 <= args.count <= 5000:
        sys.exit("--count must be between 1 and 5000.")
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL.")
    for url in (database_url, redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("Loopback only: DATABASE_URL and REDIS_URL must point at 127.0.0.1.")

    scratch_url, names = scratch_databases(database_url, SCRATCH)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "ZOOM_EMULATOR": "1",
        "SITE_URL": base,
        "DATABASE_URL": scratch_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "herp.settings",
    }
    python = sys.executable
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["migrate", "--noinput", "--database", "zoom_emulator", "-v", "0"],
        ["seed_demo", "-v", "0"],
    ):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    # This process drives the product too (services, the emulator's helpers), on the same databases.
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from herp.celery import app
    from herp.models import Company, User
    from integrations import tokens
    from scheduling.models import InterviewSchedule
    from scheduling.services import ScheduleData, schedule_create
    from zoom.models import ZoomMeeting, ZoomUser
    from zoom_emulator import faults
    from zoom_emulator import meetings as zoom_side
    from zoom_emulator.models import Meeting

    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    server_log = (log_dir / "bench-runserver.log").open("w")
    worker_log = (log_dir / "bench-worker.log").open("w")
    server = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60

        def healthy() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_until(healthy, deadline=deadline, what="the server", interval=0.2)
        connect_and_link(base)

        app.control.purge()
        hostname = f"bench-{os.getpid()}@{socket.gethostname()}"
        worker = subprocess.Popen(
            [
                python,
                "-m",
                "celery",
                "-A",
                "herp",
                "worker",
                "--loglevel",
                "WARNING",
                "--concurrency",
                str(args.concurrency),
                "--hostname",
                hostname,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            lambda: app.control.ping(destination=[hostname], timeout=0.5),
            deadline=time.monotonic() + 60,
            what="the worker",
            interval=0,
        )

        zoom_side.set_daily_limit(1_000_000)
        faults.delay(args.latency_ms, times=None, endpoint="meetings.create")
        company = Company.objects.get()
        r1 = User.objects.get(email="recruiter1@demo.example")
        r2 = User.objects.get(email="recruiter2@demo.example")
        host = ZoomUser.objects.filter(user__in=[r1, r2]).order_by("pk").first()
        first_start = timezone.now() + timedelta(days=30)

        # (a) Through the worker.
        started = time.perf_counter()
        for index in range(args.count):
            schedule_create(
                company=company,
                by=r1,
                data=ScheduleData(
                    title=f"ベンチ面接 {index + 1}",
                    starts_at=first_start + timedelta(hours=index),
                    duration_minutes=30,
                    timezone="Asia/Tokyo",
                    location=InterviewSchedule.Location.ZOOM,
                    participants=[r1, r2],
                    new_candidate_name=f"候補 {index + 1}",
                ),
            )
        saved = time.perf_counter() - started
        phase_deadline = time.monotonic() + args.deadline
        wait_until(
            lambda: Meeting.objects.filter(deleted_at__isnull=True).count() >= args.count,
            deadline=phase_deadline,
            what="the meetings at the emulator",
        )
        at_zoom = time.perf_counter() - started
        wait_until(
            lambda: ZoomMeeting.objects.filter(status=ZoomMeeting.Status.CREATED).count() >= args.count,
            deadline=phase_deadline,
            what="HERP to record every meeting",
        )
        settled = time.perf_counter() - started
        made = Meeting.objects.filter(deleted_at__isnull=True).count()
        ids = set(ZoomMeeting.objects.values_list("zoom_meeting_id", flat=True))

        # (b) Bare HTTP calls, one after another, with the same token.
        token = tokens.get_access_token(host.grant_id)
        session = requests.Session()
        start_local = (first_start + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S")
        started = time.perf_counter()
        for index in range(args.count):
            response = session.post(
                f"{base}/zoom-emulator/v2/users/me/meetings",
                json={
                    "type": 2,
                    "topic": f"bare {index + 1}",
                    "start_time": start_local,
                    "duration": 30,
                    "timezone": "Asia/Tokyo",
                    "password": "bench12345",
                    "agenda": "bench",
                    "settings": {"join_before_host": True, "jbh_time": 0, "waiting_room": False},
                },
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            if response.status_code != 201:
                raise SystemExit(f"Bare call {index + 1} answered {response.status_code}: {response.text[:200]}")
        bare = time.perf_counter() - started

        print(
            f"{args.count} meetings, {args.latency_ms} ms added latency on meetings.create, "
            f"worker pool {args.concurrency}"
        )
        print(
            f"(a) through the worker: {at_zoom:6.2f} s until all at the emulator "
            f"({settled:6.2f} s until all recorded as created in HERP; the {args.count} saves took {saved:.2f} s)"
        )
        print(f"(b) bare sequential HTTP: {bare:6.2f} s")
        print(f"ratio (a)/(b): {at_zoom / bare:.2f}")
        print(f"check: {made} meetings at the emulator from (a), {len(ids - {None})} distinct ids in HERP")
        if made != args.count or len(ids - {None}) != args.count:
            raise SystemExit("Duplicate or missing meetings.")
    finally:
        faults.clear()
        if worker is not None:
            stop(worker)
        stop(server)
        server_log.close()
        worker_log.close()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop(database_url, names)


if __name__ == "__main__":
    main()
