"""Support staff's admin: view-only, no tokens (issue 6, part 3). That each changelist keeps a constant number of
queries from 10 rows to a thousand is checked on PostgreSQL: tests/integration/test_admin_queries.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import ZoomGrant
from tests.admin_rows import CHANGELISTS, make_rows
from zoom.models import ZoomUser


@pytest.mark.parametrize("name", CHANGELISTS)
def test_support_staff_never_see_a_token(name, support_client):
    make_rows(2)
    pages = [support_client.get(reverse(name)).content.decode()]
    grant = ZoomGrant.objects.first()
    pages.append(support_client.get(reverse("admin:integrations_zoomgrant_change", args=[grant.pk])).content.decode())
    stored = {grant.access_token, grant.refresh_token}
    for page in pages:
        assert "secret-access" not in page
        assert "secret-refresh" not in page
        assert not any(ciphertext[:40] in page for ciphertext in stored)


def test_support_staff_can_filter_links_by_status_and_company_and_search_by_email(support_client):
    make_rows(2)
    link = ZoomUser.objects.first()
    url = reverse("admin:zoom_zoomuser_changelist")
    assert (
        support_client.get(url, {"status__exact": "active", "company__id__exact": link.company_id}).status_code == 200
    )
    found = support_client.get(url, {"q": link.user.email}).content.decode()
    assert link.user.email in found


def test_support_staff_can_change_nothing(support_client):
    make_rows(1)
    link = ZoomUser.objects.get()
    response = support_client.post(reverse("admin:zoom_zoomuser_change", args=[link.pk]), {"status": "invalid"})
    assert response.status_code == 403
    assert ZoomUser.objects.get().status == ZoomUser.Status.ACTIVE
    assert support_client.get(reverse("admin:zoom_zoomuser_add")).status_code == 403
