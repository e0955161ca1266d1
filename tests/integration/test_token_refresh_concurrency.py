"""Single-flight refresh on PostgreSQL with real row locks (RELIABILITY T06, T08).

A tiny token endpoint runs in a thread: it behaves like Zoom's (Basic client auth, refresh tokens
rotate and are single-use, a used one gets 400 invalid_grant), counts the refreshes it served, and takes
200 ms per answer so that concurrent callers really overlap.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from herp.models import Company
from integrations import oauth, tokens
from integrations.models import ZoomGrant

CLIENT_ID = "concurrencyClient"
CLIENT_SECRET = "concurrencySecret0123456789abcdef"
BASE_DIR = Path(__file__).resolve().parents[2]


class FakeTokenEndpoint:
    def __init__(self, live_refresh_token: str, delay: float = 0.2) -> None:
        self.live_refresh_token = live_refresh_token
        self.delay = delay
        self.refreshes = 0
        self.refused = 0
        self.lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if self.path != "/oauth/token" or self.headers.get("Authorization") != expected:
                    return self._answer(401, {"error": "invalid_client", "reason": "Invalid client"})
                time.sleep(endpoint.delay)
                with endpoint.lock:
                    if form.get("refresh_token") != endpoint.live_refresh_token:
                        endpoint.refused += 1
                        return self._answer(400, {"error": "invalid_grant", "reason": "Invalid Token!"})
                    endpoint.refreshes += 1
                    number = endpoint.refreshes
                    endpoint.live_refresh_token = f"refresh-{number}"
                return self._answer(
                    200,
                    {
                        "access_token": f"access-{number}",
                        "refresh_token": f"refresh-{number}",
                        "token_type": "bearer",
                        "expires_in": 3599,
                        "scope": "user:read:user meeting:write:meeting",
                    },
                )

            def _answer(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTokenEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def expired_grant(settings):
    settings.ZOOM_CLIENT_ID = CLIENT_ID
    settings.ZOOM_CLIENT_SECRET = CLIENT_SECRET
    company = Company.objects.create(name="Concurrency Inc.")
    grant = ZoomGrant(
        company=company,
        zoom_user_id="concurrency-user",
        expires_at=timezone.now() - timedelta(minutes=1),
        token_version=1,
    )
    grant.access_token = grant.encrypt("access_token", "access-0")
    grant.refresh_token = grant.encrypt("refresh_token", "refresh-0")
    grant.save()
    return grant


def _in_thread(target, results: list, errors: list, start: threading.Barrier | float) -> threading.Thread:
    def run() -> None:
        try:
            if isinstance(start, threading.Barrier):
                start.wait()
            else:
                time.sleep(max(start - time.time(), 0))
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_T06_twenty_concurrent_callers_cause_exactly_one_refresh(settings, expired_grant):
    with FakeTokenEndpoint("refresh-0") as endpoint:
        settings.ZOOM_OAUTH_BASE_URL = endpoint.url
        results: list[str] = []
        errors: list[Exception] = []
        barrier = threading.Barrier(20)
        threads = [
            _in_thread(lambda: tokens.get_access_token(expired_grant.pk), results, errors, barrier) for _ in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert results == ["access-1"] * 20
    assert endpoint.refreshes == 1
    assert endpoint.refused == 0
    grant = ZoomGrant.objects.get(pk=expired_grant.pk)
    assert grant.is_active
    assert grant.token_version == 2
    assert grant.decrypt_refresh_token() == endpoint.live_refresh_token


_WORKER = """
import sys, threading, time
import django
django.setup()
from django.db import connection
from integrations import tokens
grant_id, start = int(sys.argv[1]), float(sys.argv[2])
out = []
def run():
    time.sleep(max(start - time.time(), 0))
    try:
        out.append(tokens.get_access_token(grant_id))
    except Exception as exc:
        out.append("error:" + type(exc).__name__)
    finally:
        connection.close()
threads = [threading.Thread(target=run) for _ in range(5)]
[t.start() for t in threads]
[t.join() for t in threads]
print("\\n".join(out))
"""


@pytest.mark.django_db(transaction=True)
def test_T06_threads_and_two_worker_processes_cause_exactly_one_refresh(settings, expired_grant):
    database = connection.settings_dict
    database_url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    with FakeTokenEndpoint("refresh-0", delay=0.3) as endpoint:
        settings.ZOOM_OAUTH_BASE_URL = endpoint.url
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "ZOOM_EMULATOR": "0",
            "ZOOM_OAUTH_BASE_URL": endpoint.url,
            "ZOOM_CLIENT_ID": CLIENT_ID,
            "ZOOM_CLIENT_SECRET": CLIENT_SECRET,
            "TOKEN_ENCRYPTION_KEYS": ",".join(settings.TOKEN_ENCRYPTION_KEYS),
        }
        start = time.time() + 4  # the workers need a moment to start Django
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(expired_grant.pk), str(start)],
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results: list[str] = []
        errors: list[Exception] = []
        threads = [
            _in_thread(lambda: tokens.get_access_token(expired_grant.pk), results, errors, start) for _ in range(10)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        outputs = [worker.communicate(timeout=60) for worker in workers]

    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
    from_workers = [line for stdout, _ in outputs for line in stdout.split()]
    assert errors == []
    assert results + from_workers == ["access-1"] * 20
    assert endpoint.refreshes == 1
    assert endpoint.refused == 0


@pytest.mark.django_db(transaction=True)
def test_T08_a_stale_writer_is_rejected_after_its_transaction_died(settings, expired_grant):
    with FakeTokenEndpoint("refresh-0") as endpoint:
        settings.ZOOM_OAUTH_BASE_URL = endpoint.url
        locked = threading.Event()
        release = threading.Event()
        stale: dict = {}

        def writer_a() -> None:
            # A reads the grant at version v under the row lock, as a refresh does, then stalls.
            try:
                with transaction.atomic():
                    stale["grant"] = ZoomGrant.objects.select_for_update().get(pk=expired_grant.pk)
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_backend_pid()")
                        stale["pid"] = cursor.fetchone()[0]
                    locked.set()
                    release.wait(timeout=30)
                    ZoomGrant.objects.filter(pk=expired_grant.pk).exists()  # the dead connection fails here
            except OperationalError:
                stale["terminated"] = True
            finally:
                connection.close()

        thread_a = threading.Thread(target=writer_a)
        thread_a.start()
        assert locked.wait(timeout=10)

        results: list[str] = []
        errors: list[Exception] = []
        thread_b = _in_thread(lambda: tokens.get_access_token(expired_grant.pk), results, errors, 0.0)
        thread_b.start()
        time.sleep(0.5)
        # B waits on A's row lock: single flight holds even against a writer that stalls.
        assert endpoint.refreshes == 0
        assert thread_b.is_alive()

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [stale["pid"]])
        release.set()
        thread_a.join(timeout=30)
        thread_b.join(timeout=30)

        assert stale.get("terminated") is True
        assert errors == []
        assert results == ["access-1"]

        # A's late write, carrying the version it read, arrives after B's refresh and is rejected.
        late = oauth.TokenSet(
            access_token="access-late",
            refresh_token="refresh-late",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        assert (
            tokens.persist_refreshed_tokens(stale["grant"], late, expected_version=stale["grant"].token_version)
            is False
        )

    grant = ZoomGrant.objects.get(pk=expired_grant.pk)
    assert grant.decrypt_access_token() == "access-1"
    assert grant.decrypt_refresh_token() == "refresh-1"
    # The stored refresh token is the one the token endpoint considers live.
    assert grant.decrypt_refresh_token() == endpoint.live_refresh_token
    assert endpoint.refreshes == 1
    for alias in connections:
        connections[alias].close_if_unusable_or_obsolete()
