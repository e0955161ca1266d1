"""RELIABILITY T39 (unit tier, Zoom faked): a member deactivated by a company admin. Their link stops;
each upcoming interview they were in is planned again with the host rule (the next linked participant,
else the installer) and everyone concerned is told through the invitations; an interview nobody can host
is flagged on its page and its creator told; when they connected the company's Zoom, the connection
needs a reconnect, admins are told once, and everyone else's links keep working.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from herp.members import services as members
from herp.models import Notification, User
from integrations.models import IntegrationEvent, LossReason, ZoomInstallation
from scheduling.invitations.models import InvitationMessage
from scheduling.models import InterviewSchedule
from scheduling.selectors import HostReason, host_select
from tests import flows
from tests.unit.invitations.mailbox import read_outbox, to
from zoom.models import ZoomMeeting, ZoomUser

CANDIDATE = "taro@candidate.example"


def deactivate(client, person, capture):
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(reverse("members:deactivate", args=[person.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    return response


def live_at_zoom(zoom) -> set[int]:
    return set(zoom.alive())


def known_live_meetings() -> set[int]:
    """The Zoom meetings HERP still answers for: those of scheduled interviews, or being deleted."""
    return set(
        ZoomMeeting.objects.exclude(status=ZoomMeeting.Status.DELETED)
        .exclude(zoom_meeting_id=None)
        .values_list("zoom_meeting_id", flat=True)
    )


@pytest.fixture
def admin_client(installer, client_for):
    return client_for(installer)


def test_T39_the_host_who_leaves_hands_their_interview_to_the_next_linked_participant_and_everyone_is_told(
    company,
    connected,
    installer,
    person,
    link_factory,
    zoom,
    admin_client,
    client_for,
    django_capture_on_commit_callbacks,
):
    alice, bob = person("Alice"), person("Bob")
    alice_link, bob_link = link_factory(alice), link_factory(bob)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob])
    first = schedule.meeting
    assert first.host_user_id == alice.pk

    deactivate(admin_client, alice, django_capture_on_commit_callbacks)

    schedule.refresh_from_db()
    assert list(schedule.participants.all()) == [bob]
    assert schedule.meeting.host_zoom_user_id == bob_link.zoom_user_id
    assert schedule.meeting.replaces_id == first.pk
    assert ZoomMeeting.objects.get(pk=first.pk).status == ZoomMeeting.Status.DELETED
    assert live_at_zoom(zoom) == {schedule.meeting.zoom_meeting_id} == known_live_meetings()
    assert ZoomUser.objects.get(pk=alice_link.pk).status == ZoomUser.Status.UNLINKED
    unlinked = IntegrationEvent.objects.get(kind=IntegrationEvent.Kind.ZOOM_USER_UNLINKED)
    assert (unlinked.actor_id, unlinked.details["reason"]) == (installer.pk, "user_deactivated")
    # The invitations: Alice's event is cancelled, the others get the new URL.
    received = [message for message in read_outbox(mail.outbox) if message.ics]
    assert [m.method for m in to(received, alice.email)] == ["CANCEL"]
    for address in (CANDIDATE, bob.email):
        [update] = to(received, address)
        assert (update.method, update.location) == ("REQUEST", schedule.meeting.join_url)
    assert "Alice" not in to(received, CANDIDATE)[0].text
    # The interview's page: the new host, and that the new URL went out.
    page = client_for(bob).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    assert 'id="url-changed"' in page
    assert "Bob" in page[page.index('id="meeting-host"') :][:200]
    assert 'id="host-left"' not in page


def test_T39_with_no_other_linked_participant_the_installer_hosts(
    company, connected, installer, person, link_factory, zoom, admin_client, django_capture_on_commit_callbacks
):
    alice, carol = person("Alice"), person("Carol")
    link_factory(alice)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, carol])

    deactivate(admin_client, alice, django_capture_on_commit_callbacks)

    schedule.refresh_from_db()
    assert schedule.meeting.host_user_id == installer.pk
    assert schedule.meeting.host_grant_id == connected.grant_id
    assert live_at_zoom(zoom) == {schedule.meeting.zoom_meeting_id}


def test_T39_a_participant_who_did_not_host_leaves_the_interviewers_and_the_meeting_stays(
    company, connected, installer, person, link_factory, zoom, admin_client, django_capture_on_commit_callbacks
):
    alice, carol = person("Alice"), person("Carol")
    link_factory(alice)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, carol])
    meeting = schedule.meeting

    deactivate(admin_client, carol, django_capture_on_commit_callbacks)

    schedule.refresh_from_db()
    assert schedule.meeting_id == meeting.pk
    assert list(schedule.participants.all()) == [alice]
    received = [message for message in read_outbox(mail.outbox) if message.ics]
    assert [m.method for m in to(received, carol.email)] == ["CANCEL"]
    [candidate] = to(received, CANDIDATE)
    assert "Carol" not in candidate.text  # the changed list of interviewers
    assert to(received, alice.email) == []  # nothing changed for her


def test_T39_past_started_and_cancelled_interviews_keep_the_person_as_the_record(
    company, connected, installer, person, link_factory, zoom, admin_client, django_capture_on_commit_callbacks
):
    alice, bob = person("Alice"), person("Bob")
    link_factory(alice)
    link_factory(bob)
    upcoming = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob])
    cancelled = flows.cancel(
        django_capture_on_commit_callbacks,
        flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob]),
    )
    past = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice, bob])
    InterviewSchedule.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=3))
    past_meeting = past.meeting_id

    deactivate(admin_client, alice, django_capture_on_commit_callbacks)

    assert alice not in InterviewSchedule.objects.get(pk=upcoming.pk).participants.all()
    for kept in (cancelled, past):
        assert alice in InterviewSchedule.objects.get(pk=kept.pk).participants.all()
    assert InterviewSchedule.objects.get(pk=past.pk).meeting_id == past_meeting


def test_T39_the_installer_leaving_asks_for_a_reconnect_tells_admins_once_and_links_keep_working(
    company,
    connected,
    installer,
    person,
    link_factory,
    user_factory,
    zoom,
    client_for,
    django_capture_on_commit_callbacks,
):
    other_admin = user_factory(company=company, role=User.Role.ADMIN, name="副管理 次郎")
    alice, carol = person("Alice"), person("Carol")
    alice_link = link_factory(alice)
    hosted_by_alice = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    fallback = flows.create(django_capture_on_commit_callbacks, company, other_admin, participants=[carol])
    assert fallback.meeting.host_user_id == installer.pk
    alice_meeting = hosted_by_alice.meeting_id

    deactivate(client_for(other_admin), installer, django_capture_on_commit_callbacks)

    installation = ZoomInstallation.objects.get(pk=connected.pk)
    assert (installation.status, installation.reason) == (
        ZoomInstallation.Status.NEEDS_RECONNECT,
        LossReason.INSTALLER_DEACTIVATED,
    )
    reconnect_mails = [m for m in mail.outbox if "Reconnect Zoom" in m.subject or "再連携" in m.subject]
    assert [m.to for m in reconnect_mails] == [[other_admin.email]]
    assert 'class="banner banner-warn"' in client_for(other_admin).get(reverse("home")).content.decode()
    # Everyone's own link keeps working: Alice still hosts hers, and would host a new one.
    assert InterviewSchedule.objects.get(pk=hosted_by_alice.pk).meeting_id == alice_meeting
    assert ZoomUser.objects.usable().filter(pk=alice_link.pk).exists()
    assert host_select(company=company, participant_ids=[alice.pk]).host_link == alice_link
    # The installer's Zoom user is no fallback any more: Carol's interview has nobody to host it.
    choice = host_select(company=company, participant_ids=[carol.pk])
    assert choice.reason == HostReason.NONE_AVAILABLE
    assert choice.installer_lost == installer


def test_T39_an_interview_nobody_can_host_is_flagged_on_its_page_and_its_creator_told(
    company,
    connected,
    installer,
    person,
    link_factory,
    user_factory,
    zoom,
    client_for,
    django_capture_on_commit_callbacks,
):
    other_admin = user_factory(company=company, role=User.Role.ADMIN, name="副管理 次郎")
    recruiter = person("採用 三郎")
    carol = person("Carol")
    schedule = flows.create(django_capture_on_commit_callbacks, company, recruiter, participants=[carol])
    meeting = schedule.meeting

    deactivate(client_for(other_admin), installer, django_capture_on_commit_callbacks)

    schedule.refresh_from_db()
    assert schedule.host_left_at is not None
    assert schedule.host_left_name == installer.display_name
    assert schedule.meeting_id == meeting.pk  # kept as it was: the URL people have still works
    assert live_at_zoom(zoom) == {meeting.zoom_meeting_id} == known_live_meetings()
    [told] = [m for m in mail.outbox if m.to == [recruiter.email]]
    assert schedule.title in told.body
    assert reverse("scheduling:detail", args=[schedule.pk]) in told.body
    assert Notification.objects.filter(user=recruiter, key=f"host-left:{schedule.pk}").count() == 1
    page = client_for(recruiter).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()
    assert 'id="host-left"' in page
    assert installer.display_name in page
    listing = client_for(recruiter).get(reverse("scheduling:list")).content.decode()
    assert 'class="status status-bad host-left"' in listing


def test_T39_when_the_creator_is_the_one_leaving_the_admins_are_told(
    company, connected, installer, person, user_factory, zoom, client_for, django_capture_on_commit_callbacks
):
    other_admin = user_factory(company=company, role=User.Role.ADMIN)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[person("Carol")])

    deactivate(client_for(other_admin), installer, django_capture_on_commit_callbacks)

    assert InterviewSchedule.objects.get(pk=schedule.pk).host_left_at is not None
    assert Notification.objects.filter(user=other_admin, key=f"host-left:{schedule.pk}").exists()
    assert any(m.to == [other_admin.email] and schedule.title in m.body for m in mail.outbox)


def test_T39_a_reconnect_gives_flagged_interviews_a_host_again(
    company,
    connected,
    installer,
    person,
    user_factory,
    zoom,
    client_for,
    connect,
    django_capture_on_commit_callbacks,
):
    other_admin = user_factory(company=company, role=User.Role.ADMIN)
    schedule = flows.create(django_capture_on_commit_callbacks, company, other_admin, participants=[person("Carol")])
    old = schedule.meeting
    deactivate(client_for(other_admin), installer, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        connect(company, other_admin)

    schedule.refresh_from_db()
    assert schedule.host_left_at is None
    assert schedule.meeting.host_user_id == other_admin.pk
    assert Notification.objects.get(key=f"host-left:{schedule.pk}").resolved_at is not None
    assert ZoomMeeting.objects.get(pk=old.pk).status == ZoomMeeting.Status.DELETED
    assert live_at_zoom(zoom) == {schedule.meeting.zoom_meeting_id}


def test_T39_a_failure_in_any_app_leaves_the_person_as_they_were(
    company, connected, installer, person, link_factory, zoom, admin_client, django_capture_on_commit_callbacks
):
    alice = person("Alice")
    link = link_factory(alice)
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[alice])

    with (
        mock.patch("scheduling.leavers.schedules_release_person", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        admin_client.post(reverse("members:deactivate", args=[alice.pk]))

    alice.refresh_from_db()
    assert alice.is_active
    assert ZoomUser.objects.get(pk=link.pk).status == ZoomUser.Status.ACTIVE
    assert alice in InterviewSchedule.objects.get(pk=schedule.pk).participants.all()


def test_T39_the_confirmation_says_what_happens_to_the_link_the_interviews_and_the_connection(
    company,
    connected,
    installer,
    person,
    link_factory,
    user_factory,
    zoom,
    client_for,
    django_capture_on_commit_callbacks,
):
    other_admin = user_factory(company=company, role=User.Role.ADMIN)
    link_factory(installer)
    flows.create(django_capture_on_commit_callbacks, company, installer, participants=[installer])
    members.member_role_change(member=other_admin, role=User.Role.ADMIN, by=installer)

    sentences = members.deactivation_consequences(installer)

    assert len(sentences) == 3  # the connection, the link, the interviews
    page = client_for(other_admin).get(reverse("members:deactivate", args=[installer.pk])).content.decode()
    for sentence in sentences:
        assert str(sentence).split(":")[0][:20] in page


def test_T39_deactivation_makes_no_invitation_for_an_interview_that_never_was_on_zoom(
    company, connected, installer, person, zoom, admin_client, django_capture_on_commit_callbacks
):
    carol, dave = person("Carol"), person("Dave")
    schedule = flows.create(
        django_capture_on_commit_callbacks, company, installer, participants=[carol, dave], location="onsite"
    )

    deactivate(admin_client, carol, django_capture_on_commit_callbacks)

    assert list(InterviewSchedule.objects.get(pk=schedule.pk).participants.all()) == [dave]
    assert not InvitationMessage.objects.filter(schedule=schedule).exists()
    assert ZoomMeeting.objects.count() == 0


def test_T39_mails_no_longer_ask_candidates_to_reply_to_a_creator_who_left(
    company,
    connected,
    installer,
    person,
    link_factory,
    user_factory,
    zoom,
    client_for,
    django_capture_on_commit_callbacks,
):
    recruiter, alice, bob = person("採用 三郎"), person("Alice"), person("Bob")
    link_factory(alice)
    link_factory(bob)
    schedule = flows.create(django_capture_on_commit_callbacks, company, recruiter, participants=[alice, bob])
    [first] = to([m for m in read_outbox(mail.outbox) if m.ics], CANDIDATE)
    assert recruiter.email in first.reply_to

    deactivate(client_for(installer), recruiter, django_capture_on_commit_callbacks)
    deactivate(client_for(installer), alice, django_capture_on_commit_callbacks)  # a change the candidate hears of

    [update] = to([m for m in read_outbox(mail.outbox) if m.ics], CANDIDATE)
    assert update.method == "REQUEST"
    assert update.reply_to == ""
    assert InterviewSchedule.objects.get(pk=schedule.pk).created_by_id == recruiter.pk
