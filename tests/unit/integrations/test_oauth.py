"""integrations/oauth.py against a fake token endpoint: every request's method, URL, client
authentication and body, and each failure mapped to its exception (RELIABILITY T03, T09)."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.utils import timezone

from integrations import oauth
from integrations.zoom_api import errors, http
from tests.fakes.zoom import CLIENT_ID, CLIENT_SECRET, OAUTH_BASE, TOKEN_URL, zoom_fixture

REDIRECT_URI = "http://testserver/integrations/zoom/callback/"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()


def form(call) -> dict[str, str]:
    body = call.request.body
    if isinstance(body, bytes):
        body = body.decode()
    return {key: values[0] for key, values in parse_qs(body).items()}


def test_T03_authorize_url_carries_state_and_s256_challenge_but_not_the_verifier():
    url, state, verifier = oauth.build_authorize_url(REDIRECT_URI)

    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{OAUTH_BASE}/oauth/authorize"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT_URI
    assert query["state"] == state
    assert query["code_challenge_method"] == "S256"
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == expected
    assert 43 <= len(verifier) <= 128
    assert verifier not in url
    assert CLIENT_SECRET not in url


def test_T03_each_authorize_gets_a_new_state_and_verifier():
    first = oauth.build_authorize_url(REDIRECT_URI)
    second = oauth.build_authorize_url(REDIRECT_URI)
    assert first.state != second.state
    assert first.code_verifier != second.code_verifier
    assert len(first.state) >= 32


def test_T03_authorize_request_keeps_the_verifier_out_of_its_repr():
    authorize = oauth.build_authorize_url(REDIRECT_URI)
    assert authorize.code_verifier not in repr(authorize)


@responses.activate
def test_exchange_code_posts_the_code_and_verifier_with_basic_client_auth():
    responses.post(TOKEN_URL, json=zoom_fixture("oauth_token"))

    token_set = oauth.exchange_code("the-code", REDIRECT_URI, "v" * 50)

    assert len(responses.calls) == 1
    call = responses.calls[0]
    assert call.request.method == "POST"
    assert call.request.url == TOKEN_URL
    assert call.request.headers["Authorization"] == BASIC
    assert call.request.headers["User-Agent"] == http.USER_AGENT
    assert call.request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert form(call) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REDIRECT_URI,
        "code_verifier": "v" * 50,
    }
    body = zoom_fixture("oauth_token")
    assert token_set.access_token == body["access_token"]
    assert token_set.refresh_token == body["refresh_token"]
    assert "meeting:write:meeting" in token_set.scopes
    assert timezone.now() + timedelta(seconds=3500) < token_set.expires_at <= timezone.now() + timedelta(seconds=3600)


@responses.activate
def test_token_set_repr_shows_no_token():
    responses.post(TOKEN_URL, json=zoom_fixture("oauth_token"))
    token_set = oauth.exchange_code("the-code", REDIRECT_URI, "v" * 50)
    assert token_set.access_token not in repr(token_set)
    assert token_set.refresh_token not in repr(token_set)


@responses.activate
def test_refresh_posts_the_refresh_token_with_basic_client_auth():
    responses.post(TOKEN_URL, json=zoom_fixture("oauth_token_refreshed"))

    token_set = oauth.refresh("old-refresh-token")

    call = responses.calls[0]
    assert call.request.method == "POST"
    assert call.request.url == TOKEN_URL
    assert call.request.headers["Authorization"] == BASIC
    assert form(call) == {"grant_type": "refresh_token", "refresh_token": "old-refresh-token"}
    assert token_set.refresh_token == zoom_fixture("oauth_token_refreshed")["refresh_token"]


@responses.activate
def test_T09_refresh_without_refresh_token_says_so_instead_of_echoing_the_old_one():
    responses.post(TOKEN_URL, json=zoom_fixture("oauth_token_without_refresh_token"))

    token_set = oauth.refresh("old-refresh-token")

    assert token_set.refresh_token is None
    assert token_set.access_token == zoom_fixture("oauth_token_without_refresh_token")["access_token"]


@responses.activate
def test_the_endpoint_is_read_from_settings_at_call_time(settings):
    settings.ZOOM_OAUTH_BASE_URL = "https://other-zoom.test/"
    responses.post("https://other-zoom.test/oauth/token", json=zoom_fixture("oauth_token"))
    oauth.refresh("r")
    assert responses.calls[0].request.url == "https://other-zoom.test/oauth/token"


@responses.activate
def test_calls_carry_the_configured_timeout(settings, monkeypatch):
    seen = {}
    original = requests.Session.request

    def spy(self, method, url, *args, **kwargs):
        seen["timeout"] = kwargs.get("timeout")
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    responses.post(TOKEN_URL, json=zoom_fixture("oauth_token"))
    oauth.refresh("r")
    assert seen["timeout"] == settings.ZOOM_HTTP_TIMEOUT


@pytest.mark.parametrize("fixture", ["oauth_error_invalid_grant", "oauth_error_invalid_request"])
@responses.activate
def test_T09_dead_refresh_token_raises_invalid_grant(fixture):
    responses.post(TOKEN_URL, status=400, json=zoom_fixture(fixture))
    with pytest.raises(errors.OAuthInvalidGrant) as caught:
        oauth.refresh("dead-refresh-token")
    assert caught.value.status == 400
    assert caught.value.reason == "Invalid Token!"
    assert "dead-refresh-token" not in str(caught.value)


@responses.activate
def test_T09_invalid_client_raises_invalid_client_without_the_secret():
    responses.post(TOKEN_URL, status=401, json=zoom_fixture("oauth_error_invalid_client"))
    with pytest.raises(errors.OAuthInvalidClient) as caught:
        oauth.refresh("r")
    assert caught.value.status == 401
    assert CLIENT_SECRET not in str(caught.value)


@responses.activate
def test_a_bare_401_is_the_client_being_refused():
    responses.post(TOKEN_URL, status=401, body="Unauthorized")
    with pytest.raises(errors.OAuthInvalidClient):
        oauth.refresh("r")


@responses.activate
def test_T09_429_is_temporary_with_retry_after():
    responses.post(TOKEN_URL, status=429, json={"code": 429, "message": "Too many"}, headers={"Retry-After": "7"})
    with pytest.raises(errors.OAuthTemporaryError) as caught:
        oauth.refresh("r")
    assert caught.value.status == 429
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("status", [500, 502, 503])
@responses.activate
def test_T09_5xx_is_temporary(status):
    responses.post(TOKEN_URL, status=status, body="<html>oops</html>")
    with pytest.raises(errors.OAuthTemporaryError) as caught:
        oauth.refresh("r")
    assert caught.value.status == status
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    "error", [requests.ConnectTimeout("slow"), requests.ReadTimeout("slow"), requests.ConnectionError("down")]
)
@responses.activate
def test_T09_timeouts_and_connection_errors_are_temporary(error):
    responses.post(TOKEN_URL, body=error)
    with pytest.raises(errors.OAuthTemporaryError) as caught:
        oauth.exchange_code("c", REDIRECT_URI, "v" * 50)
    assert caught.value.status is None


@responses.activate
def test_a_200_without_an_access_token_is_not_stored():
    responses.post(TOKEN_URL, json={"token_type": "bearer"})
    with pytest.raises(errors.OAuthTemporaryError):
        oauth.refresh("r")


@responses.activate
def test_an_unexpected_4xx_is_a_plain_oauth_error():
    responses.post(TOKEN_URL, status=400, json={"error": "unsupported_grant_type", "reason": "nope"})
    with pytest.raises(errors.OAuthError) as caught:
        oauth.refresh("r")
    assert type(caught.value) is errors.OAuthError
    assert caught.value.error == "unsupported_grant_type"


@responses.activate
def test_revoke_posts_the_token_with_basic_client_auth():
    responses.post(f"{OAUTH_BASE}/oauth/revoke", json=zoom_fixture("oauth_revoke"))

    oauth.revoke("the-access-token")

    call = responses.calls[0]
    assert call.request.method == "POST"
    assert call.request.url == f"{OAUTH_BASE}/oauth/revoke"
    assert call.request.headers["Authorization"] == BASIC
    assert form(call) == {"token": "the-access-token"}


@responses.activate
def test_revoking_an_unknown_token_raises_invalid_grant():
    responses.post(f"{OAUTH_BASE}/oauth/revoke", status=400, json=zoom_fixture("oauth_error_invalid_grant"))
    with pytest.raises(errors.OAuthInvalidGrant):
        oauth.revoke("gone")


def test_it_refuses_to_run_without_client_credentials(settings):
    settings.ZOOM_CLIENT_SECRET = None
    with pytest.raises(errors.OAuthNotConfigured):
        oauth.build_authorize_url(REDIRECT_URI)
