from __future__ import annotations

import time

import pytest
from django.urls import reverse

from tests.unit.emulator.helpers import connect, emulator_db, exchange, get_code, me, refresh, sign_in
from zoom_emulator import faults
from zoom_emulator.models import Fault, Grant

pytestmark = emulator_db


def test_a_5xx_switch_fails_the_next_call_only(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    faults.fail_with(503)
    response = refresh(client, app, tokens["refresh_token"])
    assert response.status_code == 503
    # The failed call changed nothing: the same refresh token still works.
    assert refresh(client, app, tokens["refresh_token"]).status_code == 200
    assert not Fault.objects.exists()


def test_a_switch_applies_to_the_next_n_calls(client, app):
    faults.fail_with(500, times=2)
    statuses = [refresh(client, app, "x").status_code for _ in range(3)]
    assert statuses == [500, 500, 400]


def test_a_switch_without_a_count_applies_until_cleared(client, app):
    faults.fail_with(502, times=None)
    assert [refresh(client, app, "x").status_code for _ in range(3)] == [502, 502, 502]
    faults.clear()
    assert refresh(client, app, "x").status_code == 400


def test_a_rate_limit_switch_answers_429(client, app):
    faults.rate_limit()
    response = refresh(client, app, "x")
    assert response.status_code == 429
    assert response.json()["code"] == 429


def test_a_delay_switch_slows_the_answer(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    faults.delay(200)
    started = time.monotonic()
    response = refresh(client, app, tokens["refresh_token"])
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200


def test_rotate_then_drop_stores_tokens_the_client_never_sees(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    faults.rotate_then_drop()
    response = refresh(client, app, tokens["refresh_token"])
    assert response.status_code == 500

    grant = Grant.objects.get()
    live_refresh_token = grant.refresh_token
    assert live_refresh_token != tokens["refresh_token"]
    assert live_refresh_token.encode() not in response.content
    assert grant.access_token.encode() not in response.content
    # The client's old pair is dead; the one it never saw is live at Zoom.
    assert refresh(client, app, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert me(client, tokens["access_token"]).status_code == 401
    assert refresh(client, app, live_refresh_token).status_code == 200


def test_rotate_then_drop_also_applies_to_a_code_exchange(client, app):
    sign_in(client, "recruiter1@demo.example")
    code = get_code(client, app)
    faults.rotate_then_drop(status_code=502)
    assert exchange(client, app, code).status_code == 502
    assert Grant.objects.get().refresh_token


def test_rotate_then_drop_waits_for_a_call_that_succeeds(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    faults.rotate_then_drop()
    assert refresh(client, app, "stale").status_code == 400
    assert Fault.objects.count() == 1
    assert refresh(client, app, tokens["refresh_token"]).status_code == 500
    assert not Fault.objects.exists()


def test_switches_leave_other_endpoints_alone(client, app):
    tokens = connect(client, app, "recruiter1@demo.example")
    faults.fail_with(500, times=None)
    assert me(client, tokens["access_token"]).status_code == 200


def test_it_refuses_nonsense_switches():
    with pytest.raises(ValueError, match="5xx"):
        faults.fail_with(404)
    with pytest.raises(ValueError, match="times"):
        faults.rate_limit(times=0)
    with pytest.raises(ValueError, match="delay"):
        faults.delay(-1)
    with pytest.raises(ValueError, match="delay"):
        faults.delay(10**12)
    with pytest.raises(ValueError, match="times"):
        faults.fail_with(500, times=10**12)


def test_the_faults_page_sets_and_clears_switches(client, app):
    url = reverse("zoom_emulator:faults")
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "add", "kind": "server_error", "status_code": "504", "times": "3"})
    assert response.status_code == 302
    fault = Fault.objects.get()
    assert (fault.kind, fault.status_code, fault.remaining) == ("server_error", 504, 3)
    assert "504" in client.get(url).content.decode()
    client.post(url, {"action": "add", "kind": "delay", "delay_ms": "10", "times": ""})
    assert Fault.objects.get(kind="delay").remaining is None
    client.post(url, {"action": "clear"})
    assert not Fault.objects.exists()


def test_the_faults_page_rejects_bad_input_with_a_400(client, app):
    url = reverse("zoom_emulator:faults")
    assert client.post(url, {"action": "add", "kind": "server_error", "status_code": "abc"}).status_code == 400
    assert client.post(url, {"action": "add", "kind": "server_error", "status_code": "404"}).status_code == 400
    assert client.post(url, {"action": "add", "kind": "bogus"}).status_code == 400
    assert client.post(url, {"action": "add", "kind": "delay", "delay_ms": "9" * 30}).status_code == 400
    assert client.post(url, {"action": "add", "kind": "rate_limit", "times": "9" * 30}).status_code == 400
    assert not Fault.objects.exists()
