"""integrations/tokens.py: fresh tokens are reused, stale ones refreshed once and persisted first, and
each token-endpoint failure has its own outcome (RELIABILITY T08, T09, T10, T11)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import requests
import responses
from cryptography.fernet import Fernet
from django.utils import timezone

from integrations import oauth, signals, tokens
from integrations.models import IntegrationEvent, LossReason, ZoomGrant, ZoomInstallation
from integrations.zoom_api import errors
from integrations.zoom_api.errors import ZoomAuthError
from tests.fakes.zoom import TOKEN_URL, zoom_fixture

REFRESHED = zoom_fixture("oauth_token_refreshed")


def in_an_hour():
    return timezone.now() + timedelta(hours=1)


@pytest.fixture
def zoom():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def invalidated():
    seen: list[dict] = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    signals.grant_invalidated.connect(receiver, weak=False)
    yield seen
    signals.grant_invalidated.disconnect(receiver)


def refresh_calls(zoom) -> list:
    return [call for call in zoom.calls if call.request.url == TOKEN_URL]


def test_a_fresh_token_is_returned_without_calling_zoom(zoom, grant_factory):
    grant = grant_factory(access_token="fresh-token", expires_in=3600)
    assert tokens.get_access_token(grant.pk) == "fresh-token"
    assert len(zoom.calls) == 0


@pytest.mark.parametrize("expires_in", [-60, 120])
def test_a_stale_token_is_refreshed_once_and_persisted_before_use(zoom, grant_factory, expires_in):
    zoom.post(TOKEN_URL, json=REFRESHED)
    grant = grant_factory(refresh_token="live-refresh", expires_in=expires_in, token_version=4)

    token = tokens.get_access_token(grant.pk)

    assert token == REFRESHED["access_token"]
    assert len(refresh_calls(zoom)) == 1
    assert "refresh_token=live-refresh" in zoom.calls[0].request.body
    grant.refresh_from_db()
    assert grant.decrypt_access_token() == REFRESHED["access_token"]
    assert grant.decrypt_refresh_token() == REFRESHED["refresh_token"]
    assert grant.token_version == 5
    assert grant.last_refreshed_at is not None
    assert not grant.expires_within(3000)
    # The next caller finds the new token: no second refresh.
    assert tokens.get_access_token(grant.pk) == REFRESHED["access_token"]
    assert len(refresh_calls(zoom)) == 1


def test_T09_a_refresh_without_refresh_token_keeps_the_old_one(zoom, grant_factory):
    zoom.post(TOKEN_URL, json=zoom_fixture("oauth_token_without_refresh_token"))
    grant = grant_factory(refresh_token="keep-me", expires_in=-1)

    token = tokens.get_access_token(grant.pk)

    grant.refresh_from_db()
    assert token == zoom_fixture("oauth_token_without_refresh_token")["access_token"]
    assert grant.decrypt_refresh_token() == "keep-me"
    assert grant.is_active


def test_T09_invalid_grant_on_the_live_refresh_token_invalidates_the_grant(
    zoom, installation_factory, invalidated, django_capture_on_commit_callbacks, caplog
):
    zoom.post(TOKEN_URL, status=400, json=zoom_fixture("oauth_error_invalid_grant"))
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    grant = installation.grant
    grant.expires_at = None
    grant.save()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.GrantUnavailable):
        tokens.get_access_token(grant.pk)

    grant.refresh_from_db()
    installation.refresh_from_db()
    assert grant.status == ZoomGrant.Status.INVALID
    assert "invalid_grant" in grant.last_error
    assert [kwargs["grant_id"] for kwargs in invalidated] == [grant.pk]
    assert installation.status == ZoomInstallation.Status.NEEDS_RECONNECT
    assert IntegrationEvent.objects.filter(company=grant.company, kind=IntegrationEvent.Kind.GRANT_INVALIDATED).exists()
    assert "zoom.grant_lost" in caplog.text
    # No retry loop: the invalid grant is not refreshed again.
    with pytest.raises(errors.GrantUnavailable):
        tokens.get_access_token(grant.pk)
    assert len(refresh_calls(zoom)) == 1


def test_T09_invalid_grant_after_another_worker_refreshed_does_not_invalidate(zoom, grant_factory, invalidated):
    grant = grant_factory(refresh_token="old-refresh", expires_in=-1)

    def other_worker_won(request):
        # While our request was in flight, another writer stored a newer pair; Zoom then refuses our
        # (now superseded) refresh token.
        other = ZoomGrant.objects.get(pk=grant.pk)
        ZoomGrant.objects.filter(pk=grant.pk).update(
            access_token=other.encrypt("access_token", "winner-access"),
            refresh_token=other.encrypt("refresh_token", "winner-refresh"),
            expires_at=in_an_hour(),
            token_version=other.token_version + 1,
        )
        return 400, {}, '{"reason": "Invalid Token!", "error": "invalid_grant"}'

    zoom.add_callback(responses.POST, TOKEN_URL, callback=other_worker_won)

    assert tokens.get_access_token(grant.pk) == "winner-access"
    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.ACTIVE
    assert grant.decrypt_refresh_token() == "winner-refresh"
    assert invalidated == []


def test_T09_invalid_client_alerts_operators_and_flags_nobody(zoom, installation_factory, caplog):
    zoom.post(TOKEN_URL, status=401, json=zoom_fixture("oauth_error_invalid_client"))
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    grant = installation.grant
    ZoomGrant.objects.filter(pk=grant.pk).update(expires_at=None)
    before = ZoomGrant.objects.values().get(pk=grant.pk)

    with caplog.at_level(logging.ERROR, logger="herp.alerts"), pytest.raises(errors.ZoomClientRejected):
        tokens.get_access_token(grant.pk)

    alerts = [record for record in caplog.records if record.name == "herp.alerts"]
    assert len(alerts) == 1
    assert "zoom.client_rejected" in alerts[0].getMessage()
    assert ZoomGrant.objects.values().get(pk=grant.pk) == before
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.CONNECTED
    assert not IntegrationEvent.objects.exists()


def test_T09_invalid_client_mails_the_admins(zoom, grant_factory, settings, mailoutbox):
    settings.ADMINS = [("Ops", "ops@example.com")]
    zoom.post(TOKEN_URL, status=401, json=zoom_fixture("oauth_error_invalid_client"))
    grant = grant_factory(expires_in=-1)
    with pytest.raises(errors.ZoomClientRejected):
        tokens.get_access_token(grant.pk)
    assert len(mailoutbox) == 1
    assert "zoom.client_rejected" in mailoutbox[0].subject


@pytest.mark.parametrize(
    ("response", "retry_after"),
    [
        ({"status": 429, "json": {"code": 429, "message": "slow down"}, "headers": {"Retry-After": "3"}}, 3),
        ({"status": 500, "body": "oops"}, None),
        ({"status": 503, "body": "oops"}, None),
        ({"body": requests.ReadTimeout("slow")}, None),
        ({"body": requests.ConnectionError("down")}, None),
    ],
)
def test_T09_temporary_failures_leave_tokens_untouched_and_are_retryable(zoom, grant_factory, response, retry_after):
    zoom.post(TOKEN_URL, **response)
    grant = grant_factory(expires_in=-1)
    before = ZoomGrant.objects.values().get(pk=grant.pk)

    with pytest.raises(errors.TokenRefreshRetryable) as caught:
        tokens.get_access_token(grant.pk)

    assert caught.value.retryable
    assert caught.value.retry_after == retry_after
    assert ZoomGrant.objects.values().get(pk=grant.pk) == before


def test_an_unclassified_oauth_error_leaves_the_grant_alone(zoom, grant_factory):
    zoom.post(TOKEN_URL, status=400, json={"error": "unsupported_grant_type"})
    grant = grant_factory(expires_in=-1)
    with pytest.raises(errors.TokenRefreshFailed):
        tokens.get_access_token(grant.pk)
    grant.refresh_from_db()
    assert grant.is_active


@pytest.mark.parametrize("expires_in", [3600, -1])
def test_T10_an_undecryptable_token_fails_closed(
    zoom, grant_factory, settings, caplog, django_capture_on_commit_callbacks, expires_in
):
    grant = grant_factory(expires_in=expires_in)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.GrantUnavailable):
        tokens.get_access_token(grant.pk)

    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.INVALID
    assert len(zoom.calls) == 0
    assert "tokens.decrypt_failed" in caplog.text
    assert IntegrationEvent.objects.filter(kind=IntegrationEvent.Kind.TOKEN_DECRYPT_FAILED).count() == 1


@pytest.mark.parametrize("status", [ZoomGrant.Status.INVALID, ZoomGrant.Status.REVOKED])
def test_an_inactive_grant_gives_no_token(zoom, grant_factory, status):
    grant = grant_factory(status=status)
    with pytest.raises(errors.GrantUnavailable):
        tokens.get_access_token(grant.pk)
    assert len(zoom.calls) == 0


def test_an_unknown_grant_gives_no_token(db):
    with pytest.raises(errors.GrantUnavailable):
        tokens.get_access_token(987654)


# --- call_with_token ---------------------------------------------------------------------------


def test_call_with_token_passes_the_token(zoom, grant_factory):
    grant = grant_factory(access_token="good")
    assert tokens.call_with_token(grant.pk, lambda token: f"used {token}") == "used good"


def test_call_with_token_refreshes_once_after_a_401_and_retries_once(zoom, grant_factory):
    zoom.post(TOKEN_URL, json=REFRESHED)
    grant = grant_factory(access_token="revoked-at-zoom", expires_in=3600)
    used: list[str] = []

    def call(token: str) -> str:
        used.append(token)
        if token == "revoked-at-zoom":
            raise ZoomAuthError("Zoom refused GET /users/me: HTTP 401", status=401, code=124)
        return "ok"

    assert tokens.call_with_token(grant.pk, call) == "ok"
    assert used == ["revoked-at-zoom", REFRESHED["access_token"]]
    assert len(refresh_calls(zoom)) == 1


def test_call_with_token_gives_up_after_the_second_401(zoom, grant_factory):
    zoom.post(TOKEN_URL, json=REFRESHED)
    grant = grant_factory()
    calls = []

    def call(token: str) -> str:
        calls.append(token)
        raise ZoomAuthError("refused", status=401, code=124)

    with pytest.raises(ZoomAuthError):
        tokens.call_with_token(grant.pk, call)
    assert len(calls) == 2
    assert len(refresh_calls(zoom)) == 1


def test_call_with_token_does_not_refresh_when_another_worker_already_replaced_the_token(zoom, grant_factory):
    grant = grant_factory(access_token="old")

    def call(token: str) -> str:
        if token == "old":
            # Meanwhile another worker refreshed the grant.
            current = ZoomGrant.objects.get(pk=grant.pk)
            ZoomGrant.objects.filter(pk=grant.pk).update(access_token=current.encrypt("access_token", "newer"))
            raise ZoomAuthError("refused", status=401, code=124)
        return token

    assert tokens.call_with_token(grant.pk, call) == "newer"
    assert len(zoom.calls) == 0


# --- Writers -----------------------------------------------------------------------------------


def test_T08_a_writer_carrying_an_old_version_is_rejected(zoom, grant_factory):
    zoom.post(TOKEN_URL, json=REFRESHED)
    grant = grant_factory(expires_in=-1)
    stale_copy = ZoomGrant.objects.get(pk=grant.pk)
    tokens.get_access_token(grant.pk)  # someone else refreshes: version moves on

    late = zoom_fixture("oauth_token")
    late_set = oauth.TokenSet(
        access_token=late["access_token"], refresh_token=late["refresh_token"], expires_at=in_an_hour()
    )
    assert tokens.persist_refreshed_tokens(stale_copy, late_set, expected_version=stale_copy.token_version) is False
    grant.refresh_from_db()
    assert grant.decrypt_refresh_token() == REFRESHED["refresh_token"]


def _token_set(name: str):
    body = zoom_fixture(name)
    return oauth.TokenSet(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token"),
        expires_at=in_an_hour(),
        scopes=tuple(body["scope"].split()),
    )


def test_store_new_tokens_creates_a_grant(company_factory):
    company = company_factory()
    grant = tokens.store_new_tokens(company=company, zoom_user_id="zu-1", token_set=_token_set("oauth_token"))
    grant.refresh_from_db()
    assert grant.company == company
    assert grant.is_active
    assert grant.decrypt_access_token() == zoom_fixture("oauth_token")["access_token"]
    assert "meeting:write:meeting" in grant.scopes


def test_store_new_tokens_updates_the_zoom_user_s_grant_in_place(grant_factory, company_factory):
    grant = grant_factory(zoom_user_id="zu-2", token_version=3)
    other_company = company_factory()

    stored = tokens.store_new_tokens(
        company=other_company, zoom_user_id="zu-2", token_set=_token_set("oauth_token_refreshed")
    )

    assert stored.pk == grant.pk
    stored.refresh_from_db()
    assert stored.company_id == grant.company_id  # kept unless reassigned
    assert stored.token_version == 4
    assert stored.decrypt_refresh_token() == REFRESHED["refresh_token"]


def test_store_new_tokens_can_move_a_grant_to_another_company(grant_factory, company_factory):
    grant = grant_factory(zoom_user_id="zu-3")
    company = company_factory()
    stored = tokens.store_new_tokens(
        company=company, zoom_user_id="zu-3", token_set=_token_set("oauth_token"), reassign_company=True
    )
    stored.refresh_from_db()
    assert stored.pk == grant.pk
    assert stored.company == company
    assert stored.decrypt_access_token() == zoom_fixture("oauth_token")["access_token"]


def test_store_new_tokens_revives_an_invalid_grant_and_signals(
    grant_factory, company_factory, django_capture_on_commit_callbacks
):
    grant = grant_factory(zoom_user_id="zu-4", status=ZoomGrant.Status.INVALID)
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs["grant_id"])

    signals.grant_reauthorized.connect(receiver, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            tokens.store_new_tokens(company=grant.company, zoom_user_id="zu-4", token_set=_token_set("oauth_token"))
    finally:
        signals.grant_reauthorized.disconnect(receiver)
    grant.refresh_from_db()
    assert grant.is_active
    assert grant.last_error == ""
    assert seen == [grant.pk]


def test_T09_a_first_connection_without_refresh_token_is_refused(company_factory):
    with pytest.raises(errors.MissingRefreshToken):
        tokens.store_new_tokens(
            company=company_factory(), zoom_user_id="zu-5", token_set=_token_set("oauth_token_without_refresh_token")
        )
    assert not ZoomGrant.objects.filter(zoom_user_id="zu-5").exists()


def test_T09_an_existing_grant_keeps_its_refresh_token_when_none_comes(grant_factory):
    grant = grant_factory(zoom_user_id="zu-6", refresh_token="kept")
    tokens.store_new_tokens(
        company=grant.company, zoom_user_id="zu-6", token_set=_token_set("oauth_token_without_refresh_token")
    )
    grant.refresh_from_db()
    assert grant.decrypt_refresh_token() == "kept"
    assert grant.decrypt_access_token() == zoom_fixture("oauth_token_without_refresh_token")["access_token"]


def test_a_revoked_grant_has_no_refresh_token_to_keep(grant_factory):
    grant = grant_factory(zoom_user_id="zu-7")
    grant.revoke(LossReason.UNUSED)
    with pytest.raises(errors.MissingRefreshToken):
        tokens.store_new_tokens(
            company=grant.company, zoom_user_id="zu-7", token_set=_token_set("oauth_token_without_refresh_token")
        )


# --- Secret hygiene ----------------------------------------------------------------------------


def test_T11_no_token_reaches_the_logs_on_any_refresh_outcome(zoom, grant_factory, caplog, settings):
    caplog.set_level(logging.DEBUG)
    secrets = ["secret-refresh-1", "secret-access-1", REFRESHED["access_token"], REFRESHED["refresh_token"]]
    zoom.post(TOKEN_URL, json=REFRESHED)
    zoom.post(TOKEN_URL, status=401, json=zoom_fixture("oauth_error_invalid_client"))
    zoom.post(TOKEN_URL, status=400, json=zoom_fixture("oauth_error_invalid_grant"))
    grant = grant_factory(access_token="secret-access-1", refresh_token="secret-refresh-1", expires_in=-1)

    tokens.get_access_token(grant.pk)
    for _ in range(2):
        ZoomGrant.objects.filter(pk=grant.pk).update(expires_at=None)
        with pytest.raises(errors.TokenError) as caught:
            tokens.get_access_token(grant.pk)
        for secret in secrets:
            assert secret not in str(caught.value)

    for secret in [*secrets, settings.ZOOM_CLIENT_SECRET]:
        assert secret not in caplog.text
