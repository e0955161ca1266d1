"""zoom/client.py meeting endpoints against a fake API host: method, URL, bearer, body, typed result."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses

from integrations.zoom_api import client, errors
from tests.fakes.zoom import API_BASE, zoom_fixture


@responses.activate
def test_create_meeting_posts_the_body_as_the_token_owner_and_returns_a_typed_meeting():
    responses.post(f"{API_BASE}/users/me/meetings", json=zoom_fixture("meeting_created"), status=201)

    meeting = client.create_meeting("host-token", {"type": 2, "topic": "一次面接"})

    call = responses.calls[0]
    assert call.request.method == "POST"
    assert call.request.url == f"{API_BASE}/users/me/meetings"
    assert call.request.headers["Authorization"] == "Bearer host-token"
    assert json.loads(call.request.body) == {"type": 2, "topic": "一次面接"}
    assert meeting.id == 85746065432
    assert meeting.join_url.endswith("?pwd=Qm9vbXNoYWthbGFrYTEyMzQ1Ng.1")
    assert meeting.password == "Ab3dEf7hJk"
    assert meeting.start_time == datetime(2031, 1, 10, 1, 0, tzinfo=UTC)
    assert meeting.settings["join_before_host"] is True
    assert "zak" not in repr(meeting)


@responses.activate
def test_get_meeting_reads_the_meeting_with_a_fresh_start_url():
    responses.get(f"{API_BASE}/meetings/85746065432", json=zoom_fixture("meeting_created"))

    meeting = client.get_meeting("t", 85746065432)

    assert meeting.start_url.startswith("https://zoom.us/s/85746065432")


@responses.activate
def test_update_and_delete_expect_no_content():
    responses.patch(f"{API_BASE}/meetings/85746065432", status=204)
    responses.delete(f"{API_BASE}/meetings/85746065432", status=204)

    client.update_meeting("t", 85746065432, {"duration": 30})
    client.delete_meeting("t", 85746065432)

    assert [c.request.method for c in responses.calls] == ["PATCH", "DELETE"]
    assert json.loads(responses.calls[0].request.body) == {"duration": 30}


@responses.activate
def test_a_missing_meeting_is_zoom_not_found():
    responses.delete(f"{API_BASE}/meetings/1", json=zoom_fixture("api_error_meeting_not_found"), status=404)

    with pytest.raises(errors.ZoomNotFound) as caught:
        client.delete_meeting("t", 1)
    assert caught.value.code == 3001


@responses.activate
def test_list_meetings_pages_through_scheduled_meetings_with_their_agenda():
    responses.get(f"{API_BASE}/users/me/meetings", json=zoom_fixture("meetings_list"))

    page = client.list_meetings("t", page_token="abc")

    request = responses.calls[0].request
    assert "type=scheduled" in request.url
    assert "next_page_token=abc" in request.url
    assert [m.id for m in page.meetings] == [81111111111, 85746065432]
    assert page.meetings[1].agenda.startswith("herp-meeting:")
    assert page.next_page_token == ""


@responses.activate
def test_a_passcode_refusal_keeps_zooms_code_and_message():
    responses.post(f"{API_BASE}/users/me/meetings", json=zoom_fixture("api_error_passcode_rejected"), status=400)

    with pytest.raises(errors.ZoomError) as caught:
        client.create_meeting("t", {})
    assert (caught.value.status, caught.value.code) == (400, 300)
    assert "password" in caught.value.message


@responses.activate
def test_the_daily_limit_is_a_rate_limit_until_the_next_utc_midnight():
    responses.post(
        f"{API_BASE}/users/me/meetings",
        json=zoom_fixture("api_error_daily_limit"),
        status=429,
        headers={"X-RateLimit-Type": "Daily-limit"},
    )

    with pytest.raises(errors.ZoomRateLimited) as caught:
        client.create_meeting("t", {})
    assert caught.value.daily_limit
    assert caught.value.retry_at.hour == 0


def test_a_meeting_answer_without_an_id_is_refused():
    with pytest.raises(errors.ZoomError):
        client.ZoomMeetingInfo.from_json({"join_url": "https://zoom.us/j/1"})
