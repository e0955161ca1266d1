"""Support staff's admin: view-only, no tokens, constant queries per changelist (issue 6, part 3)."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from herp.support import SUPPORT_GROUP
from integrations.models import IntegrationEvent, ZoomGrant, ZoomInstallation
from zoom.models import WebhookDelivery, ZoomMeeting, ZoomUser


@pytest.fixture
def support_client(user_factory, client_for):
    staff = user_factory(is_staff=True, email="support@herp.example")
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    return client_for(staff)


def make_rows(count: int) -> None:
    """``count`` companies, each connected with a grant, a link and an audit entry (bulk, so 10,000 is quick)."""
    from herp.models import Company, User

    tag = uuid.uuid4().hex[:6]
    companies = Company.objects.bulk_create([Company(name=f"Company {tag}-{index}") for index in range(count)])
    users = User.objects.bulk_create(
        [User(email=f"person-{tag}-{index}@example.com", company=company) for index, company in enumerate(companies)]
    )
    # Real ciphertext for the first grants (the token checks read them); the admin never decrypts, so the
    # thousands of filler rows share one ciphertext to keep the test quick.
    grants = []
    filler: tuple[str, str] | None = None
    for index, company in enumerate(companies):
        grant = ZoomGrant(company=company, zoom_user_id=f"zu-{tag}-{index}", scopes=["user:read:user"], token_version=1)
        if index < 10 or filler is None:
            grant.access_token = grant.encrypt("access_token", f"secret-access-{tag}-{index}")
            grant.refresh_token = grant.encrypt("refresh_token", f"secret-refresh-{tag}-{index}")
            filler = (grant.access_token, grant.refresh_token)
        else:
            grant.access_token, grant.refresh_token = filler
        grants.append(grant)
    grants = ZoomGrant.objects.bulk_create(grants)
    ZoomInstallation.objects.bulk_create(
        [
            ZoomInstallation(
                company=company,
                status=ZoomInstallation.Status.CONNECTED,
                zoom_account_id=f"acct-{tag}-{index}",
                installer=user,
                grant=grant,
            )
            for index, (company, user, grant) in enumerate(zip(companies, users, grants, strict=True))
        ]
    )
    ZoomUser.objects.bulk_create(
        [
            ZoomUser(
                user=user,
                company=company,
                grant=grant,
                zoom_user_id=grant.zoom_user_id,
                zoom_account_id=f"acct-{tag}-{index}",
                email=user.email,
            )
            for index, (company, user, grant) in enumerate(zip(companies, users, grants, strict=True))
        ]
    )
    ZoomMeeting.objects.bulk_create(
        [
            ZoomMeeting(
                company=company,
                host_zoom_user_id=grant.zoom_user_id,
                host_email=user.email,
                topic=f"面接 {index}",
                start_time=timezone.now(),
                duration=30,
                warnings=["waiting_room_forced"],
            )
            for index, (company, user, grant) in enumerate(zip(companies, users, grants, strict=True))
        ]
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(body_hash=f"{tag}-{index}", event="app_deauthorized", zoom_user_id=grant.zoom_user_id)
            for index, grant in enumerate(grants)
        ]
    )
    IntegrationEvent.objects.bulk_create(
        [
            IntegrationEvent(company=company, actor=user, kind=IntegrationEvent.Kind.CONNECTED)
            for company, user in zip(companies, users, strict=True)
        ]
    )


CHANGELISTS = [
    "admin:integrations_zoomgrant_changelist",
    "admin:integrations_zoominstallation_changelist",
    "admin:integrations_integrationevent_changelist",
    "admin:zoom_zoomuser_changelist",
    "admin:zoom_zoommeeting_changelist",
    "admin:zoom_webhookdelivery_changelist",
]


def query_counts(client) -> dict[str, int]:
    counts = {}
    for name in CHANGELISTS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(queries)
    return counts


def test_each_changelist_keeps_a_constant_number_of_queries_from_10_to_10000_rows(support_client):
    # One test for every changelist: building 10,000 rows is the slow part.
    make_rows(10)
    few = query_counts(support_client)
    make_rows(9990)
    assert query_counts(support_client) == few


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
