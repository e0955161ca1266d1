"""Issue 16, goal 3: one HTTP session per process and thread, with keep-alive and a bounded pool,
shared by the REST client and the OAuth token calls; certificates always verified."""

from __future__ import annotations

import threading

import pytest
import requests
import responses

from integrations import oauth
from integrations.zoom_api import client, http

API = "https://api.zoom.test/v2"


@pytest.fixture(autouse=True)
def fresh_pool(settings):
    settings.ZOOM_API_BASE_URL = API
    settings.ZOOM_OAUTH_BASE_URL = "https://zoom.test"
    http.reset()
    yield
    http.reset()


def test_it_reuses_one_session_and_one_pool_in_a_thread():
    assert http.api_session() is http.api_session()
    assert http.api_session().get_adapter("https://api.zoom.test/") is http.pool()


def test_each_thread_gets_its_own_session():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(http.api_session()))
    thread.start()
    thread.join()
    assert seen[0] is not http.api_session()


def test_a_forked_process_starts_a_pool_of_its_own(monkeypatch):
    parent = http.api_session()
    monkeypatch.setattr(http.os, "getpid", lambda: 424242)
    assert http.api_session() is not parent


def test_the_pool_is_bounded_by_the_setting(settings):
    settings.ZOOM_HTTP_POOL_SIZE = 3
    http.reset()
    assert http.pool()._pool_maxsize == 3


def test_the_oauth_session_shares_the_pool_and_the_conventions(settings):
    session = oauth.oauth_session()
    assert session.get_adapter("https://zoom.test/oauth/token") is http.pool()
    assert session.headers["User-Agent"] == http.USER_AGENT
    assert session.verify is True


def test_certificates_are_checked_against_the_configured_bundle(settings, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    settings.ZOOM_CA_BUNDLE = str(bundle)
    http.reset()
    assert http.api_session().verify == str(bundle)


@responses.activate
def test_a_rest_call_leaves_the_session_open_for_the_next():
    responses.get(f"{API}/users/me", json={"id": "zu1", "account_id": "a", "email": "e@x", "status": "active"})
    session = http.api_session()
    client.get_me("token")
    client.get_me("token")
    assert http.api_session() is session
    assert len(responses.calls) == 2


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_the_configured_bundle_wins_over_the_environment(variable, settings, tmp_path, monkeypatch):
    # requests lets these variables override a session's own ``verify``; the product passes its own on
    # every request (found by bench/tls.py, where every call failed certificate verification).
    ours, theirs = tmp_path / "ours.pem", tmp_path / "theirs.pem"
    ours.write_text("ours")
    theirs.write_text("theirs")
    settings.ZOOM_CA_BUNDLE = str(ours)
    monkeypatch.setenv(variable, str(theirs))
    http.reset()
    seen = []

    def send(adapter, request, **kwargs):
        seen.append(kwargs["verify"])
        raise requests.ConnectionError("stop here")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    with pytest.raises(Exception):  # noqa: B017, PT011  (the stop above, in the form each client gives it)
        client.get_me("token")
    with pytest.raises(Exception):  # noqa: B017, PT011
        oauth.refresh("refresh-token")

    assert seen == [str(ours), str(ours)]
