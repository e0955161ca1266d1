"""Issue 6's journey over real HTTP with a real worker: the installer removes the app in Zoom, the card
says so after one webhook delivery, the admin reconnects, and the meetings it stopped go out."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from herp.models import User
from integrations.models import ZoomGrant, ZoomInstallation
from scheduling.services import ScheduleData, schedule_create
from tests.integration.conftest import zoom_sign_in
from zoom.models import WebhookDelivery, ZoomMeeting

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])


def wait_until(predicate: Callable[[], bool], *, timeout: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def connect(admin) -> None:
    zoom_sign_in(admin, "zoom-admin@demo.example")
    admin.get("/settings/integrations/").press(button_id="zoom-connect")
    admin.press("事前承認をとる").press("認可")
    assert 'data-status="connected"' in admin.html


def test_the_installer_removes_the_app_then_the_admin_reconnects_and_stopped_meetings_go_out(
    browser_for, celery_worker_process
):
    from zoom_emulator import meetings as emulator_meetings
    from zoom_emulator import webhooks as emulator_webhooks

    admin = browser_for("admin@demo.example")
    connect(admin)
    installer = User.objects.get(email="admin@demo.example")

    # A meeting waits at Zoom's daily limit, hosted by the installer (no participant has linked Zoom).
    emulator_meetings.set_daily_limit(0)
    schedule = schedule_create(
        company=installer.company,
        by=installer,
        data=ScheduleData(
            title="一次面接",
            starts_at=timezone.now() + timedelta(days=3),
            duration_minutes=45,
            timezone="Asia/Tokyo",
            location="zoom",
            participants=[installer],
            new_candidate_name="候補 太郎",
            new_candidate_email="taro@candidate.example",
        ),
    )
    meeting_id = schedule.meeting_id
    wait_until(
        lambda: ZoomMeeting.objects.get(pk=meeting_id).not_before is not None, what="the daily limit to defer it"
    )

    # The installer removes the app in Zoom's web portal: Zoom sends app_deauthorized.
    admin.get("/zoom-emulator/profile/apps/").press("Remove")
    assert emulator_webhooks.wait_for_deliveries(timeout=10)
    wait_until(
        lambda: ZoomInstallation.objects.get().status == ZoomInstallation.Status.REVOKED,
        what="the worker to process the delivery",
    )
    assert WebhookDelivery.objects.get().result == WebhookDelivery.Result.REVOKED
    assert ZoomGrant.objects.get(zoom_user_id=ZoomInstallation.objects.get().grant.zoom_user_id).access_token == ""
    admin.get("/settings/integrations/")
    assert 'data-status="revoked"' in admin.html
    assert "ZoomでHERPのアプリが削除されました。" in admin.html  # the reason, from its code, in plain words
    assert 'class="banner banner-warn"' in admin.html
    stopped = ZoomMeeting.objects.get(pk=meeting_id)
    assert stopped.status == ZoomMeeting.Status.FAILED
    assert stopped.failure == ZoomMeeting.Failure.DISCONNECTED

    # Reconnect: the app is pre-approved already, so Zoom shows the consent at once.
    emulator_meetings.set_daily_limit(100)
    admin.press(button_id="zoom-reconnect")
    admin.press("認可")
    assert 'data-status="connected"' in admin.html
    assert "banner-warn" not in admin.html

    wait_until(
        lambda: ZoomMeeting.objects.get(pk=meeting_id).status == ZoomMeeting.Status.CREATED,
        what="the stopped meeting to go out",
    )
    made = ZoomMeeting.objects.get(pk=meeting_id)
    assert emulator_meetings.get_meeting(made.zoom_meeting_id) is not None
