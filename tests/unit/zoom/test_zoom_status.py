from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from integrations.models import ZoomInstallation
from zoom.models import ZoomMeeting, ZoomUser


def run(*args: str) -> list[str]:
    from io import StringIO

    out = StringIO()
    call_command("zoom_status", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_it_prints_a_line_per_company_with_connection_links_and_meetings(company_factory, user_factory, grant_factory):
    company = company_factory(name="株式会社ステータス")
    quiet = company_factory(name="Quiet Inc.")
    installation = ZoomInstallation.objects.for_company(company)
    installation.status = ZoomInstallation.Status.NEEDS_RECONNECT
    installation.zoom_account_id = "acct-status"
    installation.grant = grant_factory(company=company)
    installation.save()
    for status in ("active", "active", "invalid"):
        ZoomUser.objects.create(
            user=user_factory(company=company),
            company=company,
            zoom_user_id=f"zu-{status}-{timezone.now().timestamp()}",
            status=status,
        )
    for status in ("pending", "failed", "created", "deleted"):
        ZoomMeeting.objects.create(
            company=company, host_zoom_user_id="zu", topic="面接", start_time=timezone.now(), duration=30, status=status
        )

    lines = run()

    assert len(lines) == 2
    assert lines[0].split("\t") == [
        str(company.pk),
        "株式会社ステータス",
        "connection=needs_reconnect",
        "linked=2",
        "invalid=1",
        "meetings_pending=1",
        "meetings_failed=1",
    ]
    assert f"{quiet.pk}\tQuiet Inc.\tconnection=not_connected" in lines[1]
    assert run("--problems") == [lines[0]]


def test_it_keeps_its_query_count_flat(company_factory, django_assert_max_num_queries):
    for _ in range(20):
        company_factory()
    with django_assert_max_num_queries(4):
        run()
