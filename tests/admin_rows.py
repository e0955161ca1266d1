"""Rows of every model support staff see in the admin, in bulk, and the changelists' query counts: shared
by the unit tier's admin tests and the integration tier's constant-queries test."""

from __future__ import annotations

import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from herp.models import Company, User
from integrations.models import IntegrationEvent, ZoomGrant, ZoomInstallation
from zoom.models import MeetingAttendance, Participation, WebhookDelivery, ZoomMeeting, ZoomUser


def make_rows(count: int) -> None:
    """``count`` companies, each connected with a grant, a link and an audit entry (bulk, so thousands are
    quick)."""
    tag = uuid.uuid4().hex[:6]
    now = timezone.now()
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
    meetings = ZoomMeeting.objects.bulk_create(
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
    attendances = MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, company_id=meeting.company_id) for meeting in meetings]
    )
    Participation.objects.bulk_create(
        [
            Participation(
                attendance=attendance, key=f"guest-{index}", name=f"候補者 {index}", role="guest", first_seen_at=now
            )
            for index, attendance in enumerate(attendances)
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
    "admin:zoom_meetingattendance_changelist",
]


def query_counts(client: Client) -> dict[str, int]:
    """The number of queries each changelist's first page takes, by URL name."""
    counts = {}
    for name in CHANGELISTS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(queries)
    return counts
