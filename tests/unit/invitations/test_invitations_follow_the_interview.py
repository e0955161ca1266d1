"""Who gets what, when (issue 12): an invitation once the URL exists, an update on every change that
concerns a person and nothing for one that does not, a cancellation for people removed and on cancel,
and the new URL on every path that changes it. Read from the outbox as calendars would read it."""

from __future__ import annotations

from django.core import mail

from integrations import grants
from integrations.models import LossReason
from scheduling.invitations.models import Invitation, InvitationMessage
from scheduling.models import Candidate, InterviewSchedule
from scheduling.services import schedule_cancel, schedule_create, schedule_update
from tests import flows
from tests.helpers import in_days
from tests.unit.invitations.mailbox import final_events, read_outbox, to
from zoom import services as zoom_services
from zoom.models import ZoomMeeting

CANDIDATE = "taro@candidate.example"


def sent() -> list:
    """The invitations sent since the last call (other mails, such as a link's notice, left out)."""
    received = [message for message in read_outbox(mail.outbox) if message.ics]
    mail.outbox.clear()
    return received


def test_nothing_is_sent_until_zoom_made_the_meeting_then_each_person_gets_one_invitation(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        schedule = schedule_create(company=company, by=alice, data=flows.data(participants=[alice, bob]))
    # Saved, but Zoom has not answered yet: no URL, so nothing is sendable.
    assert InvitationMessage.objects.filter(schedule=schedule).count() == 0

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])

    received = sent()
    assert sorted(m.to for m in received) == sorted([CANDIDATE, alice.email, bob.email])
    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    uid = f"interview-{Invitation.objects.get(schedule=schedule).uid}@testserver"
    for message in received:
        assert (message.method, message.mime_method, message.sequence, message.uid) == ("REQUEST", "REQUEST", 0, uid)
        assert message.location == meeting.join_url
        assert meeting.join_url in message.text
        assert str(meeting.zoom_meeting_id) not in message.uid
    assert all(row.status == "sent" for row in InvitationMessage.objects.filter(schedule=schedule))


def test_each_event_lists_only_the_organizer_and_its_recipient(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])

    for message in sent():
        assert message.attendees == [message.to]
        assert message.organizer == "noreply@localhost"


def test_the_candidate_never_sees_an_interviewers_address(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])

    [candidate] = to(sent(), CANDIDATE)
    # Replies go to the person who created the interview (Alice): her address is the Reply-To, nowhere else.
    assert alice.email in candidate.reply_to
    raw = candidate.raw.decode(errors="replace").replace(f"Reply-To: Alice <{alice.email}>", "")
    for address in (alice.email, bob.email, alice.zoom_user.email, bob.zoom_user.email):
        assert address not in raw
    assert "Alice" in candidate.text
    assert "Bob" in candidate.text


def test_moving_the_interview_updates_everyone_with_the_same_uid_and_a_higher_sequence(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    first = {m.to: m for m in sent()}

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice, bob], starts_at=in_days(12, 15))

    updates = {m.to: m for m in sent()}
    assert set(updates) == set(first)
    for address, update in updates.items():
        assert update.uid == first[address].uid
        assert update.sequence > first[address].sequence
        assert update.method == "REQUEST"
        assert update.start == in_days(12, 15)
    updates = InvitationMessage.objects.filter(schedule=schedule, kind="update")
    assert [row.changes for row in updates] == [["time"]] * 3


def test_a_change_that_concerns_nobody_sends_nothing(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    sent()

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice, bob], starts_at=schedule.starts_at)
    flows.update(
        django_capture_on_commit_callbacks,
        schedule,
        participants=[alice, bob],
        starts_at=schedule.starts_at,
        title="一次面接（技術）",
    )

    assert sent() == []


def test_a_removed_participant_gets_a_cancellation_and_the_candidate_an_update_of_the_interviewers(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    sequence = {m.to: m.sequence for m in sent()}

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=schedule.starts_at)

    received = {m.to: m for m in sent()}
    assert set(received) == {bob.email, CANDIDATE}  # Alice's event did not change: she hears nothing
    assert received[bob.email].method == received[bob.email].mime_method == "CANCEL"
    assert received[bob.email].sequence > sequence[bob.email]
    assert "STATUS:CANCELLED" in received[bob.email].ics.decode()
    assert received[CANDIDATE].method == "REQUEST"
    assert "Bob" not in received[CANDIDATE].text.split("Interviewers")[-1]
    assert InvitationMessage.objects.get(
        schedule=schedule, recipient_key=f"user:{bob.pk}", kind="cancellation"
    ).reason == ("removed")


def test_an_added_participant_gets_an_invitation_and_the_others_nothing_but_the_candidate(
    company, connected, alice, bob, person, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent()
    carol = person("Carol")  # no Zoom link: she does not change the host

    flows.update(
        django_capture_on_commit_callbacks, schedule, participants=[alice, carol], starts_at=schedule.starts_at
    )

    received = {m.to: m for m in sent()}
    assert set(received) == {carol.email, CANDIDATE}
    assert InvitationMessage.objects.get(recipient_key=f"user:{carol.pk}").kind == "invitation"
    assert InvitationMessage.objects.filter(recipient_key=f"candidate:{schedule.candidate_id}").latest(
        "sequence"
    ).changes == ["interviewers"]


def test_cancelling_sends_everyone_a_cancellation_above_their_last_sequence(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    before = {m.to: m for m in sent()}

    flows.cancel(django_capture_on_commit_callbacks, schedule)

    received = {m.to: m for m in sent()}
    assert set(received) == set(before)
    for address, message in received.items():
        assert (message.method, message.mime_method, message.uid) == ("CANCEL", "CANCEL", before[address].uid)
        assert message.sequence > before[address].sequence
    assert final_events(list(before.values()) + list(received.values())) == {
        address: {before[address].uid: None} for address in before
    }


def test_a_host_change_in_the_form_sends_the_new_url_once_the_replacement_exists(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, bob, participants=[bob])
    first = {m.to: m for m in sent()}
    old_url = ZoomMeeting.objects.get(pk=schedule.meeting_id).join_url

    # Alice's link is older than Bob's: adding her makes her the host, so a new meeting replaces Bob's.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        schedule_update(
            schedule=schedule,
            data=flows.data(
                participants=[alice, bob],
                starts_at=schedule.starts_at,
                candidate=schedule.candidate,
                new_candidate_name="",
                new_candidate_email="",
            ),
        )
    # The replacement's URL is not known yet: nothing for anyone (not even Alice, who is new).
    assert InvitationMessage.objects.filter(schedule=schedule, sequence__gt=0).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:  # the reconcile runs: Zoom makes the replacement
            callback()

    schedule.refresh_from_db()
    new_url = schedule.meeting.join_url
    assert new_url
    assert new_url != old_url
    received = {m.to: m for m in sent()}
    assert set(received) == {CANDIDATE, bob.email, alice.email}
    assert received[bob.email].location == new_url
    assert received[bob.email].sequence > first[bob.email].sequence
    assert received[CANDIDATE].location == new_url
    assert "url" in InvitationMessage.objects.filter(recipient_key=f"user:{bob.pk}").latest("sequence").changes
    assert received[alice.email].sequence == received[bob.email].sequence
    assert Invitation.objects.get(schedule=schedule).url_changed_at is not None


def test_unlinking_the_host_re_hosts_the_interview_and_sends_the_new_url(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    sent()

    with django_capture_on_commit_callbacks(execute=True):
        zoom_services.zoom_user_unlink(user=alice)

    schedule.refresh_from_db()
    received = sent()
    assert sorted(m.to for m in received) == sorted([CANDIDATE, alice.email, bob.email])
    assert {m.location for m in received} == {schedule.meeting.join_url}
    assert Invitation.objects.get(schedule=schedule).url_changed_at is not None


def test_a_deauthorized_host_is_replaced_and_everyone_gets_the_new_url(
    company, connected, alice, bob, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    sent()
    grant = alice.zoom_user.grant

    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_revoke(grant_id=grant.pk, reason=LossReason.APP_REMOVED)  # what app_deauthorized does

    schedule.refresh_from_db()
    assert schedule.meeting.host_user_id == bob.pk
    received = sent()
    assert {m.location for m in received} == {schedule.meeting.join_url}
    assert len(received) == 3


def test_a_meeting_made_again_after_it_was_deleted_in_zoom_sends_its_new_url(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent()
    zoom.meetings.clear()  # someone deleted it in Zoom

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=in_days(11))

    meeting = ZoomMeeting.objects.get(pk=schedule.meeting_id)
    final = final_events(read_outbox(mail.outbox))
    for address in (CANDIDATE, alice.email):
        [event] = final[address].values()
        assert event.location == meeting.join_url
        assert event.start == in_days(11)


def test_leaving_zoom_updates_people_who_hold_the_event_without_a_url(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent()

    flows.update(
        django_capture_on_commit_callbacks,
        schedule,
        participants=[alice],
        starts_at=schedule.starts_at,
        location=InterviewSchedule.Location.ONSITE,
    )

    received = sent()
    assert len(received) == 2
    for message in received:
        assert message.method == "REQUEST"
        assert message.location == ""
        assert "zoom.test" not in message.ics.decode()
    assert InvitationMessage.objects.filter(kind="update").first().changes[0] == "location"


def test_an_interview_that_never_was_on_zoom_sends_nothing(
    company, connected, alice, django_capture_on_commit_callbacks
):
    flows.create(
        django_capture_on_commit_callbacks,
        company,
        alice,
        participants=[alice],
        location=InterviewSchedule.Location.ONSITE,
    )
    assert mail.outbox == []
    assert InvitationMessage.objects.count() == 0


def test_a_candidate_without_an_address_gets_nothing_and_the_participants_their_invitation(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice], new_candidate_email="")
    assert [m.to for m in sent()] == [alice.email]
    assert not InvitationMessage.objects.filter(recipient_kind="candidate").exists()


def test_with_the_candidates_mail_off_only_the_participants_hear_even_of_a_cancel(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(
        django_capture_on_commit_callbacks, company, alice, participants=[alice], candidate_mail_enabled=False
    )
    assert [m.to for m in sent()] == [alice.email]

    flows.cancel(django_capture_on_commit_callbacks, schedule)

    assert [(m.to, m.method) for m in sent()] == [(alice.email, "CANCEL")]


def test_turning_the_candidates_mail_off_later_sends_them_no_cancellation(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent()

    flows.update(
        django_capture_on_commit_callbacks,
        schedule,
        participants=[alice],
        starts_at=in_days(13),
        candidate_mail_enabled=False,
    )

    assert [m.to for m in sent()] == [alice.email]


def test_choosing_another_candidate_cancels_the_first_ones_event_and_invites_the_second(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent()
    other = Candidate.objects.create(company=company, name="候補 次郎", email="jiro@candidate.example")

    flows.update(
        django_capture_on_commit_callbacks,
        schedule,
        participants=[alice],
        starts_at=schedule.starts_at,
        candidate=other,
    )

    received = {m.to: m.method for m in sent()}
    assert received == {CANDIDATE: "CANCEL", "jiro@candidate.example": "REQUEST"}


def test_a_rolled_back_change_writes_no_message_and_queues_nothing(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    from django.db import transaction

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent()
    count = InvitationMessage.objects.count()

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                schedule_cancel(schedule=schedule)
                raise Abort
        except Abort:
            pass

    assert callbacks == []
    assert InvitationMessage.objects.count() == count
    assert mail.outbox == []
