"""Issue 16 goal 9: every list page and admin changelist at 10,000 rows against the same page at 10
rows, and the new-interview form with 10,000 people in the company against 10 people.

Two worlds, each in its own scratch databases and served by its own gunicorn: "small" and "large".
Each is the demo world (seed_demo, the company connected and recruiter1 and recruiter2 linked through
the emulated Zoom's screens) plus ``--small`` (10) or ``--rows`` (10,000) rows of everything a list
shows: people in the company (two in three linked to a Zoom user), upcoming Zoom interviews with their
meetings, candidates, companies (each with its Zoom installation row), integration events, webhook
deliveries and Zoom-side changes. The pages are found at run time: the schedule list, the link status
page, a members page if one exists, the new-interview form, and the changelist of every model in the
admin. Requests alternate between the worlds (small, large, small, ...), signed in as the demo
company's admin or, for the admin, as the support staff; each page's median is compared.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/pages.py \\
        [--rows 10000] [--small 10] [--samples 5] [--json results.jsonl]

Goal: large / small <= 1.5 for every page. A page that paginates is measured at its first page.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import harness
from bench.harness import Load, Row

# Product pages by URL name; a name that does not resolve is a page that does not exist yet.
PRODUCT_PAGES = [
    ("schedule list", "scheduling:list"),
    ("link status page", "zoom:members"),
    ("members page", "members:list"),
    ("new-interview form", "scheduling:new"),
]
# A request slower than this is sampled fewer times, so that one slow page cannot stretch the run.
PAGE_BUDGET_SECONDS = 40


def seed(rows: int) -> None:
    """Adds ``rows`` of everything the lists show to the demo world (run in a subprocess per world)."""
    harness.setup_django(dict(__import__("os").environ))
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from herp.models import Company, User
    from integrations.models import IntegrationEvent, ZoomGrant, ZoomInstallation
    from scheduling.models import Candidate, InterviewSchedule
    from zoom.models import WebhookDelivery, ZoomMeeting, ZoomSideChange, ZoomUser

    company = Company.objects.get(name__contains="デモ")
    installation = ZoomInstallation.objects.get(company=company)
    admin = User.objects.get(email="admin@demo.example")
    r1, r2 = (User.objects.get(email=f"recruiter{n}@demo.example") for n in (1, 2))
    host = ZoomUser.objects.get(user=r1)
    now = timezone.now()
    password = make_password(harness.PASSWORD)
    with transaction.atomic():
        companies = Company.objects.bulk_create(Company(name=f"ベンチ会社 {i:05d}") for i in range(rows - 1))
        ZoomInstallation.objects.bulk_create(ZoomInstallation(company=c) for c in companies)
        people = User.objects.bulk_create(
            User(email=f"person{i:05d}@bench.example", name=f"社員 {i:05d}", company=company, password=password)
            for i in range(rows)
        )
        linked = [person for i, person in enumerate(people) if i % 3]
        grants = []
        for i, _person in enumerate(linked):
            grant = ZoomGrant(
                company=company,
                zoom_user_id=f"benchzu{i:06d}",
                expires_at=now + timedelta(hours=1),
                scopes=["user:read:user", "meeting:write:meeting"],
                token_version=1,
            )
            grant.access_token = grant.encrypt("access_token", f"bench-access-{i}")
            grant.refresh_token = grant.encrypt("refresh_token", f"bench-refresh-{i}")
            grants.append(grant)
        grants = ZoomGrant.objects.bulk_create(grants)
        ZoomUser.objects.bulk_create(
            ZoomUser(
                user=person,
                company=company,
                grant=grant,
                zoom_user_id=grant.zoom_user_id,
                zoom_account_id=installation.zoom_account_id,
                email=person.email,
                display_name=person.name,
            )
            for person, grant in zip(linked, grants, strict=True)
        )
        candidates = Candidate.objects.bulk_create(
            Candidate(company=company, name=f"候補者 {i:05d}") for i in range(rows)
        )
        meetings = ZoomMeeting.objects.bulk_create(
            ZoomMeeting(
                company=company,
                host=host,
                host_user=r1,
                host_zoom_user_id=host.zoom_user_id,
                host_email=host.email,
                host_grant_id=host.grant_id,
                alternative_hosts=[r2.email],
                topic=f"ベンチ面接 {i:05d}",
                start_time=now + timedelta(days=1, minutes=30 * i),
                duration=30,
                revision=1,
                synced_revision=1,
                zoom_meeting_id=80_000_000_000 + i,
                join_url=f"https://zoom.example/j/{80_000_000_000 + i}?pwd=bench",
                passcode="bench12345",
                status=ZoomMeeting.Status.CREATED,
            )
            for i in range(rows)
        )
        schedules = InterviewSchedule.objects.bulk_create(
            InterviewSchedule(
                company=company,
                candidate=candidate,
                title=meeting.topic,
                starts_at=meeting.start_time,
                duration_minutes=30,
                timezone="Asia/Tokyo",
                location=InterviewSchedule.Location.ZOOM,
                meeting=meeting,
                created_by=admin,
            )
            for candidate, meeting in zip(candidates, meetings, strict=True)
        )
        through = InterviewSchedule.participants.through
        through.objects.bulk_create(
            through(interviewschedule_id=s.pk, user_id=u.pk) for s in schedules for u in (r1, r2)
        )
        IntegrationEvent.objects.bulk_create(
            IntegrationEvent(company=company, actor=admin, kind=IntegrationEvent.Kind.CONNECTED, details={"n": i})
            for i in range(rows)
        )
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                body_hash=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                event="meeting.updated",
                zoom_user_id=host.zoom_user_id,
                payload={"event": "meeting.updated", "n": i},
                processed_at=now,
                result=WebhookDelivery.Result.IN_SYNC,
            )
            for i in range(rows)
        )
        ZoomSideChange.objects.bulk_create(
            ZoomSideChange(
                meeting=meeting,
                company=company,
                zoom_meeting_id=meeting.zoom_meeting_id,
                kind=ZoomSideChange.Kind.UPDATED,
                fields=["start_time"],
                action=ZoomSideChange.Action.PUT_BACK,
            )
            for meeting in meetings
        )
    # Statistics as autovacuum keeps them in production: rows bulk-inserted a moment ago are unknown to
    # the planner, which then plans for empty tables (both worlds alike).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps({"people": User.objects.filter(company=company).count()}))


def pages() -> list[tuple[str, str, str]]:
    """(label, path, who) of every page to measure; ``who`` is "company" or "support"."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    found: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for label, name in PRODUCT_PAGES:
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        if path not in seen:
            seen.add(path)
            found.append((label, path, "company"))
    for model in sorted(admin.site._registry, key=lambda m: (m._meta.app_label, m._meta.model_name)):
        meta = model._meta
        found.append(
            (
                f"admin {meta.app_label}.{meta.model_name}",
                reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
                "support",
            )
        )
    return found


def profile_page(path: str) -> None:
    """One request of ``path`` as the demo company's admin, in this process (the large world's settings):
    its SQL statements with their time, then where the rest of the time goes."""
    import cProfile
    import io
    import pstats

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from herp.models import User

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(email="admin@demo.example"))
    client.get(path)  # warm: templates, translations, connections
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = profiler.runcall(client.get, path)
        elapsed = time.perf_counter() - started
    sql = sum(float(query["time"]) for query in queries.captured_queries)
    print(
        f"{response.status_code}, {len(response.content) / 1024:.0f} KB, {elapsed * 1000:.0f} ms under the profiler; "
        f"{len(queries.captured_queries)} SQL statements, {sql * 1000:.0f} ms in the database"
    )
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"    {query['time']:>6}s  {query['sql'][:140]}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--samples", type=int, default=5, help="requests per page and world (after one warm-up)")
    parser.add_argument("--json", help="append the result rows to this file (JSON lines)")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", action="store_true", help="then print a profile of each product page in the large world"
    )
    parser.add_argument("--profile-page", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed)
        return
    if args.profile_page is not None:
        profile_page(args.profile_page)
        return
    if not 2 <= args.small < args.rows <= 50_000 or not 1 <= args.samples <= 50:
        sys.exit("--small 2.. < --rows ..50000, --samples 1..50.")
    database_url = harness.require_database_url()
    from tests.browser import Browser

    results: list[tuple[str, float, float, int, int]] = []
    with harness.Stack("pages") as stack, Load() as load:
        worlds: dict[str, dict[str, Any]] = {}
        for world, rows in (("small", args.small), ("large", args.rows)):
            port = harness.free_port()
            base = f"http://127.0.0.1:{port}"
            scratch = stack.databases(database_url, f"pages_{world}")
            env = harness.dev_env(site_url=base, database_url=scratch, redis_url=None)
            harness.migrate(env)
            harness.gunicorn(stack, env, port, workers=2, threads=2, name=f"gunicorn-{world}")
            harness.connect_and_link(base)
            started = time.perf_counter()
            subprocess.run([harness.PYTHON, __file__, "--seed", str(rows)], cwd=harness.ROOT, env=env, check=True)
            print(f"{world} world: {rows} rows of each seeded in {time.perf_counter() - started:.1f} s")
            browsers = {}
            for who, email in (("company", "admin@demo.example"), ("support", "support@demo.example")):
                browser = Browser(base)
                browser.get("/login/").press("ログイン", data={"username": email, "password": harness.PASSWORD})
                browsers[who] = browser
            worlds[world] = {"env": env, "browsers": browsers}
        harness.setup_django(worlds["small"]["env"])
        targets = pages()

        def fetch(world: str, who: str, path: str) -> tuple[float, int, int]:
            browser = worlds[world]["browsers"][who]
            started = time.perf_counter()
            response = browser.session.get(browser.base_url + path.lstrip("/"), timeout=120, allow_redirects=False)
            return time.perf_counter() - started, response.status_code, len(response.content)

        for label, path, who in targets:
            times: dict[str, list[float]] = {"small": [], "large": []}
            sizes: dict[str, int] = {}
            statuses: set[int] = set()
            budget = time.monotonic() + PAGE_BUDGET_SECONDS
            for sample in range(args.samples + 1):
                for world in ("small", "large"):
                    elapsed, status, size = fetch(world, who, path)
                    statuses.add(status)
                    sizes[world] = size
                    if sample:  # the first round warms caches and connections
                        times[world].append(elapsed)
                if sample >= 2 and time.monotonic() > budget:
                    break
            if statuses != {200}:
                # Not a page these people see (the support staff may not view groups): not measured.
                print(f"{label:34} {path:48} answered {sorted(statuses)}: not measured")
                continue
            small, large = statistics.median(times["small"]), statistics.median(times["large"])
            results.append((label, small, large, sizes["small"], sizes["large"]))
            print(
                f"{label:34} {path:48} {small * 1000:8.1f} ms  {large * 1000:8.1f} ms  x{large / small:6.2f}  "
                f"{sizes['small'] / 1024:7.0f} KB {sizes['large'] / 1024:7.0f} KB"
            )
        page_load = load.text()
        if args.profile:
            product = {label for label, _name in PRODUCT_PAGES}
            for label, path, _who in targets:
                if label in product:
                    print(f"\n--- profile of the {label} ({path}) at {args.rows:,} rows", flush=True)
                    subprocess.run(
                        [harness.PYTHON, __file__, "--profile-page", path],
                        cwd=harness.ROOT,
                        env=worlds["large"]["env"],
                        check=True,
                    )

    rows_out = [
        Row(
            goal=f"9 {label}",
            figure=f"{large * 1000:.0f} ms at {args.rows:,}",
            baseline=f"{small * 1000:.0f} ms at {args.small}",
            ratio=large / small,
            target="<= 1.50",
            met=large / small <= 1.5,
            load=page_load,
            note=f"{small_size / 1024:.0f} KB vs {large_size / 1024:.0f} KB",
        )
        for label, small, large, small_size, large_size in results
    ]
    harness.emit(rows_out, args.json)


if __name__ == "__main__":
    main()
