"""What each mail and its calendar object are made of (RFC 5545, iTIP RFC 5546, iMIP RFC 6047; NOTES.md
section 13), the messages' uniqueness, zoom's meeting_synced inside the reconcile's transaction, and
a run of changes read back in order as a calendar would (T35 on the unit tier)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.dispatch import receiver

from herp.models import User
from scheduling.invitations.models import InvitationMessage
from tests import flows
from tests.helpers import in_days
from tests.unit.invitations.mailbox import final_events, read_outbox
from zoom import services as zoom_services
from zoom import signals as zoom_signals
from zoom.meetings.sweep import meetings_sweep
from zoom.models import ZoomMeeting

CANDIDATE = "taro@candidate.example"


def invitations() -> list:
    return [message for message in read_outbox(mail.outbox) if message.ics]


def test_the_calendar_object_is_a_complete_itip_request(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    [message] = [m for m in invitations() if m.to == CANDIDATE]
    calendar = message.calendar
    event = message.event

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["PRODID"]).startswith("-//HERP//")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert event["DTSTAMP"].to_ical().endswith(b"Z")  # UTC
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert message.start == in_days(10)
    assert (message.end - message.start).total_seconds() == 60 * 60
    attendee = event["ATTENDEE"]
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["CN"] == "候補 太郎"
    assert event["ORGANIZER"].params["CN"] == company.name
    assert str(event["URL"]) == schedule.meeting.join_url
    assert "\r\n" in message.ics.decode()  # CRLF line endings
    assert all(len(line.encode()) <= 75 for line in message.ics.decode().split("\r\n"))
    assert message.attachment_ics == message.ics


def test_the_mail_carries_from_reply_to_the_join_url_and_never_the_start_url(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    [message] = [m for m in invitations() if m.to == CANDIDATE]
    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)

    assert message.from_header == f"{company.name} <noreply@localhost>"
    assert message.reply_to == f"Alice <{alice.email}>"
    assert meeting.join_url in message.text
    assert "857 4606 5432" in message.text
    assert meeting.passcode in message.text
    assert f'<a href="{meeting.join_url.replace("&", "&amp;")}">' in message.html
    for part in (message.raw.decode(errors="replace"), message.ics.decode()):
        assert "/s/" not in part
        assert "zak=" not in part


def test_the_time_is_given_in_the_interviews_zone_and_in_the_recipients_when_it_reads_otherwise(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=bob.pk).update(language="en", timezone="Europe/London")
    flows.create(
        django_capture_on_commit_callbacks, company, alice, participants=[alice, bob], starts_at=in_days(10, 10)
    )
    received = {m.to: m for m in invitations()}

    assert "（日本時間）" in received[alice.email].text
    assert "ご登録のタイムゾーン" not in received[alice.email].text
    english = received[bob.email]
    assert "Date and time:" in english.text
    assert "10:00–11:00 (Japan time)" in english.text
    assert "In your time zone:" in english.text
    assert "01:00–02:00 (Europe/London)" in english.text
    assert english.subject.endswith("01:00 Europe/London)")  # the subject's time is named too
    assert "(" not in received[alice.email].subject.split("）", 1)[-1]  # Japan time for a Japan interview
    weekday = "月火水木金土日"[in_days(10, 10).weekday()]
    assert f"（{weekday}）10:00〜11:00（日本時間）" in received[CANDIDATE].text


def test_a_recipient_in_another_zone_with_the_same_clock_gets_one_line(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=alice.pk).update(timezone="Asia/Seoul")  # UTC+9 too
    flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    [message] = [m for m in invitations() if m.to == alice.email]
    assert "ご登録のタイムゾーン" not in message.text


def test_one_message_per_interview_recipient_and_version(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    row = InvitationMessage.objects.filter(schedule=schedule).first()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_zoom_tells_scheduling_inside_the_transaction_that_stores_its_answer(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    class Refused(Exception):
        pass

    @receiver(zoom_signals.meeting_synced, dispatch_uid="test.refuse_once")
    def refuse(sender, *, meeting_id, company_id, **kwargs):
        zoom_signals.meeting_synced.disconnect(dispatch_uid="test.refuse_once")
        raise Refused

    try:
        schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    finally:
        zoom_signals.meeting_synced.disconnect(dispatch_uid="test.refuse_once")

    # The receiver's failure rolled Zoom's answer back with it: nothing stored, nothing written, and the
    # reconcile is left to retry (the meeting made at Zoom is found again by its marker).
    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    assert meeting.zoom_meeting_id is None
    assert meeting.status == ZoomMeeting.Status.PENDING
    assert InvitationMessage.objects.filter(schedule=schedule).count() == 0

    assert meeting.not_before is not None
    with (
        time_machine.travel(meeting.not_before + timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert meetings_sweep() == [meeting.pk]

    meeting.refresh_from_db()
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert InvitationMessage.objects.filter(schedule=schedule).count() == 2
    assert len(zoom.calls_to("POST")) == 1  # adopted by its marker, not made twice


def test_T35_each_calendar_ends_with_one_event_at_the_final_time_and_url_or_none_after_cancel(
    company, connected, alice, bob, person, zoom, django_capture_on_commit_callbacks
):
    carol, dave = person("Carol"), person("Dave")
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob, carol])
    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice, bob, carol], starts_at=in_days(11))
    with django_capture_on_commit_callbacks(execute=True):
        zoom_services.zoom_user_unlink(user=alice)  # host change: Bob hosts a new meeting
    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice, bob, dave], starts_at=in_days(11))
    flows.update(
        django_capture_on_commit_callbacks, schedule, participants=[alice, bob, dave], starts_at=in_days(12, 16)
    )

    schedule.refresh_from_db()
    received = invitations()
    held = final_events(received)
    for address in (CANDIDATE, alice.email, bob.email, dave.email):
        [event] = held[address].values()
        assert event.start == in_days(12, 16)
        assert event.location == schedule.meeting.join_url
    assert list(held[carol.email].values()) == [None]
    assert len({m.uid for m in received}) == 1
    for address in held:
        versions = [m.sequence for m in received if m.to == address]
        assert versions == sorted(set(versions))

    flows.cancel(django_capture_on_commit_callbacks, schedule)

    received = invitations()
    assert all(list(events.values()) == [None] for events in final_events(received).values())
    assert {m.method for m in received[-4:]} == {"CANCEL"}
