from __future__ import annotations

import pytest
from django.urls import reverse

from herp.models import User
from integrations.models import ZoomInstallation


@pytest.fixture
def admin(user_factory):
    return user_factory(role=User.Role.ADMIN)


def set_status(company, status, grant_factory) -> None:
    installation = ZoomInstallation.objects.for_company(company)
    installation.status = status
    if status != ZoomInstallation.Status.NOT_CONNECTED:
        installation.zoom_account_id = "acct-banner"
        installation.grant = grant_factory(company=company)
    installation.save()


@pytest.mark.parametrize("status", [ZoomInstallation.Status.NEEDS_RECONNECT, ZoomInstallation.Status.REVOKED])
def test_it_shows_admins_a_banner_on_every_page_until_fixed(admin, client_for, grant_factory, status):
    set_status(admin.company, status, grant_factory)
    client = client_for(admin)
    for path in (reverse("home"), reverse("zoom:account")):
        body = client.get(path).content.decode()
        assert 'class="banner banner-warn"' in body
        assert reverse("integrations:settings") in body


def test_it_shows_no_banner_when_connected(admin, client_for, grant_factory):
    set_status(admin.company, ZoomInstallation.Status.CONNECTED, grant_factory)
    assert "banner-warn" not in client_for(admin).get(reverse("home")).content.decode()


def test_members_get_no_banner(admin, user_factory, client_for, grant_factory):
    set_status(admin.company, ZoomInstallation.Status.REVOKED, grant_factory)
    member = user_factory(company=admin.company)
    assert "banner-warn" not in client_for(member).get(reverse("home")).content.decode()
