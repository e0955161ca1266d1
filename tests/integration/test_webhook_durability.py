"""RELIABILITY T17 over real HTTP: deliveries that arrive while the broker is down are stored, answered
200, and processed later by the sweeper through the real worker — never a 200 without a stored record."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
import requests
from django.conf import settings
from kombu.exceptions import OperationalError

from zoom import signatures
from zoom.models import WebhookDelivery
from zoom.tasks import webhooks_sweep_task

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])


def signed_post(url: str, body: dict) -> requests.Response:
    raw = json.dumps(body, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": signatures.sign(settings.ZOOM_WEBHOOK_SECRET_TOKENS[0], timestamp, raw),
    }
    return requests.post(url, data=raw, headers=headers, timeout=10)


def test_T17_deliveries_during_a_broker_outage_are_stored_then_processed_by_the_sweeper(demo, celery_worker_process):
    events = [
        {"event": "app_deauthorized", "event_ts": 1_790_000_000_000 + n, "payload": {"user_id": f"zu_unknown_{n}"}}
        for n in range(20)
    ]
    url = f"{demo.url}/webhooks/zoom/"
    # Publishing fails as it does when Redis is down (kombu's OperationalError: connection refused).
    outage = mock.patch(
        "zoom.tasks.process_webhook_task.delay",
        side_effect=OperationalError("Error 111 connecting. Connection refused."),
    )
    with outage, ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda body: signed_post(url, body), events))

    assert [response.status_code for response in responses] == [200] * 20
    assert WebhookDelivery.objects.count() == 20
    assert not WebhookDelivery.objects.filter(processed_at__isnull=False).exists()

    # The broker is back: beat's sweeper runs on the real worker and processes every stored delivery.
    WebhookDelivery.objects.update(
        received_at=WebhookDelivery.objects.earliest("received_at").received_at.replace(year=2000)
    )
    webhooks_sweep_task.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and WebhookDelivery.objects.filter(processed_at__isnull=True).exists():
        time.sleep(0.2)
    assert set(WebhookDelivery.objects.values_list("result", flat=True)) == {WebhookDelivery.Result.UNKNOWN_USER}
