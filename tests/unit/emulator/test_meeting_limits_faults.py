"""The per-host daily limit, the meeting fault switches, the settings page and the join page."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from tests.unit.emulator.helpers import connect, emulator_db
from tests.unit.emulator.meeting_helpers import call, create
from zoom_emulator import faults, meetings
from zoom_emulator.models import Fault, Grant, Meeting, MeetingPolicy

pytestmark = emulator_db

DAILY_MESSAGE = (
    "You have exceeded the daily rate limit (2) of Meeting Create/Update API requests permitted for this "
    "particular user. You may resume these requests at GMT 00:00:00."
)


def _long_lived(token: str) -> None:
    Grant.objects.filter(access_token=token).update(access_token_expires_at=datetime(2040, 1, 1, tzinfo=UTC))


def test_the_daily_limit_counts_creates_and_updates_and_answers_zoom_s_429(client, token):
    meetings.set_daily_limit(2)
    _long_lived(token)
    with time_machine.travel(datetime(2030, 5, 30, 15, 0, tzinfo=UTC), tick=False):
        made = create(client, token).json()
        assert call(client, token, "PATCH", f"meetings/{made['id']}", {"topic": "x"}).status_code == 204
        for response in (create(client, token), call(client, token, "PATCH", f"meetings/{made['id']}", {})):
            assert response.status_code == 429
            assert response.json() == {"code": 429, "message": DAILY_MESSAGE}
            assert response["X-RateLimit-Type"] == "Daily-limit"
            assert response["X-RateLimit-Limit"] == "2"
            assert response["X-RateLimit-Remaining"] == "0"
            assert response["Retry-After"] == "2030-05-31T00:00:00Z"
        # Reads and deletes do not count.
        assert call(client, token, "GET", f"meetings/{made['id']}").status_code == 200
    assert Meeting.objects.count() == 1
    with time_machine.travel(datetime(2030, 5, 31, 0, 0, 1, tzinfo=UTC), tick=False):
        assert create(client, token).status_code == 201


def test_the_limit_is_per_host(client, app, token):
    meetings.set_daily_limit(1, "demo")
    assert create(client, token).status_code == 201
    assert create(client, token).status_code == 429
    other = connect(client, app, "recruiter2@demo.example")["access_token"]
    assert create(client, other).status_code == 201
    assert meetings.writes_today("recruiter1@demo.example") == 1


def test_refused_requests_do_not_count(client, token):
    meetings.set_daily_limit(1)
    assert create(client, token, {"topic": 5}).status_code == 400
    assert create(client, token).status_code == 201


def test_a_switch_drops_retry_after_from_the_daily_429(client, token):
    meetings.set_policy("demo", daily_limit=0, omit_retry_after=True)
    response = create(client, token)
    assert response.status_code == 429
    assert "Retry-After" not in response
    assert response["X-RateLimit-Type"] == "Daily-limit"


def test_a_delay_switch_slows_a_meeting_endpoint(client, token):
    faults.delay(200, endpoint="meetings.create")
    started = time.monotonic()
    assert create(client, token).status_code == 201
    assert time.monotonic() - started >= 0.2


def test_a_5xx_switch_fails_the_next_n_creates_and_makes_nothing(client, token):
    faults.fail_with(503, times=2, endpoint="meetings.create")
    statuses = [create(client, token).status_code for _ in range(3)]
    assert statuses == [503, 503, 201]
    assert Meeting.objects.count() == 1


def test_a_5xx_rate_fails_only_the_calls_it_hits(client, token):
    faults.fail_with(500, times=None, endpoint="meetings.get", rate=0.5)
    made = create(client, token).json()
    with mock.patch("zoom_emulator.faults.random.random", side_effect=[0.9, 0.1, 0.7]):
        statuses = [call(client, token, "GET", f"meetings/{made['id']}").status_code for _ in range(3)]
    assert statuses == [200, 500, 200]


def test_a_response_dropped_after_create_leaves_the_meeting_to_be_found(client, token):
    faults.drop_after("meetings.create")
    response = create(client, token)
    assert response.status_code == 500
    assert b"join_url" not in response.content
    listed = call(client, token, "GET", "users/me/meetings").json()["meetings"]
    assert [m["agenda"] for m in listed] == ["herp-meeting:1b2c"]
    assert not Fault.objects.exists()


def test_a_429_burst_answers_the_per_second_message_with_retry_after_seconds(client, token):
    faults.rate_limit(times=2, endpoint="meetings.create", retry_after=3)
    for _ in range(2):
        response = create(client, token)
        assert response.status_code == 429
        assert response.json() == {
            "code": 429,
            "message": "You have reached the maximum per-second rate limit for this API. Try again later.",
        }
        assert response["Retry-After"] == "3"
        assert response["X-RateLimit-Type"] == "QPS"
    assert create(client, token).status_code == 201


def test_meeting_switches_leave_other_endpoints_alone(client, token):
    faults.fail_with(500, times=None, endpoint="meetings.update")
    assert create(client, token).status_code == 201
    assert call(client, token, "GET", "users/me/meetings").status_code == 200


def test_switch_helpers_refuse_unknown_endpoints_and_rates():
    with pytest.raises(ValueError, match="endpoint"):
        faults.fail_with(500, endpoint="meetings.nope")
    with pytest.raises(ValueError, match="rate"):
        faults.fail_with(500, endpoint="meetings.get", rate=1.5)


def test_the_settings_page_switches_locks_limits_and_faults(client, seeded):
    url = reverse("zoom_emulator:meeting_settings")
    assert client.get(url).status_code == 200
    account = seeded.accounts["demo"]
    response = client.post(
        url,
        {
            "action": "policy",
            "account_id": account.account_id,
            "waiting_room": "on",
            "waiting_room_locked": "on",
            "require_password": "on",
            "password_min_length": "8",
            "daily_limit": "5",
        },
    )
    assert response.status_code == 302
    policy = MeetingPolicy.objects.get(account=account)
    assert (policy.waiting_room, policy.waiting_room_locked, policy.join_before_host) == (True, True, False)
    assert (policy.embed_password_in_join_link, policy.password_min_length, policy.daily_limit) == (False, 8, 5)
    response = client.post(
        url, {"action": "fault", "endpoint": "meetings.create", "kind": "server_error", "rate": "25", "times": ""}
    )
    assert response.status_code == 302
    fault = Fault.objects.get()
    assert (fault.endpoint, fault.status_code, fault.probability, fault.remaining) == (
        "meetings.create",
        500,
        0.25,
        None,
    )
    client.post(url, {"action": "fault", "endpoint": "meetings.update", "kind": "rate_limit", "retry_after": "2"})
    assert Fault.objects.get(kind="rate_limit").retry_after == 2
    assert "meetings.create" in client.get(url).content.decode()
    client.post(url, {"action": "clear_faults"})
    assert not Fault.objects.exists()


def test_the_settings_page_refuses_bad_input_with_a_400(client, seeded):
    url = reverse("zoom_emulator:meeting_settings")
    account_id = seeded.accounts["demo"].account_id
    bad = [
        {"action": "policy", "account_id": account_id, "password_min_length": "x", "daily_limit": "1"},
        {"action": "policy", "account_id": account_id, "password_min_length": "11", "daily_limit": "1"},
        {"action": "policy", "account_id": "nope", "password_min_length": "6", "daily_limit": "1"},
        {"action": "fault", "endpoint": "oauth.token", "kind": "delay"},
        {"action": "fault", "endpoint": "meetings.get", "kind": "bogus"},
        {"action": "fault", "endpoint": "meetings.get", "kind": "server_error", "rate": "abc"},
        {"action": "nothing"},
    ]
    for data in bad:
        assert client.post(url, data).status_code == 400, data
    assert not Fault.objects.exists()


def test_the_settings_page_lists_each_account_s_meetings(client, token):
    made = create(client, token).json()
    call(client, token, "DELETE", f"meetings/{made['id']}")
    page = client.get(reverse("zoom_emulator:meeting_settings")).content.decode()
    assert str(made["id"]) in page
    assert "Interview: Taro Yamada" in page
    assert "recruiter1@demo.example" in page
    assert "/zoom-emulator/j/" in page
    assert reverse("zoom_emulator:meeting_settings") in client.get(reverse("zoom_emulator:index")).content.decode()


def test_the_join_page_says_whether_a_guest_waits(client, token):
    open_meeting = create(client, token).json()
    page = client.get(open_meeting["join_url"])
    assert page.status_code == 200
    assert page.context["outcome"] == "joined"
    bare = open_meeting["join_url"].split("?")[0]
    assert client.get(bare).context["outcome"] == "passcode"

    meetings.set_policy("demo", join_before_host=False, join_before_host_locked=True)
    no_jbh = create(client, token).json()
    assert client.get(no_jbh["join_url"]).context["outcome"] == "waiting_for_host"
    start = call(client, token, "GET", f"meetings/{no_jbh['id']}").json()["start_url"]
    assert client.get(start).status_code == 302  # to the host's page in the meeting
    assert client.get(no_jbh["join_url"]).context["outcome"] == "joined"
    assert call(client, token, "GET", f"meetings/{no_jbh['id']}").json()["status"] == "started"

    meetings.set_policy("demo", waiting_room=True, waiting_room_locked=True)
    waiting = create(client, token).json()
    assert client.get(waiting["join_url"]).context["outcome"] == "waiting_room"
    assert client.get("/zoom-emulator/j/12345678901").status_code == 404
    assert client.get(f"/zoom-emulator/s/{waiting['id']}?zak=stale").status_code == 403
