"""zoom/client.py against a fake API host: method, URL, bearer header, and every error class."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests
import responses

from integrations.zoom_api import client, errors, http
from tests.fakes.zoom import API_BASE, zoom_fixture

ME_URL = f"{API_BASE}/users/me"


@responses.activate
def test_get_me_sends_a_bearer_token_and_returns_a_typed_user():
    responses.get(ME_URL, json=zoom_fixture("users_me"))

    me = client.get_me("the-access-token")

    call = responses.calls[0]
    assert call.request.method == "GET"
    assert call.request.url == ME_URL
    assert call.request.headers["Authorization"] == "Bearer the-access-token"
    assert call.request.headers["User-Agent"] == http.USER_AGENT
    assert call.request.body is None
    assert me == client.ZoomUserInfo(
        id="KDcuGIm1QgePTO8WbOqwIQ",
        account_id="q6gBJVO5TzexKYTb_I2rpg",
        email="hanako@acme.example",
        first_name="花子",
        last_name="山田",
        display_name="山田 花子",
        role_name="Owner",
        type=2,
        status="active",
    )
    assert me.is_active


@responses.activate
def test_get_me_of_a_pending_user_has_no_account_and_no_status():
    responses.get(ME_URL, json=zoom_fixture("users_me_pending"))

    me = client.get_me("t")

    assert me.id == "pendingUser0000000000A"
    assert me.account_id is None
    assert me.status is None
    assert not me.is_active


@responses.activate
def test_the_base_url_is_read_at_call_time(settings):
    settings.ZOOM_API_BASE_URL = "https://elsewhere.test/v2/"
    responses.get("https://elsewhere.test/v2/users/me", json=zoom_fixture("users_me"))
    client.get_me("t")
    assert responses.calls[0].request.url == "https://elsewhere.test/v2/users/me"


def test_every_session_has_the_configured_timeout(settings, monkeypatch):
    seen = {}

    def fake_send(self, request, **kwargs):
        seen["timeout"] = kwargs.get("timeout")
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(zoom_fixture("users_me")).encode()
        return response

    monkeypatch.setattr(requests.Session, "send", fake_send)
    client.get_me("t")
    assert seen["timeout"] == settings.ZOOM_HTTP_TIMEOUT


@pytest.mark.parametrize(
    ("status", "fixture", "exception", "code"),
    [
        (401, "api_error_invalid_token", errors.ZoomAuthError, 124),
        (400, "api_error_missing_scope", errors.ZoomScopeError, 4711),
        (404, "api_error_user_not_found", errors.ZoomNotFound, 1001),
    ],
)
@responses.activate
def test_error_responses_map_to_their_exception(status, fixture, exception, code):
    responses.get(ME_URL, status=status, json=zoom_fixture(fixture))
    with pytest.raises(exception) as caught:
        client.get_me("secret-access-token")
    assert caught.value.status == status
    assert caught.value.code == code
    assert caught.value.message
    assert "secret-access-token" not in str(caught.value)


@responses.activate
def test_code_124_is_an_auth_error_even_without_a_401():
    responses.get(ME_URL, status=400, json={"code": 124, "message": "Access token is expired."})
    with pytest.raises(errors.ZoomAuthError):
        client.get_me("t")


@responses.activate
def test_a_per_second_429_carries_retry_after_seconds():
    responses.get(ME_URL, status=429, json=zoom_fixture("api_error_rate_limit"), headers={"Retry-After": "2"})
    with pytest.raises(errors.ZoomRateLimited) as caught:
        client.get_me("t")
    assert caught.value.retry_after == 2
    assert not caught.value.daily_limit
    assert caught.value.retryable


@responses.activate
def test_a_daily_limit_429_with_an_iso_retry_after_waits_until_then():
    responses.get(
        ME_URL,
        status=429,
        json=zoom_fixture("api_error_daily_limit"),
        headers={"Retry-After": "2099-05-31T00:00:00Z", "X-RateLimit-Type": "Daily-limit"},
    )
    with pytest.raises(errors.ZoomRateLimited) as caught:
        client.get_me("t")
    assert caught.value.daily_limit
    assert caught.value.retry_at.replace(microsecond=0) == datetime(2099, 5, 31, tzinfo=UTC)


@responses.activate
def test_a_daily_limit_429_without_retry_after_waits_until_midnight_utc():
    responses.get(ME_URL, status=429, json=zoom_fixture("api_error_daily_limit"))
    with pytest.raises(errors.ZoomRateLimited) as caught:
        client.get_me("t")
    assert caught.value.daily_limit
    retry_at = caught.value.retry_at
    assert (retry_at.hour, retry_at.minute, retry_at.second) == (0, 0, 0)
    assert 0 < caught.value.retry_after <= 24 * 3600


@pytest.mark.parametrize("status", [500, 503])
@responses.activate
def test_5xx_is_retryable_unavailable(status):
    responses.get(ME_URL, status=status, body="gateway trouble")
    with pytest.raises(errors.ZoomUnavailable) as caught:
        client.get_me("t")
    assert caught.value.retryable
    assert caught.value.status == status


@pytest.mark.parametrize("error", [requests.ReadTimeout("slow"), requests.ConnectionError("down")])
@responses.activate
def test_timeouts_and_connection_errors_are_unavailable(error):
    responses.get(ME_URL, body=error)
    with pytest.raises(errors.ZoomUnavailable) as caught:
        client.get_me("t")
    assert caught.value.__cause__ is None


@responses.activate
def test_a_non_json_200_is_a_zoom_error():
    responses.get(ME_URL, body="<html></html>")
    with pytest.raises(errors.ZoomError):
        client.get_me("t")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("30", 30.0),
        ("-3", 0.0),
        ("2026-01-01T00:01:00Z", 60.0),
        ("Thu, 01 Jan 2026 00:02:00 GMT", 120.0),
        ("soon", None),
    ],
)
def test_parse_retry_after_reads_seconds_http_dates_and_iso_dates(value, expected):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert client.parse_retry_after(value, now=now) == expected
