"""The webhook fault switches: Zoom's deliveries come late, twice and out of order (NOTES.md section 9), and
the switches play each of those against a real HTTP endpoint."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from tests.unit.emulator.capture import Capture, Received, Reply, signature_ok
from tests.unit.emulator.helpers import emulator_db
from zoom_emulator import faults, webhooks
from zoom_emulator.models import App, Fault, WebhookDelivery

State = WebhookDelivery.State
transactional = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])
FAULTS = reverse("zoom_emulator:faults")


def _send(app: App, n: int) -> WebhookDelivery:
    delivery = webhooks.send_event(app, "meeting.updated", {"account_id": "acc", "object": {"id": n}})
    assert delivery is not None
    return delivery


def _ids(capture: Capture) -> list[int]:
    return [json.loads(r.body)["payload"]["object"]["id"] for r in capture.received]


@transactional
def test_a_delay_holds_the_first_attempt_back_for_the_next_event_only(app, hooked: Capture):
    faults.webhook_delay(0.4)
    started = time.monotonic()
    delayed = _send(app, 1)
    assert delayed.next_attempt_at is not None
    _send(app, 2)
    assert webhooks.wait_for_deliveries()
    # The undelayed event overtakes the delayed one.
    assert _ids(hooked) == [2, 1]
    assert hooked.received[1].at - started >= 0.4
    assert hooked.received[0].at - started < 0.4
    assert not faults.active(faults.WEBHOOKS)
    assert all(d.state == State.DELIVERED for d in webhooks.deliveries())


@transactional
def test_a_delayed_delivery_is_not_due_early_for_deliver_due(app, hooked: Capture):
    faults.webhook_delay(30)
    delivery = _send(app, 1)
    assert webhooks.stop_retries()  # the thread waiting out the delay ends; the row stays
    assert webhooks.deliver_due() == 0
    assert webhooks.deliver_due(now=delivery.next_attempt_at) == 1
    assert _ids(hooked) == [1]


@transactional
def test_a_duplicate_delivers_the_same_body_several_times_each_signed(app, hooked: Capture):
    faults.webhook_duplicate(3)
    _send(app, 1)
    _send(app, 2)
    assert webhooks.wait_for_deliveries()
    assert sorted(_ids(hooked)) == [1, 1, 1, 2]
    copies = [r for r in hooked.received if json.loads(r.body)["payload"]["object"]["id"] == 1]
    assert len({r.body for r in copies}) == 1  # the same event_ts too
    assert all(signature_ok(app.webhook_secret_token, r) for r in hooked.received)
    assert len(webhooks.deliveries()) == 4


@transactional
def test_reorder_sends_the_held_event_after_the_following_one(app, hooked: Capture):
    faults.webhook_reorder()
    held = _send(app, 1)
    assert held.state == State.HELD
    assert webhooks.wait_for_deliveries()
    assert hooked.received == []  # nothing releases it yet

    _send(app, 2)
    assert webhooks.wait_for_deliveries()
    _send(app, 3)
    assert webhooks.wait_for_deliveries()
    assert _ids(hooked) == [2, 1, 3]
    assert all(d.state == State.DELIVERED for d in webhooks.deliveries())


@transactional
def test_reorder_until_cleared_swaps_every_pair(app, hooked: Capture):
    faults.webhook_reorder(times=None)
    for n in (1, 2, 3, 4):
        _send(app, n)
        assert webhooks.wait_for_deliveries()
    assert _ids(hooked) == [2, 1, 4, 3]


@transactional
def test_a_held_event_that_nothing_follows_is_sent_by_release_held(app, hooked: Capture):
    faults.webhook_reorder()
    _send(app, 1)
    assert webhooks.release_held() == 1
    assert webhooks.wait_for_deliveries()
    assert _ids(hooked) == [1]
    assert webhooks.release_held() == 0


@transactional
def test_url_validation_is_not_touched_by_the_switches(app, hooked: Capture):
    def answer(request: Received) -> Reply:
        plain = json.loads(request.body)["payload"]["plainToken"]
        token = webhooks.encrypted_token(app.webhook_secret_token, plain)
        return Reply(200, json.dumps({"plainToken": plain, "encryptedToken": token}).encode())

    hooked.answer_with(answer)
    faults.webhook_reorder()
    faults.webhook_duplicate(2)
    ok, _result = webhooks.send_url_validation(app)
    assert ok
    assert len(hooked.received) == 1
    assert len(faults.active(faults.WEBHOOKS)) == 2


# --- the switches' bounds and the faults page ---------------------------------------------------------------


@emulator_db
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: faults.webhook_delay(-1), "between 0 and 3600 seconds"),
        (lambda: faults.webhook_delay(3601), "between 0 and 3600 seconds"),
        (lambda: faults.webhook_duplicate(1), "copies must be between 2 and 10"),
        (lambda: faults.webhook_duplicate(11), "copies must be between 2 and 10"),
        (lambda: faults.webhook_reorder(times=0), "times must be between"),
        (lambda: faults.delay(10, endpoint=faults.WEBHOOKS), "Unknown endpoint"),
    ],
)
def test_a_switch_out_of_bounds_is_refused(seeded, make, message):
    with pytest.raises(ValueError, match=message):
        make()
    assert not Fault.objects.exists()


@emulator_db
def test_the_faults_page_sets_and_clears_the_webhook_switches(client, seeded):
    assert client.post(FAULTS, {"action": "webhook_delay", "seconds": "2.5", "times": "3"}).status_code == 302
    assert client.post(FAULTS, {"action": "webhook_duplicate", "copies": "2", "times": ""}).status_code == 302
    assert client.post(FAULTS, {"action": "webhook_reorder", "times": "1"}).status_code == 302
    switches = {f.kind: f for f in faults.active(faults.WEBHOOKS)}
    assert switches[Fault.Kind.WEBHOOK_DELAY].delay_ms == 2500
    assert switches[Fault.Kind.WEBHOOK_DELAY].remaining == 3
    assert switches[Fault.Kind.WEBHOOK_DUPLICATE].copies == 2
    assert switches[Fault.Kind.WEBHOOK_DUPLICATE].remaining is None
    assert switches[Fault.Kind.WEBHOOK_REORDER].remaining == 1

    body = client.get(FAULTS).content.decode()
    assert "webhooks: Delay the webhook&#x27;s first attempt 2.5 s (3 more event(s))" in body
    assert 'data-testid="webhook-reorder-add"' in body
    # The token endpoint's form does not offer the webhook kinds.
    token_form = body[: body.index('id="webhooks"')]
    assert "webhook_delay" not in token_form

    assert client.post(FAULTS, {"action": "clear_webhooks"}).status_code == 302
    assert not faults.active(faults.WEBHOOKS)


@emulator_db
def test_the_faults_page_refuses_a_bad_webhook_switch_and_sets_nothing(client, seeded):
    response = client.post(FAULTS, {"action": "webhook_duplicate", "copies": "1"})
    assert response.status_code == 400
    assert "copies must be between 2 and 10" in response.content.decode()
    response = client.post(FAULTS, {"action": "webhook_delay", "seconds": "soon"})
    assert response.status_code == 400
    assert not Fault.objects.exists()


@emulator_db
def test_the_faults_page_sends_held_deliveries(client, app, seeded):
    faults.webhook_reorder()
    _send(app, 1)
    assert 'data-testid="webhook-release-held"' in client.get(FAULTS).content.decode()
    assert client.post(FAULTS, {"action": "release_held"}).status_code == 302
    [delivery] = webhooks.deliveries()
    assert delivery.state == State.PENDING
