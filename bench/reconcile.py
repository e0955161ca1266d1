"""Issue 16 goal 6: what one meeting's reconcile costs beyond its one Zoom call.

In one process, one after another and interleaved (bare, reconcile, bare, reconcile, ...) so that the
machine's load falls on both alike: a bare ``POST /v2/users/me/meetings`` with the host's token and a
kept-alive session, and the product's ``meeting_reconcile`` of one saved interview (claim, load, the
"sent" mark, the same create through the product's client, Zoom's answer, release). Both go to the
emulator under gunicorn with 50 ms added on ``meetings.create``. Prints the mean and median of each,
the overhead (reconcile / bare - 1; goal <= 10%), the SQL statements and the CPU time of one reconcile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/reconcile.py \\
        [--count 200] [--latency-ms 50] [--profile] [--json results.jsonl]

``--profile`` prints a cProfile profile (cumulative time) of one more reconcile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness
from bench.harness import Load, Row, Timer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print a cProfile profile of one reconcile")
    parser.add_argument("--json", help="append the result rows to this file (JSON lines)")
    args = parser.parse_args()
    if not 10 <= args.count <= 2000:
        sys.exit("--count must be between 10 and 2000.")
    database_url = harness.require_database_url()

    with harness.Stack("reconcile") as stack, Load() as load:
        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        scratch = stack.databases(database_url, "reconcile")
        # A broker of its own, as in production: the invitations a reconcile queues on commit are published
        # there (and left), not sent inline as eager tasks would; sending mail is not the reconcile's cost.
        env = harness.dev_env(site_url=base, database_url=scratch, redis_url=stack.redis())
        harness.migrate(env)
        harness.gunicorn(stack, env, port)
        harness.connect_and_link(base)
        harness.setup_django(env)

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from integrations import tokens
        from zoom.meetings.reconcile import Outcome, meeting_reconcile
        from zoom.models import ZoomMeeting
        from zoom_emulator import faults
        from zoom_emulator import meetings as zoom_side
        from zoom_emulator.models import Meeting

        zoom_side.set_daily_limit(1_000_000)
        warm = 5
        ids = harness.save_interviews(args.count + warm + 2)
        host = ZoomMeeting.objects.get(pk=ids[0]).host_grant_id
        assert host is not None
        token = tokens.get_access_token(host)
        session = requests.Session()
        url = f"{base}/zoom-emulator/v2/users/me/meetings"
        start_local = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() + 86400 * 60))

        def bare(index: int) -> None:
            response = session.post(
                url,
                json=harness.bare_body(index, start_local),
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            if response.status_code != 201:
                raise SystemExit(f"Bare create {index} answered {response.status_code}: {response.text[:200]}")

        def reconcile(meeting_id: int) -> None:
            result = meeting_reconcile(meeting_id=meeting_id)
            if result.outcome != Outcome.DONE:
                raise SystemExit(f"Reconcile of {meeting_id} ended {result.outcome}.")

        faults.delay(args.latency_ms, times=None, endpoint="meetings.create")
        for index in range(warm):  # connections, caches, the token: not measured
            bare(-index - 1)
            reconcile(ids.pop())
        bare_timer, reconcile_timer = Timer(), Timer()
        cpu = 0.0
        for index in range(args.count):
            with bare_timer():
                bare(index)
            cpu_before = time.process_time()
            with reconcile_timer():
                reconcile(ids[index])
            cpu += time.process_time() - cpu_before
        with CaptureQueriesContext(connection) as queries:
            reconcile(ids[args.count])
        profile_text = ""
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(reconcile, ids[args.count + 1])
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(30)
            out.write("\nthe same, by own time (where the CPU goes, beside the wait for Zoom's answer):\n")
            stats.sort_stats("tottime").print_stats(20)
            profile_text = out.getvalue()
        faults.clear()
        made = Meeting.objects.filter(deleted_at__isnull=True, agenda__contains="herp-").count()

    overhead = reconcile_timer.mean / bare_timer.mean - 1
    print(
        f"{args.count} of each, interleaved, {args.latency_ms} ms added on meetings.create; "
        f"{made} meetings at the emulator"
    )
    print(f"bare create:  mean {bare_timer.mean * 1000:6.1f} ms   median {bare_timer.median * 1000:6.1f} ms")
    print(f"reconcile:    mean {reconcile_timer.mean * 1000:6.1f} ms   median {reconcile_timer.median * 1000:6.1f} ms")
    print(f"overhead (mean): {overhead:+.1%}   (median: {reconcile_timer.median / bare_timer.median - 1:+.1%})")
    print(
        f"one reconcile: {len(queries.captured_queries)} SQL statements (BEGIN/COMMIT included); "
        f"CPU {cpu / args.count * 1000:.1f} ms per reconcile"
    )
    for query in queries.captured_queries:
        print(f"    {query['time']:>6}s  {query['sql'][:110]}")
    if profile_text:
        print("\ncProfile of one reconcile (cumulative):\n" + profile_text)
    harness.emit(
        [
            Row(
                goal="6 reconcile overhead per meeting",
                figure=f"{reconcile_timer.mean * 1000:.1f} ms",
                baseline=f"{bare_timer.mean * 1000:.1f} ms bare create",
                ratio=reconcile_timer.mean / bare_timer.mean,
                target="<= 1.10",
                met=overhead <= 0.10,
                load=load.text(),
                note=(
                    f"{args.count} each, interleaved, +{args.latency_ms} ms; {len(queries.captured_queries)} SQL "
                    f"statements and {cpu / args.count * 1000:.1f} ms CPU per reconcile"
                ),
            )
        ],
        args.json,
    )


if __name__ == "__main__":
    main()
