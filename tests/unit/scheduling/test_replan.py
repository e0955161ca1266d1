"""When a host can no longer host (Unlink, an invalid link, Disconnect), the host rule picks again."""

from __future__ import annotations

from scheduling.models import InterviewSchedule
from tests import flows
from zoom import services as zoom_services
from zoom.models import ZoomMeeting


def test_unlinking_the_host_moves_the_interview_to_the_next_linked_participant(
    company, connected, person, link_factory, zoom, django_capture_on_commit_callbacks
):
    alice, bob = person("Alice"), person("Bob")
    alice_link, bob_link = link_factory(alice), link_factory(bob)
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    first = schedule.meeting
    assert first.host_zoom_user_id == alice_link.zoom_user_id

    with django_capture_on_commit_callbacks(execute=True):
        zoom_services.zoom_user_unlink(user=alice)

    schedule = InterviewSchedule.objects.get(pk=schedule.pk)
    assert schedule.meeting_id != first.pk
    assert schedule.meeting.host_zoom_user_id == bob_link.zoom_user_id
    assert schedule.meeting.replaces_id == first.pk
    # The old meeting was deleted at Zoom once the new one existed: only Bob's is left.
    assert list(zoom.owners[meeting_id] for meeting_id in zoom.alive()) == [bob_link.grant.decrypt_access_token()]


def test_an_interview_without_any_other_host_keeps_its_meeting_after_a_disconnect(
    company, connected, installer, person, link_factory, zoom, django_capture_on_commit_callbacks
):
    alice = person("Alice")
    link_factory(alice)
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    meeting = schedule.meeting

    with django_capture_on_commit_callbacks(execute=True):
        connected.disconnect(by=installer)

    schedule = InterviewSchedule.objects.get(pk=schedule.pk)
    assert schedule.meeting_id == meeting.pk
    assert ZoomMeeting.objects.get(pk=meeting.pk).status == ZoomMeeting.Status.CREATED
