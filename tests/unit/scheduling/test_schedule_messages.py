"""Issue 11, item 8: what the schedule pages say is true and in an HR person's words — the host card never
contradicts itself, a lost installer is named as the reason nobody can host, the host-change notice goes
once it is no longer true, and the host rule is explained without engineering terms."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from integrations.models import LossReason
from scheduling.models import InterviewSchedule
from tests import flows
from tests.helpers import in_english
from tests.unit.scheduling.test_schedule_views import form_data
from zoom.models import ZoomMeeting

README = Path(__file__).resolve().parents[3] / "README.md"


def preview(client, people) -> str:
    response = in_english(client).get(reverse("scheduling:host_preview"), {"participants": [p.pk for p in people]})
    return response.json()["html"]


def test_the_installer_who_hosts_is_not_also_listed_as_unable_to_host(company, connected, installer, client_for):
    html = preview(client_for(installer), [installer])

    assert 'data-host-reason="installer_fallback"' in html
    assert "Not linked to Zoom (cannot host)" not in html
    assert html.count(installer.display_name) == 2  # the host line and the reason


def test_a_lost_installer_is_named_as_the_reason_not_a_missing_connection(
    company, connected, installer, person, zoom, client_for, django_capture_on_commit_callbacks
):
    carol = person("Carol")
    schedule = flows.create(django_capture_on_commit_callbacks, company, installer, participants=[carol])
    connected.grant.revoke(LossReason.APP_REMOVED)
    connected.mark_revoked(LossReason.APP_REMOVED, "The installer removed the app in Zoom.")
    client = in_english(client_for(carol))

    response = client.post(
        reverse("scheduling:edit", args=[schedule.pk]),
        form_data([carol], candidate=str(schedule.candidate_id), new_candidate_name="", new_candidate_email="")
        | {"starts_at": flows.data(participants=[]).starts_at.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "90"},
    )
    html = preview(client, [carol])

    page = response.content.decode()
    assert response.status_code == 200
    assert "not connected" not in page
    assert f"{installer.display_name}, who connected your company&#x27;s Zoom, can no longer host" in page
    assert "authorization has ended" in html
    assert "not connected" not in html
    assert InterviewSchedule.objects.get().duration_minutes == 60


def replaced(capture, company, alice, bob):
    """Alice's interview handed to Bob: the new meeting exists, the old one's deletion not yet done (a
    worker has not reached it)."""
    schedule = flows.create(capture, company, alice, participants=[alice])
    schedule = flows.update(capture, schedule, participants=[bob])
    ZoomMeeting.objects.filter(pk=schedule.meeting.replaces_id).update(status=ZoomMeeting.Status.DELETING)
    return schedule


def detail(client, schedule) -> str:
    return in_english(client).get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()


def test_the_host_change_notice_no_longer_waits_for_a_new_meeting_once_it_exists(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = replaced(django_capture_on_commit_callbacks, company, alice, bob)

    page = detail(client_for(alice), schedule)

    assert schedule.meeting.zoom_meeting_id is not None
    assert "once the new one exists" not in page
    assert "the previous host&#x27;s meeting is being deleted in Zoom" in page


def test_the_host_change_notice_goes_once_the_old_meeting_is_deleted(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    schedule = flows.update(django_capture_on_commit_callbacks, schedule, participants=[bob])

    page = detail(client_for(alice), schedule)

    assert schedule.meeting.replaces.status == ZoomMeeting.Status.DELETED
    assert 'id="host-change-notice"' not in page


def test_the_host_change_notice_is_shown_while_the_new_meeting_is_made(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    # Without running the queued work: the replacement is not made yet.
    schedule = flows.update(
        lambda execute: django_capture_on_commit_callbacks(execute=False), schedule, participants=[bob]
    )

    assert "deleted in Zoom once the new one exists" in detail(client_for(alice), schedule)


def test_no_host_change_notice_after_switching_to_onsite(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = replaced(django_capture_on_commit_callbacks, company, alice, bob)
    schedule = flows.update(
        lambda execute: django_capture_on_commit_callbacks(execute=False),
        schedule,
        participants=[bob],
        location="onsite",
    )

    assert "The host changed" not in detail(client_for(alice), schedule)


def test_an_old_meeting_that_could_not_be_deleted_is_said_so(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = replaced(django_capture_on_commit_callbacks, company, alice, bob)
    ZoomMeeting.objects.filter(pk=schedule.meeting.replaces_id).update(status=ZoomMeeting.Status.FAILED)

    assert "could not be deleted in Zoom" in detail(client_for(alice), schedule)


def test_the_host_rule_is_explained_in_plain_words(company, connected, alice, bob, client_for):
    html = preview(client_for(alice), [alice, bob])
    alice.language = "ja"  # in_english stored English as her language; back to the default
    alice.save(update_fields=["language"])
    japanese = client_for(alice).get(reverse("scheduling:host_preview"), {"participants": [alice.pk, bob.pk]})

    assert "internal number" not in html
    assert "set up in HERP first" in html
    assert "内部番号" not in japanese.json()["html"]
    assert "HERP のサービス内で管理している ID が若い方" in japanese.json()["html"]


def test_the_readme_tour_signs_the_emulator_back_in_before_retrying():
    step = re.search(r"\*\*1\. Connect the company's Zoom.*?\*\*2\.", README.read_text(), re.S).group(0)

    back_in = step.index("sign the emulator back in as `admin@demo.example`")
    assert step.index("zoom-admin@demo.example") < back_in < step.index("「再試行」")
