"""Concurrent writers on SQLite files, as `make run` has them (RELIABILITY T32). Run by
tests/unit/test_sqlite_writers.py in a process of its own: the unit tier's own databases are in memory,
where SQLite locks differently, and these scenarios need the files and the settings `make run` uses.

    python -m tests.unit.sqlite_writers <directory>

prints one JSON line with what each scenario saw. A threaded WSGI server on a free loopback port serves
the product and the emulator, as runserver does, each request on a thread with its own connection.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(directory: str) -> dict[str, Any]:
    server = _Server(("127.0.0.1", 0), _Quiet)  # a free port, chosen by the system
    site = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ.update(
        {
            "DEBUG": "1",
            "ZOOM_EMULATOR": "1",
            "SITE_URL": site,
            "DATABASE_URL": f"sqlite:///{Path(directory) / 'db.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "herp.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's view of rendered templates, for the emulator's forms
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0)
    call_command("migrate", database="zoom_emulator", verbosity=0)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return {"two_writers": _two_writers(site), "webhooks_during_upkeep": _webhooks_during_upkeep(site)}
    finally:
        server.shutdown()


def _signed(body: bytes) -> dict[str, str]:
    from django.conf import settings

    from zoom_emulator.webhooks import sign

    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": sign(settings.ZOOM_WEBHOOK_SECRET_TOKENS[0], timestamp, body),
    }


def _two_writers(site: str) -> dict[str, Any]:
    """A command holds a write transaction open while a webhook arrives and is stored."""
    import requests
    from django.db import connection, transaction

    from herp.models import Company
    from zoom.models import WebhookDelivery

    holding = threading.Event()
    seen: dict[str, Any] = {}

    def command() -> None:
        try:
            with transaction.atomic():
                Company.objects.create(name="書き込み中の会社")
                holding.set()
                time.sleep(0.5)
            seen["command"] = "committed"
        except Exception as exc:
            seen["command"] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    writer = threading.Thread(target=command)
    writer.start()
    holding.wait(5)
    body = json.dumps({"event": "meeting.started", "event_ts": 1, "payload": {"account_id": "a", "object": {}}})
    response = requests.post(f"{site}/webhooks/zoom/", data=body.encode(), headers=_signed(body.encode()), timeout=30)
    writer.join()
    seen["webhook_status"] = response.status_code
    seen["stored"] = WebhookDelivery.objects.filter(event="meeting.started").count()
    seen["companies"] = Company.objects.filter(name="書き込み中の会社").count()
    return seen


def _webhooks_during_upkeep(site: str) -> dict[str, Any]:
    """zoom_upkeep revokes unused grants at the emulator, which answers and then sends app_deauthorized
    from a thread of its own while the command goes on writing."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from herp.models import Company
    from integrations.models import ZoomGrant
    from tests.unit.emulator.helpers import exchange, get_code, sign_in
    from zoom.models import WebhookDelivery
    from zoom_emulator import accounts
    from zoom_emulator import webhooks as emulator_webhooks
    from zoom_emulator.models import User as EmulatorUser
    from zoom_emulator.seed import DEMO_ACCOUNT, seed

    seeded = seed(reset=True, site_url=site)
    accounts.preapprove(seeded.accounts[DEMO_ACCOUNT], seeded.app)
    company = Company.objects.create(name="株式会社アップキープ")
    emails = [f"{name}@demo.example" for name in ("zoom-owner", "zoom-admin", "recruiter1", "recruiter2")]
    for email in emails:
        browser = Client()
        sign_in(browser, email)
        callback = f"{site}/integrations/zoom/callback/"
        code = get_code(browser, seeded.app, redirect_uri=callback)
        tokens = exchange(browser, seeded.app, code, redirect_uri=callback).json()
        zoom_user = EmulatorUser.objects.get(email=email)
        grant = ZoomGrant(
            company=company,
            zoom_user_id=zoom_user.user_id,
            expires_at=timezone.now() + timezone.timedelta(hours=1),
            scopes=tokens["scope"].split(),
        )
        grant.access_token = grant.encrypt("access_token", tokens["access_token"])
        grant.refresh_token = grant.encrypt("refresh_token", tokens["refresh_token"])
        grant.save()
    assert settings.ZOOM_OAUTH_BASE_URL.startswith(site)

    call_command("zoom_upkeep", stdout=open(os.devnull, "w"))  # noqa: SIM115
    emulator_webhooks.wait_for_deliveries(timeout=20)
    sent = emulator_webhooks.deliveries("app_deauthorized")
    stored = WebhookDelivery.objects.filter(event="app_deauthorized")
    return {
        "sent": len(sent),
        "answered": sorted({delivery.status_code or 0 for delivery in sent}),
        "stored": stored.count(),
        "processed": stored.filter(processed_at__isnull=False).count(),
        "revoked": ZoomGrant.objects.filter(company=company, status=ZoomGrant.Status.REVOKED).count(),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
