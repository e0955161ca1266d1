"""外部サービスアカウント: linking a person's own Zoom user, with Zoom mocked by `responses`.

The same journeys run over real HTTP through the emulator in the integration tier.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from integrations.models import IntegrationEvent, ZoomGrant, ZoomInstallation
from tests.fakes.zoom import ACCOUNT_ID
from zoom.models import ZoomUser


def token_url() -> str:
    return f"{settings.ZOOM_OAUTH_BASE_URL}/oauth/token"


def me_url() -> str:
    return f"{settings.ZOOM_API_BASE_URL}/users/me"


def token_body(access: str, refresh: str = "refresh") -> dict:
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": 3599,
        "scope": "user:read:user meeting:write:meeting",
    }


def me_body(zoom_user_id: str, email: str, **overrides) -> dict:
    return {
        "id": zoom_user_id,
        "account_id": ACCOUNT_ID,
        "email": email,
        "first_name": "一郎",
        "last_name": "佐藤",
        "display_name": "佐藤 一郎",
        "type": 2,
        "status": "active",
        **overrides,
    }


@pytest.fixture
def recruiter(person):
    return person("佐藤 一郎")


def start_link(client) -> str:
    response = client.post(reverse("zoom:link"))
    assert response.status_code == 302, response.content
    query = parse_qs(urlsplit(response.url).query)
    assert query["redirect_uri"] == [f"{settings.SITE_URL}/accounts/zoom/callback/"]
    assert query["code_challenge_method"] == ["S256"]
    return query["state"][0]


def finish_link(client, state: str):
    return client.get(reverse("zoom:link_callback"), {"state": state, "code": "link-code"})


@responses.activate
def test_it_links_the_signed_in_persons_zoom_user(connected, recruiter, client_for):
    client = client_for(recruiter)
    responses.post(token_url(), json=token_body("recruiter-access"))
    responses.get(me_url(), json=me_body("zu_recruiter1", "recruiter1@zoom.example"))

    response = finish_link(client, start_link(client))

    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    link = ZoomUser.objects.get(user=recruiter)
    assert link.status == ZoomUser.Status.ACTIVE
    assert link.email == "recruiter1@zoom.example"
    assert link.zoom_account_id == ACCOUNT_ID
    assert link.grant.decrypt_access_token() == "recruiter-access"
    assert list(ZoomUser.objects.usable()) == [link]
    page = client.get(reverse("zoom:account")).content.decode()
    assert "recruiter1@zoom.example" in page
    assert 'data-status="active"' in page
    assert IntegrationEvent.objects.filter(kind=IntegrationEvent.Kind.ZOOM_USER_LINKED, actor=recruiter).exists()


@responses.activate
def test_it_refuses_a_zoom_user_outside_the_account_with_both_remedies(connected, recruiter, client_for):
    client = client_for(recruiter)
    responses.post(token_url(), json=token_body("personal-access"))
    responses.get(me_url(), json=me_body("zu_personal", "recruiter3@personal.example", account_id="acct_personal"))

    response = finish_link(client, start_link(client))

    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-reason="other_account"' in body
    assert "recruiter3@personal.example" in body
    assert settings.ZOOM_OAUTH_BASE_URL in body  # sign out of Zoom's web portal
    assert "管理 花子" in body  # the installer, named
    assert "ユーザーを追加する" in body
    assert not ZoomUser.objects.filter(user=recruiter).exists()
    refusal = IntegrationEvent.objects.get(kind=IntegrationEvent.Kind.ZOOM_USER_LINK_REFUSED)
    assert refusal.details["reason"] == "other_account"
    assert refusal.details["zoom_email"] == "recruiter3@personal.example"


@responses.activate
def test_a_refusal_still_refreshes_that_zoom_users_stored_grant(connected, recruiter, client_for, grant_factory):
    existing = grant_factory(company=connected.company, zoom_user_id="zu_moved_out", access_token="old-access")
    client = client_for(recruiter)
    responses.post(token_url(), json=token_body("fresh-access", "fresh-refresh"))
    responses.get(me_url(), json=me_body("zu_moved_out", "moved@zoom.example", account_id="acct_elsewhere"))

    finish_link(client, start_link(client))

    existing.refresh_from_db()
    assert existing.decrypt_access_token() == "fresh-access"
    assert not ZoomUser.objects.filter(user=recruiter).exists()


def test_it_says_the_company_has_not_connected_zoom_before_going_to_zoom(recruiter, client_for, company):
    client = client_for(recruiter)
    response = client.post(reverse("zoom:link"))
    assert response.status_code == 400
    assert 'data-reason="company_not_connected"' in response.content.decode()
    assert reverse("integrations:settings") not in response.content.decode()


def test_it_points_an_admin_to_the_connection_page_when_not_connected(installer, client_for):
    response = client_for(installer).post(reverse("zoom:link"))
    assert reverse("integrations:settings") in response.content.decode()


@responses.activate
def test_it_refuses_a_pending_zoom_user(connected, recruiter, client_for):
    client = client_for(recruiter)
    responses.post(token_url(), json=token_body("pending-access"))
    responses.get(me_url(), json={"id": "zu_pending", "created_at": "2026-01-01T00:00:00Z"})
    response = finish_link(client, start_link(client))
    assert 'data-reason="zoom_user_pending"' in response.content.decode()
    assert not ZoomUser.objects.filter(user=recruiter).exists()


@responses.activate
def test_it_refuses_an_inactive_zoom_user(connected, recruiter, client_for):
    client = client_for(recruiter)
    responses.post(token_url(), json=token_body("inactive-access"))
    responses.get(me_url(), json=me_body("zu_inactive", "inactive@zoom.example", status="inactive"))
    response = finish_link(client, start_link(client))
    assert 'data-reason="zoom_user_inactive"' in response.content.decode()


@responses.activate
def test_it_refuses_a_zoom_user_linked_by_someone_else_without_naming_them(
    connected, recruiter, client_for, user_factory, company
):
    colleague = user_factory(company=company, name="鈴木 二郎", email="jiro@example.com")
    responses.post(token_url(), json=token_body("a"))
    responses.get(me_url(), json=me_body("zu_shared", "shared@zoom.example"))
    colleague_client = client_for(colleague)
    finish_link(colleague_client, start_link(colleague_client))

    client = client_for(recruiter)
    response = finish_link(client, start_link(client))

    body = response.content.decode()
    assert 'data-reason="zoom_user_linked_elsewhere"' in body
    assert "鈴木" not in body
    assert "jiro@example.com" not in body
    assert not ZoomUser.objects.filter(user=recruiter).exists()


@responses.activate
def test_the_installer_linking_personally_shares_the_connections_grant(connected, installer, client_for):
    installer_zoom_user_id = connected.grant.zoom_user_id
    client = client_for(installer)
    responses.post(token_url(), json=token_body("installer-new-access", "installer-new-refresh"))
    responses.get(me_url(), json=me_body(installer_zoom_user_id, "installer@zoom.example"))

    finish_link(client, start_link(client))

    link = ZoomUser.objects.get(user=installer)
    connected.refresh_from_db()
    assert link.grant_id == connected.grant_id
    assert ZoomGrant.objects.filter(zoom_user_id=installer_zoom_user_id).count() == 1
    assert connected.grant.decrypt_access_token() == "installer-new-access"
    assert connected.status == ZoomInstallation.Status.CONNECTED


@responses.activate
def test_it_unlinks_and_relinks(connected, recruiter, client_for):
    client = client_for(recruiter)
    responses.post(token_url(), json=token_body("first"))
    responses.get(me_url(), json=me_body("zu_recruiter1", "recruiter1@zoom.example"))
    finish_link(client, start_link(client))

    assert client.post(reverse("zoom:unlink")).status_code == 302
    link = ZoomUser.objects.get(user=recruiter)
    assert link.status == ZoomUser.Status.UNLINKED
    assert link.grant is None
    assert ZoomGrant.objects.get(zoom_user_id="zu_recruiter1").status == ZoomGrant.Status.ACTIVE
    assert list(ZoomUser.objects.usable()) == []

    finish_link(client, start_link(client))
    link.refresh_from_db()
    assert link.status == ZoomUser.Status.ACTIVE
    assert ZoomUser.objects.filter(user=recruiter).count() == 1


def test_links_are_suspended_on_disconnect_and_resume_on_reconnect_to_the_same_account(
    connected, recruiter, installer, client_for, grant_factory
):
    installer_grant = connected.grant
    link = ZoomUser.objects.create(
        user=recruiter,
        company=recruiter.company,
        grant=grant_factory(company=recruiter.company),
        zoom_user_id="zu_r",
        zoom_account_id=ACCOUNT_ID,
        email="r@zoom.example",
    )
    connected.disconnect(by=installer)
    assert list(ZoomUser.objects.usable()) == []
    page = client_for(recruiter).get(reverse("zoom:account")).content.decode()
    assert 'data-status="suspended"' in page

    connected.refresh_from_db()
    connected.start_connect(by=installer)
    installer_grant.refresh_from_db()
    connected.complete(installer_grant, ACCOUNT_ID, installer=installer, email="installer@zoom.example")

    link.refresh_from_db()
    assert link.status == ZoomUser.Status.ACTIVE
    assert list(ZoomUser.objects.usable()) == [link]


def test_links_become_invalid_and_owners_are_told_when_the_company_moves_to_another_account(
    company, connected, installer, recruiter, grant_factory, django_capture_on_commit_callbacks
):
    grant = connected.grant
    link = ZoomUser.objects.create(
        user=recruiter,
        company=company,
        grant=grant_factory(company=company),
        zoom_user_id="zu_r",
        zoom_account_id=ACCOUNT_ID,
        email="r@zoom.example",
    )
    # The links follow the connection in receivers of signals sent on commit.
    with django_capture_on_commit_callbacks(execute=True):
        connected.disconnect(by=installer)
        connected.start_connect(by=installer)
        connected.complete(grant, "acct_another_account", installer=installer, email="installer@zoom.example")

    link.refresh_from_db()
    assert link.status == ZoomUser.Status.INVALID
    assert [message.to for message in mail.outbox] == [[recruiter.email]]
    assert "/accounts/zoom/" in mail.outbox[0].body


def test_a_link_becomes_invalid_when_its_grant_is_invalidated(
    company, recruiter, grant_factory, django_capture_on_commit_callbacks
):
    from integrations import grants
    from integrations.models import LossReason

    grant = grant_factory(company=company)
    link = ZoomUser.objects.create(
        user=recruiter, company=company, grant=grant, zoom_user_id=grant.zoom_user_id, zoom_account_id=ACCOUNT_ID
    )
    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_invalidate(grant_id=grant.pk, reason=LossReason.REFRESH_REFUSED)
    link.refresh_from_db()
    assert link.status == ZoomUser.Status.INVALID
    assert len(mail.outbox) == 1


@responses.activate
def test_T11_the_link_flow_never_logs_or_stores_a_token_in_clear(connected, recruiter, client_for, caplog):
    client = client_for(recruiter)
    responses.post(token_url(), json=token_body("secret-access-xyz", "secret-refresh-xyz"))
    responses.get(me_url(), json=me_body("zu_recruiter1", "recruiter1@zoom.example"))
    with caplog.at_level(logging.DEBUG):
        finish_link(client, start_link(client))

    assert "secret-access-xyz" not in caplog.text
    assert "secret-refresh-xyz" not in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM integrations_zoomgrant")
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    assert "secret-access-xyz" not in stored
    assert "secret-refresh-xyz" not in stored
    events = " ".join(str(event.details) for event in IntegrationEvent.objects.all())
    assert "secret" not in events


# --- Who has linked (admins) -----------------------------------------------------------------------


def test_the_members_page_lists_everyone_with_their_link(connected, installer, recruiter, client_for, user_factory):
    ZoomUser.objects.create(
        user=recruiter,
        company=recruiter.company,
        zoom_user_id="zu_r",
        zoom_account_id=ACCOUNT_ID,
        email="r@zoom.example",
    )
    outsider = user_factory(name="他社 太郎")
    page = client_for(installer).get(reverse("zoom:members")).content.decode()
    assert "r@zoom.example" in page
    assert installer.email in page
    assert outsider.email not in page


def test_the_members_page_shows_fifty_people_a_page_and_counts_everyone_without_a_link(
    connected, installer, company, client_for, user_factory
):
    people = [user_factory(company=company) for _ in range(55)]  # and the installer: 56, none linked

    first = client_for(installer).get(reverse("zoom:members"))
    second = client_for(installer).get(reverse("zoom:members"), {"page": 2})

    assert first.content.decode().count("<tr data-email=") == 50
    assert second.content.decode().count("<tr data-email=") == 6
    assert f'data-email="{people[-1].email}"' in second.content.decode()
    assert 'rel="next"' in first.content.decode()
    assert "56" in first.content.decode().split('id="remind-unlinked"')[1].split("</button>")[0]
    assert client_for(installer).get(reverse("zoom:members"), {"page": "nonsense"}).status_code == 200


def test_the_members_page_is_for_admins(recruiter, client_for):
    assert client_for(recruiter).get(reverse("zoom:members")).status_code == 403


def test_it_reminds_only_the_unlinked(connected, installer, recruiter, client_for, user_factory, company):
    ZoomUser.objects.create(
        user=recruiter, company=company, zoom_user_id="zu_r", zoom_account_id=ACCOUNT_ID, email="r@zoom.example"
    )
    unlinked = user_factory(company=company)
    user_factory()  # another company's person is never e-mailed

    response = client_for(installer).post(reverse("zoom:remind"))

    assert response.status_code == 302
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([installer.email, unlinked.email])
    assert f"{settings.SITE_URL}/accounts/zoom/" in mail.outbox[0].body


def test_the_members_page_keeps_its_query_count_flat(
    connected, installer, client_for, user_factory, company, django_assert_max_num_queries
):
    for index in range(30):
        person = user_factory(company=company)
        ZoomUser.objects.create(
            user=person,
            company=company,
            zoom_user_id=f"zu_{index}",
            zoom_account_id=ACCOUNT_ID,
            email=f"{index}@z.example",
        )
    client = client_for(installer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("zoom:members")).status_code == 200
