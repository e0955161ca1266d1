"""``make bench``: every benchmark of issue 16 (and T17's webhook burst) one after another, then one
table: each goal, the measured figure, its baseline measured beside it in the same run, the ratio, the
target, whether it is met, and the load average during the measurement.

    make bench              # about 20 minutes on a 2-core machine
    make bench QUICK=1      # a few minutes: fewer meetings, 2,000 rows, a smaller chaos run
    make bench PROFILE=1    # also prints a cProfile profile of one reconcile

DATABASE_URL names the PostgreSQL server for the scratch databases (default
postgres://postgres@127.0.0.1:5432/herp: they are then named herp_bench_...); chaos.py starts its own
PostgreSQL and Redis, the others their own Redis. Other work on the machine makes absolute figures
noisy: the ratios are measured side by side, and the load average says how noisy the run was.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.harness import PYTHON, ROOT, Row, print_table

FULL = [
    ("reconcile.py", ["--count", "200"]),
    ("meetings_through_worker.py", ["--count", "1000", "--pools", "prefork,threads"]),
    ("tls.py", ["--count", "100", "--worker-meetings", "400"]),
    ("pages.py", ["--rows", "10000", "--samples", "5"]),
    ("chaos.py", []),
    ("webhook_burst.py", ["--seconds", "10"]),
]
QUICK = [
    ("reconcile.py", ["--count", "40"]),
    ("meetings_through_worker.py", ["--count", "200", "--pools", "prefork,threads"]),
    ("tls.py", ["--count", "20", "--worker-meetings", "400"]),
    ("pages.py", ["--rows", "2000", "--samples", "2"]),
    ("chaos.py", ["--tenants", "10", "--schedules", "120", "--seconds", "30", "--drain-limit", "360"]),
    ("webhook_burst.py", ["--seconds", "3"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print a cProfile profile of one reconcile")
    parser.add_argument("--only", help="comma-separated script names to run (e.g. tls.py,pages.py)")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/herp")
    plan = QUICK if args.quick else FULL
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        plan = [step for step in plan if step[0] in wanted]
    rows: list[Row] = []
    failures: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="herp-bench-results-") as tmp:
        results = Path(tmp) / "rows.jsonl"
        for script, options in plan:
            extra = ["--profile"] if args.profile and script in ("reconcile.py", "pages.py") else []
            print(f"\n=== bench/{script} {' '.join(options + extra)} (load {os.getloadavg()[0]:.1f})", flush=True)
            step_started = time.monotonic()
            done = subprocess.run(
                [PYTHON, str(ROOT / "bench" / script), *options, *extra, "--json", str(results)], cwd=ROOT, env=env
            )
            print(f"=== bench/{script}: {time.monotonic() - step_started:.0f} s, exit {done.returncode}", flush=True)
            if done.returncode != 0:
                failures.append(script)
        if results.exists():
            rows = [Row(**json.loads(line)) for line in results.read_text().splitlines() if line.strip()]
    print(f"\n## Benchmarks ({'QUICK' if args.quick else 'full'} run, {time.monotonic() - started:.0f} s)\n")
    print_table(rows)
    if failures:
        print(f"\nFailed: {', '.join(failures)} (their output above says why).")
        sys.exit(1)


if __name__ == "__main__":
    main()
