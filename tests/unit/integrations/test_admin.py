"""The admin shows grants to operators without any token, not even encrypted or truncated."""

from __future__ import annotations

from django.urls import reverse

from integrations.models import ZoomInstallation


def test_T11_the_grant_page_shows_no_token_field(user_factory, client_for, grant_factory):
    grant = grant_factory(access_token="visible-access?", refresh_token="visible-refresh?")
    staff = user_factory(is_staff=True, is_superuser=True)
    client = client_for(staff)

    for url in (
        reverse("admin:integrations_zoomgrant_changelist"),
        reverse("admin:integrations_zoomgrant_change", args=[grant.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert grant.zoom_user_id in body
        for leak in (grant.access_token, grant.refresh_token, "visible-access", "visible-refresh", "access_token"):
            assert leak not in body


def test_the_admin_is_read_only(user_factory, client_for, installation_factory):
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    staff = user_factory(is_staff=True, is_superuser=True)
    client = client_for(staff)
    assert client.get(reverse("admin:integrations_zoominstallation_add")).status_code == 403
    response = client.post(
        reverse("admin:integrations_zoominstallation_change", args=[installation.pk]), {"status": "not_connected"}
    )
    assert response.status_code == 403
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.CONNECTED
