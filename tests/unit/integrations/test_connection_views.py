"""The 外部サービス連携 page and the Connect handshake, with Zoom mocked by `responses`.

The same journeys run over real HTTP through the emulator in the integration tier.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from django.conf import settings
from django.urls import reverse

from herp.models import User
from integrations import handshake
from integrations.models import IntegrationEvent, ZoomGrant, ZoomInstallation

ACCOUNT_ID = "acct_company_a_0000001"
ZOOM_USER_ID = "zu_installer_00000001"


def token_url() -> str:
    return f"{settings.ZOOM_OAUTH_BASE_URL}/oauth/token"


def me_url() -> str:
    return f"{settings.ZOOM_API_BASE_URL}/users/me"


def token_body(access: str = "access-1", refresh: str | None = "refresh-1") -> dict:
    body = {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": 3599,
        "scope": "user:read:user meeting:write:meeting",
    }
    if refresh is not None:
        body["refresh_token"] = refresh
    return body


def me_body(**overrides) -> dict:
    body = {
        "id": ZOOM_USER_ID,
        "account_id": ACCOUNT_ID,
        "email": "installer@zoom.example",
        "first_name": "花子",
        "last_name": "山田",
        "display_name": "山田 花子",
        "role_name": "Admin",
        "type": 2,
        "status": "active",
    }
    body.update(overrides)
    return body


@pytest.fixture
def admin(user_factory) -> User:
    return user_factory(role=User.Role.ADMIN, name="管理者 A")


@pytest.fixture
def admin_client(admin, client_for):
    return client_for(admin)


def start_connect(client) -> str:
    """Presses Connect and returns the state Zoom would echo back."""
    response = client.post(reverse("integrations:connect"))
    assert response.status_code == 302
    return parse_qs(urlsplit(response.url).query)["state"][0]


def complete(client, state: str, **extra):
    return client.get(reverse("integrations:callback"), {"state": state, "code": "the-code", **extra})


def installation_of(user: User) -> ZoomInstallation:
    return ZoomInstallation.objects.get(company=user.company)


# --- The page -------------------------------------------------------------------------------------


def test_it_requires_company_admin(user_factory, client_for):
    member = user_factory(role=User.Role.MEMBER)
    response = client_for(member).get(reverse("integrations:settings"))
    assert response.status_code == 403
    assert reverse("integrations:settings") not in client_for(member).get(reverse("home")).content.decode()


def test_it_lists_the_page_in_an_admins_menu(admin_client):
    assert reverse("integrations:settings") in admin_client.get(reverse("home")).content.decode()


def test_it_explains_what_connecting_does_before_connecting(admin_client):
    response = admin_client.get(reverse("integrations:settings"))
    assert response.status_code == 200
    assert 'data-status="not_connected"' in response.content.decode()
    assert 'id="zoom-connect"' in response.content.decode()


# --- Connect --------------------------------------------------------------------------------------


def test_T03_it_sends_the_admin_to_zoom_with_state_and_pkce_s256(admin, admin_client):
    response = admin_client.post(reverse("integrations:connect"))
    url = urlsplit(response.url)
    query = parse_qs(url.query)

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{settings.ZOOM_OAUTH_BASE_URL}/oauth/authorize"
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [settings.ZOOM_CLIENT_ID]
    assert query["redirect_uri"] == [f"{settings.SITE_URL}/integrations/zoom/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32
    pending = admin_client.session[handshake.SESSION_KEY][query["state"][0]]
    verifier = pending["code_verifier"]
    assert len(verifier) >= 43
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == [expected]
    assert verifier not in response.url
    assert installation_of(admin).status == ZoomInstallation.Status.AUTHORIZING
    assert IntegrationEvent.objects.filter(company=admin.company, kind=IntegrationEvent.Kind.CONNECT_STARTED).exists()


def test_T04_a_spoofed_host_is_refused(admin_client):
    assert admin_client.post(reverse("integrations:connect"), HTTP_HOST="evil.example").status_code == 400


def test_T04_the_redirect_uri_ignores_the_host_even_when_allowed(admin_client, settings):
    settings.ALLOWED_HOSTS = ["*"]
    response = admin_client.post(reverse("integrations:connect"), HTTP_HOST="evil.example")
    redirect_uri = parse_qs(urlsplit(response.url).query)["redirect_uri"][0]
    assert redirect_uri == f"{settings.SITE_URL}/integrations/zoom/callback/"


def test_it_refuses_connect_with_a_get(admin_client):
    assert admin_client.get(reverse("integrations:connect")).status_code == 405


@responses.activate
def test_it_connects_the_company(admin, admin_client):
    state = start_connect(admin_client)
    responses.post(token_url(), json=token_body())
    responses.get(me_url(), json=me_body())

    response = complete(admin_client, state)

    assert response.status_code == 302
    assert response.url == reverse("integrations:settings")
    assert response["Referrer-Policy"] == "no-referrer"
    installation = installation_of(admin)
    assert installation.status == ZoomInstallation.Status.CONNECTED
    assert installation.zoom_account_id == ACCOUNT_ID
    assert installation.installer == admin
    assert installation.installer_zoom_email == "installer@zoom.example"
    assert installation.grant.zoom_user_id == ZOOM_USER_ID
    assert installation.grant.decrypt_access_token() == "access-1"
    token_call = responses.calls[0].request
    assert token_call.headers["Authorization"].startswith("Basic ")
    form = parse_qs(token_call.body)
    assert form["grant_type"] == ["authorization_code"]
    assert form["redirect_uri"] == [f"{settings.SITE_URL}/integrations/zoom/callback/"]
    assert "code_verifier" in form
    assert responses.calls[1].request.headers["Authorization"] == "Bearer access-1"

    page = admin_client.get(reverse("integrations:settings")).content.decode()
    assert ACCOUNT_ID in page
    assert "installer@zoom.example" in page
    assert "meeting:write:meeting" in page


# --- T01 / T02: state ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [None, "", "forged-state-value"])
def test_T01_it_refuses_a_missing_or_forged_state(admin, admin_client, state):
    start_connect(admin_client)
    params = {"code": "the-code"} if state is None else {"code": "the-code", "state": state}
    response = admin_client.get(reverse("integrations:callback"), params)

    assert response.status_code == 400
    assert response["Referrer-Policy"] == "no-referrer"
    assert not ZoomGrant.objects.exists()
    assert installation_of(admin).status == ZoomInstallation.Status.AUTHORIZING
    assert IntegrationEvent.objects.filter(kind=IntegrationEvent.Kind.CALLBACK_REJECTED).exists()


def test_T01_it_refuses_a_state_older_than_an_hour(admin, admin_client, monkeypatch):
    state = start_connect(admin_client)
    real_time = time.time
    monkeypatch.setattr(handshake.time, "time", lambda: real_time() + handshake.STATE_TTL_SECONDS + 1)
    response = complete(admin_client, state)
    assert response.status_code == 400
    assert not ZoomGrant.objects.exists()


@responses.activate
def test_T01_a_state_works_once(admin, admin_client):
    state = start_connect(admin_client)
    responses.post(token_url(), json=token_body())
    responses.get(me_url(), json=me_body())
    assert complete(admin_client, state).status_code == 302

    again = complete(admin_client, state)
    assert again.status_code == 400
    assert len(responses.calls) == 2


def test_T02_a_callback_in_another_admins_browser_changes_nothing(admin_client, user_factory, client_for):
    state = start_connect(admin_client)
    victim = user_factory(role=User.Role.ADMIN)
    response = complete(client_for(victim), state)

    assert response.status_code == 400
    assert not ZoomInstallation.objects.filter(
        company=victim.company, status=ZoomInstallation.Status.CONNECTED
    ).exists()
    assert IntegrationEvent.objects.filter(
        company=victim.company, kind=IntegrationEvent.Kind.CALLBACK_REJECTED
    ).exists()


def test_T02_a_state_started_by_another_admin_of_the_same_company_is_refused(
    admin, admin_client, user_factory, client_for
):
    state = start_connect(admin_client)
    colleague = user_factory(company=admin.company, role=User.Role.ADMIN)
    colleague_client = client_for(colleague)
    # Even if the colleague's session somehow held the entry, it names another person.
    session = colleague_client.session
    session[handshake.SESSION_KEY] = admin_client.session[handshake.SESSION_KEY]
    session.save()
    assert complete(colleague_client, state).status_code == 400


def test_it_refuses_the_callback_to_members(user_factory, client_for):
    member = user_factory(role=User.Role.MEMBER)
    assert client_for(member).get(reverse("integrations:callback"), {"state": "x", "code": "y"}).status_code == 403


# --- T04: what Zoom sends back ---------------------------------------------------------------------


def test_T04_a_declined_authorization_explains_itself(admin, admin_client):
    state = start_connect(admin_client)
    response = admin_client.get(reverse("integrations:callback"), {"state": state, "error": "access_denied"})
    assert response.status_code == 400
    assert 'data-reason="denied"' in response.content.decode()
    assert not ZoomGrant.objects.exists()


def test_T04_a_callback_without_a_code_explains_itself(admin_client):
    state = start_connect(admin_client)
    response = admin_client.get(reverse("integrations:callback"), {"state": state})
    assert response.status_code == 400
    assert 'data-reason="no_code"' in response.content.decode()


@responses.activate
@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "/%09/evil.example", "https://evil.example"])
def test_T04_it_never_redirects_offsite(admin_client, target):
    state = start_connect(admin_client)
    responses.post(token_url(), json=token_body())
    responses.get(me_url(), json=me_body())
    response = complete(admin_client, state, next=target)
    assert response.url == reverse("integrations:settings")


# --- T05: one Zoom account, one company --------------------------------------------------------------


@responses.activate
def test_T05_it_refuses_a_zoom_account_connected_to_another_company(admin, admin_client, user_factory, client_for):
    other_admin = user_factory(role=User.Role.ADMIN)
    other_client = client_for(other_admin)
    responses.post(token_url(), json=token_body("other-access", "other-refresh"))
    responses.get(me_url(), json=me_body(id="zu_other_installer", email="other@zoom.example"))
    complete(other_client, start_connect(other_client))
    assert installation_of(other_admin).status == ZoomInstallation.Status.CONNECTED

    responses.replace(responses.POST, token_url(), json=token_body("mine-access", "mine-refresh"))
    responses.replace(responses.GET, me_url(), json=me_body())
    response = complete(admin_client, start_connect(admin_client))

    assert response.status_code == 409
    assert 'data-reason="account_taken"' in response.content.decode()
    assert installation_of(admin).status == ZoomInstallation.Status.AUTHORIZING
    assert installation_of(other_admin).zoom_account_id == ACCOUNT_ID
    # Zoom has already cancelled that Zoom user's previous tokens: the fresh ones are kept.
    assert ZoomGrant.objects.get(zoom_user_id=ZOOM_USER_ID).decrypt_access_token() == "mine-access"
    assert IntegrationEvent.objects.filter(company=admin.company, kind=IntegrationEvent.Kind.CONNECT_REFUSED).exists()


@responses.activate
def test_T05_a_reconnect_replaces_the_grant_in_place_and_bumps_its_version(admin, admin_client):
    responses.post(token_url(), json=token_body("first-access", "first-refresh"))
    responses.get(me_url(), json=me_body())
    complete(admin_client, start_connect(admin_client))
    grant = installation_of(admin).grant
    version = grant.token_version

    responses.replace(responses.POST, token_url(), json=token_body("second-access", "second-refresh"))
    complete(admin_client, start_connect(admin_client))

    installation = installation_of(admin)
    assert installation.status == ZoomInstallation.Status.CONNECTED
    assert installation.grant_id == grant.pk
    grant.refresh_from_db()
    assert grant.token_version > version
    assert grant.decrypt_refresh_token() == "second-refresh"


# --- T09: the code exchange failing ---------------------------------------------------------------


@responses.activate
@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"status": 400, "json": {"reason": "Invalid authorization code", "error": "invalid_grant"}}, "code_rejected"),
        ({"status": 500, "json": {"reason": "Internal error", "error": "server_error"}}, "zoom_unavailable"),
        ({"body": requests.exceptions.ReadTimeout("timed out")}, "zoom_unavailable"),
    ],
)
def test_T09_a_failed_code_exchange_stores_nothing_and_offers_retry(admin, admin_client, kwargs, reason):
    responses.post(token_url(), **kwargs)
    response = complete(admin_client, start_connect(admin_client))

    assert response.status_code in (400, 502)
    assert f'data-reason="{reason}"' in response.content.decode()
    assert reverse("integrations:connect") in response.content.decode()
    assert not ZoomGrant.objects.exists()
    # A code is single-use: no automatic second exchange.
    assert len([call for call in responses.calls if call.request.url.startswith(token_url())]) == 1


@responses.activate
def test_T09_invalid_client_alerts_the_operators(admin, admin_client, caplog):
    responses.post(
        token_url(), status=401, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    )
    response = complete(admin_client, start_connect(admin_client))

    assert response.status_code == 502
    assert 'data-reason="invalid_client"' in response.content.decode()
    alerts = [json.loads(r.getMessage()) for r in caplog.records if r.name == "herp.alerts"]
    assert [a["event"] for a in alerts] == ["zoom.client_rejected"]
    assert settings.ZOOM_CLIENT_SECRET not in caplog.text
    assert not ZoomGrant.objects.exists()


@responses.activate
def test_T09_a_first_connection_without_a_refresh_token_is_refused(admin, admin_client):
    responses.post(token_url(), json=token_body(refresh=None))
    responses.get(me_url(), json=me_body())
    response = complete(admin_client, start_connect(admin_client))

    assert response.status_code == 502
    assert 'data-reason="no_refresh_token"' in response.content.decode()
    assert not ZoomGrant.objects.exists()
    assert installation_of(admin).status == ZoomInstallation.Status.AUTHORIZING


@responses.activate
def test_T09_a_reconnect_without_a_refresh_token_keeps_the_old_one(admin, admin_client):
    responses.post(token_url(), json=token_body("first-access", "first-refresh"))
    responses.get(me_url(), json=me_body())
    complete(admin_client, start_connect(admin_client))

    responses.replace(responses.POST, token_url(), json=token_body("second-access", refresh=None))
    assert complete(admin_client, start_connect(admin_client)).status_code == 302

    grant = installation_of(admin).grant
    assert grant.decrypt_access_token() == "second-access"
    assert grant.decrypt_refresh_token() == "first-refresh"


@responses.activate
def test_it_refuses_a_pending_zoom_user(admin, admin_client):
    responses.post(token_url(), json=token_body())
    responses.get(me_url(), json={"id": ZOOM_USER_ID, "created_at": "2026-01-01T00:00:00Z"})
    response = complete(admin_client, start_connect(admin_client))
    assert 'data-reason="zoom_user_pending"' in response.content.decode()
    assert installation_of(admin).status == ZoomInstallation.Status.AUTHORIZING


@responses.activate
def test_it_tells_when_zoom_fails_to_say_who_authorized(admin, admin_client):
    responses.post(token_url(), json=token_body())
    responses.get(me_url(), status=503, json={"code": 503, "message": "busy"})
    response = complete(admin_client, start_connect(admin_client))
    assert response.status_code == 502
    assert not ZoomGrant.objects.exists()


# --- Pre-approval, disconnect -------------------------------------------------------------------------


def test_it_records_that_pre_approval_was_requested(admin, admin_client):
    start_connect(admin_client)
    response = admin_client.post(reverse("integrations:pre_approval_requested"))
    assert response.status_code == 302
    installation = installation_of(admin)
    assert installation.status == ZoomInstallation.Status.PRE_APPROVAL_REQUESTED
    assert installation.pre_approval_requested_by == admin
    page = admin_client.get(reverse("integrations:settings")).content.decode()
    assert "管理者 A" in page
    assert 'id="zoom-admin-message"' in page


def test_it_refuses_pre_approval_requested_without_an_attempt(admin, admin_client):
    response = admin_client.post(reverse("integrations:pre_approval_requested"), follow=True)
    assert response.status_code == 200
    assert installation_of(admin).status == ZoomInstallation.Status.NOT_CONNECTED


@responses.activate
def test_it_disconnects_after_confirmation(admin, admin_client):
    responses.post(token_url(), json=token_body())
    responses.get(me_url(), json=me_body())
    complete(admin_client, start_connect(admin_client))

    confirm = admin_client.get(reverse("integrations:disconnect"))
    assert confirm.status_code == 200
    assert installation_of(admin).status == ZoomInstallation.Status.CONNECTED

    assert admin_client.post(reverse("integrations:disconnect")).status_code == 302
    installation = installation_of(admin)
    assert installation.status == ZoomInstallation.Status.NOT_CONNECTED
    assert installation.zoom_account_id == ""
    # Nothing is revoked here; the grant stays for upkeep to judge.
    assert ZoomGrant.objects.get(zoom_user_id=ZOOM_USER_ID).status == ZoomGrant.Status.ACTIVE
    assert IntegrationEvent.objects.filter(company=admin.company, kind=IntegrationEvent.Kind.DISCONNECTED).exists()


@pytest.mark.parametrize("status", [s for s, _label in ZoomInstallation.Status.choices])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_card_state_renders_in_both_languages(admin, admin_client, status, language, grant_factory):
    installation = ZoomInstallation.objects.for_company(admin.company)
    if status in ("connected", "needs_reconnect", "revoked"):
        installation.zoom_account_id = ACCOUNT_ID
        installation.installer = admin
        installation.grant = grant_factory(company=admin.company)
        installation.connected_at = installation.created_at
    if status == "pre_approval_requested":
        installation.pre_approval_requested_by = admin
        installation.pre_approval_requested_at = installation.created_at
    installation.status = status
    installation.save()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    type(admin).objects.filter(pk=admin.pk).update(language=language)  # the stored choice wins over the cookie

    response = admin_client.get(reverse("integrations:settings"))

    assert response.status_code == 200
    assert f'data-status="{status}"' in response.content.decode()
    assert response["Content-Language"] == language
