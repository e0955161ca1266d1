"""Deliveries as Zoom makes them: signed, answered 2xx within 3 seconds or retried after each delay (5 min,
+20 min, +60 min, shortened here), then dropped; every attempt recorded."""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command

from tests.unit.emulator.capture import Capture, Reply, signature_ok
from tests.unit.emulator.helpers import committed_emulator_db, emulator_db
from zoom_emulator import webhooks
from zoom_emulator.models import App, WebhookDelivery

pytestmark = emulator_db

State = WebhookDelivery.State


def _send(app: App) -> WebhookDelivery:
    delivery = webhooks.send_event(app, "meeting.started", {"account_id": "acc", "object": {"id": 1}})
    assert delivery is not None
    return delivery


def test_zoom_s_own_delays_are_5_20_and_60_minutes():
    assert webhooks.RETRY_DELAYS == (300, 1200, 3600)
    assert webhooks.TIMEOUT[1] == 3.0


@committed_emulator_db
def test_send_event_signs_zoom_s_envelope(app, hooked: Capture):
    before_ms = int(time.time() * 1000)
    _send(app)
    assert webhooks.wait_for_deliveries()
    [request] = hooked.received
    assert signature_ok(app.webhook_secret_token, request)
    assert len(request.headers["x-zm-request-timestamp"]) == 10
    body = json.loads(request.body)
    assert body["event"] == "meeting.started"
    assert body["payload"] == {"account_id": "acc", "object": {"id": 1}}
    assert body["event_ts"] >= before_ms
    [delivery] = webhooks.deliveries("meeting.started")
    assert (delivery.state, delivery.attempts, delivery.status_code) == (State.DELIVERED, 1, 200)
    assert webhooks.deliveries("app_deauthorized") == []


@committed_emulator_db
def test_a_failing_endpoint_is_retried_after_each_delay_and_dropped_after_the_last(app, hooked, fast_retries):
    hooked.answer_with(500)
    _send(app)
    assert webhooks.wait_for_deliveries(timeout=10)

    assert len(hooked.received) == 1 + len(fast_retries)
    gaps = [b.at - a.at for a, b in zip(hooked.received, hooked.received[1:], strict=False)]
    for gap, delay in zip(gaps, fast_retries, strict=True):
        assert gap >= delay * 0.9
    # The same body every time, signed afresh each time.
    assert len({r.body for r in hooked.received}) == 1
    assert all(signature_ok(app.webhook_secret_token, r) for r in hooked.received)

    [delivery] = webhooks.deliveries()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (State.DROPPED, 4, None)
    attempts = list(delivery.attempt_log.all())
    assert [a.number for a in attempts] == [1, 2, 3, 4]
    assert all(a.status_code == 500 for a in attempts)
    assert all(a.next_attempt_at is not None for a in attempts[:3])
    assert attempts[3].next_attempt_at is None
    for attempt, delay in zip(attempts, fast_retries, strict=False):
        scheduled = (attempt.next_attempt_at - attempt.started_at).total_seconds()
        assert scheduled >= delay


@committed_emulator_db
@pytest.mark.parametrize("status", [200, 204])
def test_a_2xx_stops_the_retries(app, hooked, fast_retries, status):
    hooked.answer_with(503, 502, status)
    _send(app)
    assert webhooks.wait_for_deliveries(timeout=10)
    time.sleep(sum(fast_retries))
    assert len(hooked.received) == 3
    [delivery] = webhooks.deliveries()
    assert (delivery.state, delivery.attempts, delivery.status_code) == (State.DELIVERED, 3, status)
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 502, status]
    assert delivery.attempt_log.last().next_attempt_at is None


@committed_emulator_db
def test_an_answer_later_than_the_timeout_is_a_failure_and_retried(app, hooked, fast_retries, monkeypatch):
    monkeypatch.setattr(webhooks, "TIMEOUT", (1.0, 0.2))
    hooked.answer_with(Reply(200, delay=0.6), Reply(200))
    _send(app)
    assert webhooks.wait_for_deliveries(timeout=10)
    [delivery] = webhooks.deliveries()
    first, second = delivery.attempt_log.all()
    assert first.status_code is None
    assert first.error.startswith("Timeout")
    assert second.status_code == 200
    assert delivery.state == State.DELIVERED


@committed_emulator_db
def test_an_unreachable_endpoint_is_retried_too(app, fast_retries):
    app.event_url = "http://127.0.0.1:9/unreachable/"
    app.save()
    _send(app)
    assert webhooks.wait_for_deliveries(timeout=10)
    [delivery] = webhooks.deliveries()
    assert (delivery.state, delivery.attempts, delivery.status_code) == (State.DROPPED, 4, None)
    assert all(a.error for a in delivery.attempt_log.all())


@committed_emulator_db
def test_deliver_due_makes_the_retry_a_lost_thread_left_behind(app, hooked, monkeypatch):
    # Zoom's real delays: the thread sleeps minutes; stopping it plays a server restart.
    hooked.answer_with(500, 200)
    delivery = _send(app)
    deadline = time.monotonic() + 5
    while not delivery.attempt_log.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert webhooks.stop_retries()
    delivery.refresh_from_db()
    assert delivery.state == State.RETRYING
    assert webhooks.deliver_due() == 0  # not due for five minutes

    assert webhooks.deliver_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.DELIVERED, 2)
    assert len(hooked.received) == 2
    assert webhooks.deliver_due(now=delivery.next_attempt_at) == 0


@committed_emulator_db
def test_resend_sends_the_same_body_as_a_new_delivery(app, hooked):
    first = _send(app)
    assert webhooks.wait_for_deliveries()
    again = webhooks.resend(first.pk)
    assert again is not None
    assert again.resent_from_id == first.pk
    assert webhooks.wait_for_deliveries()
    assert [r.body for r in hooked.received] == [first.body.encode()] * 2
    assert signature_ok(app.webhook_secret_token, hooked.received[1])
    assert [d.state for d in webhooks.deliveries()] == [State.DELIVERED, State.DELIVERED]


@committed_emulator_db
def test_an_app_without_an_event_url_gets_nothing(app, hooked):
    app.event_url = ""
    app.save()
    assert webhooks.send_event(app, "meeting.started", {}) is None
    assert webhooks.wait_for_deliveries()
    assert webhooks.deliveries() == []
    assert hooked.received == []


def test_the_deliver_webhooks_command_makes_the_due_attempts(app, hooked, monkeypatch):
    monkeypatch.setattr(webhooks, "_start", lambda delivery_id: None)  # play a process that died before sending
    delivery = _send(app)
    out = StringIO()
    call_command("deliver_webhooks", stdout=out)
    assert "1 webhook attempt(s) made" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED
    assert len(hooked.received) == 1
