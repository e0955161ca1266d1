"""RELIABILITY T39 (unit tier, Zoom faked): a user deleted by an operator in the admin. The delete runs
the same deactivation first; then the person's rows go; nothing blocks it; no meeting is left at Zoom that
HERP does not answer for. Support staff stay read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from herp.models import Notification, PasswordLink, User
from herp.support import SUPPORT_GROUP
from integrations.models import ZoomInstallation
from scheduling.models import InterviewSchedule
from tests import flows
from zoom.models import ZoomMeeting, ZoomUser


@pytest.fixture
def operator(user_factory, client_for):
    return client_for(user_factory(is_staff=True, is_superuser=True, email="ops@herp.example"))


@pytest.fixture
def support(user_factory, client_for):
    staff = user_factory(is_staff=True, email="support@herp.example")
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    return client_for(staff)


def answered_for(zoom) -> bool:
    """Every meeting at Zoom is one HERP knows and can still move or delete (its host's grant kept)."""
    known = ZoomMeeting.objects.exclude(status=ZoomMeeting.Status.DELETED).exclude(zoom_meeting_id=None)
    return set(zoom.alive()) == set(known.values_list("zoom_meeting_id", flat=True)) and all(
        meeting.host_grant_id is not None for meeting in known
    )


def test_T39_an_operator_deletes_a_linked_host_and_their_interviews_move_on(
    company, connected, installer, person, link_factory, zoom, operator, django_capture_on_commit_callbacks
):
    alice, bob = person("Alice"), person("Bob")
    link_factory(alice)
    bob_link = link_factory(bob)
    upcoming = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob])
    past = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    InterviewSchedule.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=2))
    Notification.objects.create(company=company, user=alice, key="k", title="t")
    url = reverse("admin:herp_user_delete", args=[alice.pk])

    confirm = operator.get(url).content.decode()
    assert 'id="deletion-runs-deactivation"' in confirm
    assert "doesn't have permission" not in confirm
    assert "protected" not in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not ZoomUser.objects.filter(user_id=alice.pk).exists()
    assert not Notification.objects.filter(user_id=alice.pk).exists()
    upcoming.refresh_from_db()
    assert upcoming.meeting.host_zoom_user_id == bob_link.zoom_user_id
    assert InterviewSchedule.objects.get(pk=past.pk).created_by_id is None  # kept, no longer naming her
    assert answered_for(zoom)


def test_T39_deleting_the_only_host_keeps_the_meeting_known_and_flags_the_interview(
    company,
    connected,
    installer,
    person,
    link_factory,
    zoom,
    operator,
    client_for,
    django_capture_on_commit_callbacks,
):
    alice, carol = person("Alice"), person("Carol")
    link_factory(alice)
    # The company's connection is gone too, so nobody but Alice could host.
    ZoomInstallation.objects.filter(pk=connected.pk).update(status=ZoomInstallation.Status.NEEDS_RECONNECT)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, carol])

    with django_capture_on_commit_callbacks(execute=True):
        operator.post(reverse("admin:herp_user_delete", args=[alice.pk]), {"post": "yes"})

    schedule.refresh_from_db()
    assert schedule.host_left_name == "Alice"
    assert ZoomMeeting.objects.get(pk=schedule.meeting_id).host_user_id is None
    assert answered_for(zoom)
    page = client_for(carol).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    assert 'id="host-left"' in page


def test_T39_an_operator_deletes_a_companys_installer_and_only_admin(
    company, connected, installer, person, zoom, operator, django_capture_on_commit_callbacks
):
    flows.create(django_capture_on_commit_callbacks, company, installer, participants=[person("Carol")])
    PasswordLink.objects.create(
        company=company,
        kind=PasswordLink.Kind.PASSWORD,
        email=installer.email,
        user=installer,
        token_hash="1" * 64,
        expires_at=timezone.now() + timedelta(days=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(reverse("admin:herp_user_delete", args=[installer.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=installer.pk).exists()
    installation = ZoomInstallation.objects.get(pk=connected.pk)
    assert (installation.status, installation.installer_id) == (ZoomInstallation.Status.NEEDS_RECONNECT, None)
    assert not PasswordLink.objects.exists()
    assert answered_for(zoom)


def test_T39_the_bulk_delete_action_runs_the_deactivation_for_each(
    company, connected, installer, person, link_factory, zoom, operator, django_capture_on_commit_callbacks
):
    alice, bob, carol = person("Alice"), person("Bob"), person("Carol")
    link_factory(alice)
    link_factory(bob)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob, carol])

    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            reverse("admin:herp_user_changelist"),
            {"action": "delete_selected", "_selected_action": [alice.pk, bob.pk], "post": "yes"},
        )

    assert not User.objects.filter(pk__in=[alice.pk, bob.pk]).exists()
    schedule.refresh_from_db()
    assert schedule.meeting.host_user_id == installer.pk
    assert list(schedule.participants.all()) == [carol]
    assert answered_for(zoom)


def test_T39_unticking_active_in_the_admin_deactivates_as_the_members_page_does(
    company, connected, installer, person, link_factory, zoom, operator, django_capture_on_commit_callbacks
):
    alice, bob = person("Alice"), person("Bob")
    link_factory(alice)
    bob_link = link_factory(bob)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob])
    url = reverse("admin:herp_user_change", args=[alice.pk])
    form = {
        "email": alice.email,
        "name": alice.name,
        "company": company.pk,
        "role": alice.role,
        "language": alice.language,
        "timezone": alice.timezone,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(url, form)  # "is_active" unticked

    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert not alice.is_active
    schedule.refresh_from_db()
    assert schedule.meeting.host_zoom_user_id == bob_link.zoom_user_id

    with django_capture_on_commit_callbacks(execute=True):
        operator.post(url, {**form, "is_active": "on"})
    alice.refresh_from_db()
    assert alice.is_active


def test_support_staff_can_neither_delete_nor_deactivate_anyone(
    company, installer, support, django_capture_on_commit_callbacks
):
    for url in (reverse("admin:herp_user_delete", args=[installer.pk]),):
        assert support.get(url).status_code == 403
        assert support.post(url, {"post": "yes"}).status_code == 403
    response = support.post(reverse("admin:herp_user_change", args=[installer.pk]), {"email": installer.email})
    assert response.status_code == 403
    installer.refresh_from_db()
    assert installer.is_active
    assert support.get(reverse("admin:herp_passwordlink_changelist")).status_code == 200
