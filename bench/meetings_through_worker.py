"""Issue 16 goal 7: many meetings through a real Celery worker against bare creates at the same
concurrency, both against the emulator under gunicorn with 50 ms added on ``meetings.create``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/meetings_through_worker.py \\
        [--count 1000] [--concurrency 4] [--pools prefork,threads] [--latency-ms 50] [--json results.jsonl]

What it does, on loopback only:

1. Makes scratch databases named after DATABASE_URL's (dropped at the end), a Redis of its own on a
   free port, serves the app (the emulator is Zoom) under gunicorn with gthread workers, connects the
   demo company and links recruiter1 and recruiter2 through the emulated Zoom's screens. Lifts Zoom's
   daily limit of 100 creates per host (this measures throughput, not the limit).
2. Saves ``--count`` Zoom interviews per pool through the product's service, their reconcile not yet
   queued, so that saving is not what is timed.
3. For each pool (``--pools``; ``gevent`` needs the gevent package): starts
   ``celery worker --pool P --concurrency C`` configured as in production (DEBUG off), then
   (b) ``--count`` bare ``POST /v2/users/me/meetings`` from C concurrent clients (threads, one
   kept-alive session each) with the host's token, and right after (a) queues the ``--count``
   reconciles and waits until every row is ``created``. Prints both wall times and (a)/(b) (goal: at
   most 1.2), and checks that (a) made exactly one meeting per interview at the emulator.

Every wait is bounded (``--deadline`` seconds per phase).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness
from bench.harness import Load, Row

POOLS = ("prefork", "threads", "gevent")
MARKER = re.compile(r"herp-meeting:[0-9a-f-]{36}")


def bare_creates(url: str, token: str, count: int, concurrency: int) -> float:
    """``count`` creates from ``concurrency`` clients at once, each with its own kept-alive session."""
    start_local = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() + 86400 * 90))

    def client(share: range) -> None:
        session = requests.Session()
        for index in share:
            response = session.post(
                url,
                json=harness.bare_body(index, start_local),
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            if response.status_code != 201:
                raise SystemExit(f"Bare create {index} answered {response.status_code}: {response.text[:200]}")

    shares = [range(i, count, concurrency) for i in range(concurrency)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(client, share) for share in shares]:
            future.result()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4, help="the worker pool's size and the bare clients")
    parser.add_argument("--pools", default="prefork,threads", help=f"comma-separated, of {', '.join(POOLS)}")
    parser.add_argument("--deadline", type=float, default=300, help="seconds any one phase may take")
    parser.add_argument(
        "--worker-option", action="append", default=[], help="passed to celery worker, e.g. --worker-option=-O=fair"
    )
    parser.add_argument("--json", help="append the result rows to this file (JSON lines)")
    args = parser.parse_args()
    pools = [p.strip() for p in args.pools.split(",") if p.strip()]
    if not 1 <= args.count <= 5000 or not 1 <= args.concurrency <= 32 or not set(pools) <= set(POOLS):
        sys.exit("--count 1..5000, --concurrency 1..32, --pools of prefork, threads, gevent.")
    database_url = harness.require_database_url()
    rows: list[Row] = []

    with harness.Stack("throughput") as stack:
        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        redis_url = stack.redis()
        scratch = stack.databases(database_url, "throughput")
        env = harness.dev_env(site_url=base, database_url=scratch, redis_url=redis_url)
        harness.migrate(env)
        emulator = harness.gunicorn(stack, env, port, workers=4, threads=4)
        harness.connect_and_link(base)
        harness.setup_django(env)

        from herp.celery import app
        from integrations import tokens
        from zoom.models import ZoomMeeting
        from zoom.tasks import meeting_reconcile_task
        from zoom_emulator import faults
        from zoom_emulator import meetings as zoom_side
        from zoom_emulator.models import Meeting

        zoom_side.set_daily_limit(1_000_000)
        faults.delay(args.latency_ms, times=None, endpoint="meetings.create")
        saved_at = time.perf_counter()
        batches = {pool: harness.save_interviews(args.count, i * args.count) for i, pool in enumerate(pools)}
        print(f"saved {args.count * len(pools)} interviews in {time.perf_counter() - saved_at:.1f} s (not timed)")
        host_grant = ZoomMeeting.objects.get(pk=batches[pools[0]][0]).host_grant_id
        assert host_grant is not None
        token = tokens.get_access_token(host_grant)
        url = f"{base}/zoom-emulator/v2/users/me/meetings"
        worker_env = harness.production_env(site_url=base, database_url=scratch, redis_url=redis_url)

        for pool in pools:
            if pool == "gevent" and importlib.util.find_spec("gevent") is None:
                print("gevent: skipped (the gevent package is not installed: .venv/bin/pip install gevent)")
                continue
            ids = batches[pool]
            with Load() as load:
                worker, hostname = harness.celery_worker(
                    stack,
                    worker_env,
                    pool=pool,
                    concurrency=args.concurrency,
                    name=f"worker-{pool}",
                    extra=args.worker_option,
                )
                harness.wait_for_worker(app, hostname, worker)
                emulator_cpu, own_cpu = harness.cpu_seconds(emulator.pid), time.process_time()
                bare = bare_creates(url, token, args.count, args.concurrency)
                bare_cpu = {"emulator": harness.cpu_seconds(emulator.pid) - emulator_cpu}
                bare_cpu["clients"] = time.process_time() - own_cpu
                emulator_cpu, worker_cpu = harness.cpu_seconds(emulator.pid), harness.cpu_seconds(worker.pid)
                started = time.perf_counter()
                for meeting_id in ids:
                    meeting_reconcile_task.delay(meeting_id)
                deadline = time.monotonic() + args.deadline
                rows_done = ZoomMeeting.objects.filter(pk__in=ids, status=ZoomMeeting.Status.CREATED)
                harness.wait_until(
                    lambda rows_done=rows_done, ids=ids: rows_done.count() >= len(ids) or None,
                    deadline=deadline,
                    what=f"the {pool} pool",
                    interval=0.05,
                )
                through = time.perf_counter() - started
                pool_cpu = {
                    "emulator": harness.cpu_seconds(emulator.pid) - emulator_cpu,
                    "worker": harness.cpu_seconds(worker.pid) - worker_cpu,
                }
                harness.stop(worker)
            ratio = through / bare
            per = 1000 / args.count
            cpu_note = (
                f"CPU per meeting: worker {pool_cpu['worker'] * per:.1f} ms + emulator "
                f"{pool_cpu['emulator'] * per:.1f} ms; bare: clients {bare_cpu['clients'] * per:.1f} ms + emulator "
                f"{bare_cpu['emulator'] * per:.1f} ms"
            )
            print(
                f"{pool:8} pool {args.concurrency}: (a) through the worker {through:6.2f} s   "
                f"(b) bare at concurrency {args.concurrency} {bare:6.2f} s   ratio {ratio:.2f}   load {load.text()}"
            )
            print(f"         {cpu_note} (2 cores give {2 * through * per:.0f} ms of CPU per meeting at this pace)")
            rows.append(
                Row(
                    goal=f"7 {args.count} meetings, {pool} x{args.concurrency}",
                    figure=f"{through:.1f} s",
                    baseline=f"{bare:.1f} s bare x{args.concurrency}",
                    ratio=ratio,
                    target="<= 1.20",
                    met=ratio <= 1.2,
                    load=load.text(),
                    note=cpu_note,
                )
            )
        faults.clear()
        duplicates, missing = _check(batches, pools)
        made = Meeting.objects.filter(deleted_at__isnull=True).count()
        print(f"check: {made} meetings at the emulator; duplicates {duplicates}, missing {missing}")
        if duplicates or missing:
            raise SystemExit("Duplicate or missing meetings.")
    harness.emit(rows, args.json)


def _check(batches: dict[str, list[int]], pools: list[str]) -> tuple[int, int]:
    """Live meetings at the emulator per marker: exactly one for every interview that was worked."""
    from zoom.meetings.bodies import marker
    from zoom.models import ZoomMeeting
    from zoom_emulator.models import Meeting

    per_marker = Counter(
        found
        for agenda in Meeting.objects.filter(deleted_at__isnull=True).values_list("agenda", flat=True)
        for found in MARKER.findall(agenda)
    )
    duplicates = missing = 0
    for pool in pools:
        for meeting in ZoomMeeting.objects.filter(pk__in=batches[pool], status=ZoomMeeting.Status.CREATED):
            found = per_marker[marker(meeting)]
            duplicates += found > 1
            missing += found == 0
    return duplicates, missing


if __name__ == "__main__":
    main()
