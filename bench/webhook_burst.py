"""RELIABILITY T17's latency half, and T37's acknowledgement: signed Zoom webhooks at 50 requests per
second against a served app on PostgreSQL with Redis as the broker, beside the same rate of bare
``GET /healthz`` to the same server.

Two kinds of burst: ``app_deauthorized`` (T17), and participant events (T37): ``meeting.participant_joined``
of distinct guests, every other one for a meeting of ours (stored with its payload) and the others for a
meeting we did not make (one indexed lookup, kept as the body's hash only). Each delivery is verified,
stored and queued before the answer (no worker is needed: processing happens after the response). Prints
p50/p99 of each and their ratio to ``/healthz``, measured in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/webhook_burst.py \\
        [--seconds 10] [--rate 50] [--json results.jsonl]

It creates (and drops afterwards) scratch databases named after DATABASE_URL's
(``<db>_bench_webhooks_<run>``), starts a Redis of its own, and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "benchWebhookSecretToken"
from bench import harness  # noqa: E402
from bench.harness import Load, Row  # noqa: E402
from bench.scratch import drop, free_port, scratch_databases  # noqa: E402

SCRATCH = "webhooks"


def signed(body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"content-type": "application/json", "x-zm-request-timestamp": timestamp, "x-zm-signature": f"v0={digest}"}


def burst(send, count: int, rate: float) -> list[float]:
    """``count`` calls at ``rate`` per second (open loop: the schedule does not wait for answers)."""
    latencies: list[float] = []

    def one(index: int) -> None:
        started = time.perf_counter()
        send(index)
        latencies.append(time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=32) as pool:
        start = time.perf_counter()
        for index in range(count):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index)
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


OUR_MEETING_ID = 81234567890
FOREIGN_MEETING_ID = 89876543210
OUR_MEETING = f"""
from django.utils import timezone
from herp.models import Company
from zoom.models import ZoomMeeting
company = Company.objects.create(name="Bench")
ZoomMeeting.objects.create(
    company=company, host_zoom_user_id="zu_bench_host", topic="bench", duration=60, start_time=timezone.now(),
    zoom_meeting_id={OUR_MEETING_ID}, status=ZoomMeeting.Status.CREATED,
)
"""


def participant_joined(meeting_id: int, index: int) -> dict[str, object]:
    """A guest's ``meeting.participant_joined`` in the shape the emulator sends (NOTES section 9)."""
    return {
        "event": "meeting.participant_joined",
        "event_ts": 1_790_000_000_000 + index,
        "payload": {
            "account_id": "bench_account",
            "object": {
                "id": str(meeting_id),
                "uuid": "benchInstanceUuid==",
                "host_id": "zu_bench_host",
                "topic": "bench",
                "type": 2,
                "start_time": "2026-12-01T01:00:00Z",
                "timezone": "Asia/Tokyo",
                "duration": 60,
                "participant": {
                    "user_id": str(16778240 + 1024 * index),
                    "user_name": f"Guest {index}",
                    "id": "",
                    "participant_uuid": f"BENCH-{index:08d}",
                    "join_time": "2026-12-01T01:00:00Z",
                    "email": "",
                },
            },
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--json", help="append the result row to this file (JSON lines)")
    args = parser.parse_args()
    database_url = harness.require_database_url()
    own = harness.Stack("webhooks")
    redis_url = own.redis()
    scratch_url, names = scratch_databases(database_url, SCRATCH)
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "ZOOM_EMULATOR": "1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": scratch_url,
        "REDIS_URL": redis_url,
        "ZOOM_WEBHOOK_SECRET_TOKENS": SECRET,
    }
    python = sys.executable
    for database in ("default", "zoom_emulator"):
        subprocess.run(
            [python, "manage.py", "migrate", "--noinput", "--database", database, "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    # gunicorn, as in production: four workers on loopback.
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "herp.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        count = int(args.seconds * args.rate)
        session = requests.Session()
        # One meeting of ours for the participant events (the rows the webhook's lookup finds).
        subprocess.run(
            [python, "manage.py", "shell", "-v", "0", "-c", OUR_MEETING],
            cwd=ROOT,
            env=env,
            check=True,
        )

        def deliver(index: int) -> None:
            body = json.dumps(
                {
                    "event": "app_deauthorized",
                    "event_ts": 1_790_000_000_000 + index,
                    "payload": {"user_id": f"zu_{index}"},
                },
                separators=(",", ":"),
            ).encode()
            response = session.post(f"{base}/webhooks/zoom/", data=body, headers=signed(body), timeout=10)
            assert response.status_code == 200, response.status_code

        def participant(index: int) -> None:
            meeting_id = OUR_MEETING_ID if index % 2 == 0 else FOREIGN_MEETING_ID
            body = json.dumps(participant_joined(meeting_id, index), separators=(",", ":")).encode()
            response = session.post(f"{base}/webhooks/zoom/", data=body, headers=signed(body), timeout=10)
            assert response.status_code == 200, response.status_code

        def health(index: int) -> None:
            assert session.get(f"{base}/healthz", timeout=10).status_code == 200

        with Load() as load:
            health_latencies = burst(health, count, args.rate)
            webhook_latencies = burst(deliver, count, args.rate)
            participant_latencies = burst(participant, count, args.rate)
        with psycopg.connect(scratch_url) as conn:
            stored = conn.execute("SELECT count(*) FROM zoom_webhookdelivery").fetchone()[0]
            kept = conn.execute(
                "SELECT count(*) FROM zoom_webhookdelivery WHERE event = 'meeting.participant_joined' "
                "AND payload <> '{}'::jsonb"
            ).fetchone()[0]
        print(f"{count} requests of each kind at {args.rate:.0f}/s; deliveries stored: {stored}")
        print(f"participant events kept with their payload (ours): {kept}; the others as their hash only")
        measured = (
            ("GET /healthz", health_latencies),
            ("app_deauthorized", webhook_latencies),
            ("participant_joined", participant_latencies),
        )
        for name, values in measured:
            p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
            print(f"{name:22} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")
        health_p99 = percentile(health_latencies, 0.99)
        rows = []
        for name, values in measured[1:]:
            ratio = percentile(values, 0.99) / health_p99
            print(f"p99 ratio {name} / healthz: {ratio:.2f} (T17, T37 target: p99 under 1 s)")
            p99 = percentile(values, 0.99)
            rows.append(
                Row(
                    goal=f"{'T17' if name == 'app_deauthorized' else 'T37'} {name} p99 at {args.rate:.0f}/s",
                    figure=f"{p99 * 1000:.1f} ms",
                    baseline=f"{health_p99 * 1000:.1f} ms /healthz p99",
                    ratio=ratio,
                    target="p99 < 1 s",
                    met=p99 < 1 and stored == 2 * count,
                    load=load.text(),
                    note=f"{stored} of {2 * count} deliveries stored",
                )
            )
        print(f"median of app_deauthorized latencies: {statistics.median(webhook_latencies) * 1000:.1f} ms")
        harness.emit(rows, args.json)
    finally:
        server.terminate()
        server.wait(timeout=10)
        drop(database_url, names)
        own.close()


if __name__ == "__main__":
    main()
