"""RELIABILITY T39 on PostgreSQL with a real worker and the emulator over real HTTP: people leave.

A member deactivated by a company admin (the members page, over HTTP): their link stops, each upcoming
interview they hosted is planned again with the host rule, everyone concerned is told through the
invitations. The installer deactivated: the connection needs a reconnect, the admins are told once,
everyone's own links keep working, and the interviews nobody can host are flagged and their creators
told. A user deleted by an operator in the admin: nothing blocks it, and no meeting is left at Zoom that
HERP does not answer for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from herp.members import services as members
from herp.models import Notification, User
from integrations.models import LossReason, ZoomInstallation
from scheduling.invitations.models import InvitationMessage
from scheduling.models import InterviewSchedule
from scheduling.services import ScheduleData, schedule_create
from tests.browser import Browser
from zoom.models import ZoomMeeting, ZoomUser

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])

ADMIN, R1, R2, R3 = (
    "admin@demo.example",
    "recruiter1@demo.example",
    "recruiter2@demo.example",
    "recruiter3@demo.example",
)
CANDIDATE = "taro@candidate.example"


def wait_until(predicate: Callable[[], bool], *, timeout: float = 60, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def interview(by: User, title: str, participants: list[User], days: int) -> InterviewSchedule:
    return schedule_create(
        company=by.company,
        by=by,
        data=ScheduleData(
            title=title,
            starts_at=timezone.now() + timedelta(days=days),
            duration_minutes=45,
            timezone="Asia/Tokyo",
            location="zoom",
            participants=participants,
            new_candidate_name=f"候補 {title}",
            new_candidate_email=CANDIDATE,
        ),
    )


def settled() -> bool:
    """Every meeting has come to rest, and every invitation went out."""
    return not ZoomMeeting.objects.filter(status__in=ZoomMeeting.WORKABLE).exists() and not (
        InvitationMessage.objects.filter(
            status__in=[InvitationMessage.Status.QUEUED, InvitationMessage.Status.SENDING]
        ).exists()
    )


def host_of(schedule: InterviewSchedule) -> int | None:
    schedule.refresh_from_db()
    return ZoomMeeting.objects.get(pk=schedule.meeting_id).host_user_id


def answered_for() -> None:
    """No meeting is left at Zoom that HERP does not know: what the emulator holds is exactly the meetings
    HERP still answers for (scheduled interviews' meetings), each with its host's grant to move or delete it."""
    from zoom_emulator.models import Meeting as ZoomSideMeeting

    at_zoom = set(ZoomSideMeeting.objects.filter(deleted_at__isnull=True).values_list("meeting_id", flat=True))
    known = ZoomMeeting.objects.exclude(status=ZoomMeeting.Status.DELETED).exclude(zoom_meeting_id=None)
    assert at_zoom == set(known.values_list("zoom_meeting_id", flat=True))
    assert all(meeting.host_grant_id is not None for meeting in known)
    live = set(
        InterviewSchedule.objects.filter(status=InterviewSchedule.Status.SCHEDULED).values_list("meeting_id", flat=True)
    )
    assert set(known.values_list("pk", flat=True)) <= live


def deactivate(browser: Browser, person: User) -> None:
    browser.get(f"/settings/members/{person.pk}/deactivate/").press(button_id="deactivate-confirm-button")
    assert browser.status == 200, browser.status
    assert not User.objects.get(pk=person.pk).is_active


def test_T39_people_leave_their_interviews_move_on_and_nothing_is_left_behind_at_zoom(
    zoom_linked, browser_for, demo, celery_worker_process, mailoutbox
):
    browsers = zoom_linked(R1, R2)  # recruiter1 links first: the smaller link id, so they host first
    admin, r1, r2, r3 = (User.objects.get(email=email) for email in (ADMIN, R1, R2, R3))
    both = interview(admin, "一次面接", [r1, r2], days=3)
    with_r3 = interview(admin, "二次面接", [r1, r3], days=4)
    fallback = interview(r2, "最終面接", [r3], days=5)
    wait_until(settled, what="the first meetings and invitations")
    assert (host_of(both), host_of(with_r3), host_of(fallback)) == (r1.pk, r1.pk, admin.pk)
    first_meeting = both.meeting_id

    # 1. The admin deactivates recruiter1 on the members page.
    deactivate(browsers[ADMIN], r1)
    wait_until(settled, what="the re-planned meetings and the invitations")
    assert host_of(both) == r2.pk  # the next linked participant
    assert host_of(with_r3) == admin.pk  # else the installer
    assert ZoomMeeting.objects.get(pk=first_meeting).status == ZoomMeeting.Status.DELETED
    assert ZoomUser.objects.get(user=r1).status == ZoomUser.Status.UNLINKED
    told = InvitationMessage.objects.filter(status=InvitationMessage.Status.SENT)
    assert told.filter(user=r1, kind=InvitationMessage.Kind.CANCELLATION).count() == 2
    for schedule in (both, with_r3):
        candidate = told.filter(schedule=schedule, recipient_kind="candidate").order_by("-sequence").first()
        assert candidate.kind == InvitationMessage.Kind.UPDATE
        assert "url" in candidate.changes
    answered_for()

    # 2. recruiter2, made an admin, deactivates the admin who connected Zoom.
    members.member_role_change(member=r2, role=User.Role.ADMIN, by=admin)
    assert ZoomInstallation.objects.get().status == ZoomInstallation.Status.CONNECTED
    mailoutbox.clear()
    deactivate(browser_for(R2), admin)
    wait_until(settled, what="the installer's departure to settle")
    installation = ZoomInstallation.objects.get()
    assert (installation.status, installation.reason) == (
        ZoomInstallation.Status.NEEDS_RECONNECT,
        LossReason.INSTALLER_DEACTIVATED,
    )
    reconnect = [mail.to for mail in mailoutbox if "Zoom" in mail.subject and "再連携" in mail.subject]
    assert reconnect == [[R2]]  # the admins, told once
    assert host_of(both) == r2.pk  # recruiter2's own link keeps working
    for schedule in (with_r3, fallback):
        schedule.refresh_from_db()
        assert schedule.host_left_at is not None  # nobody can host: flagged, the meeting kept
        assert schedule.host_left_name == admin.display_name
    # The creators are told: with_r3's creator left, so the admins (recruiter2); fallback's is recruiter2.
    assert set(Notification.objects.filter(key__startswith="host-left:").values_list("user_id", flat=True)) == {r2.pk}
    page = browser_for(R2).get(f"/schedules/{fallback.pk}/").html
    assert 'id="host-left"' in page
    assert 'class="banner banner-warn"' in page  # the reconnect banner, for the remaining admin
    answered_for()

    # 3. An operator deletes both people in the admin: nothing blocks it.
    User.objects.create_superuser("ops@herp.example", "ops-password-2030")
    operator = Browser(demo.url)
    operator.get("/admin/login/").press(
        "ログイン", data={"username": "ops@herp.example", "password": "ops-password-2030"}
    )
    for person in (r1, admin):
        confirm = operator.get(f"/admin/herp/user/{person.pk}/delete/")
        assert 'id="deletion-runs-deactivation"' in confirm.html
        confirm.press(data={"post": "yes"}, text="はい")
        assert not User.objects.filter(pk=person.pk).exists(), confirm.html[:500]
    wait_until(settled, what="the deletions to settle")
    answered_for()
    assert InterviewSchedule.objects.get(pk=fallback.pk).host_left_at is not None
