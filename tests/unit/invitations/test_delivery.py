"""Delivery loses nothing (RELIABILITY T34 on the unit tier): SMTP down, slow or refusing, a broker
outage after commit, a worker that died mid-send; bounded retries, a visible failed state with the
reason, one alert for operators; a version replaced before it went out is skipped."""

from __future__ import annotations

import json
import logging
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from scheduling.invitations import delivery
from scheduling.invitations.delivery import invitations_sweep
from scheduling.invitations.models import InvitationMessage
from scheduling.invitations.services import invitation_resend
from scheduling.invitations.tasks import invitation_send_task
from tests import flows
from tests.helpers import in_days
from tests.unit.invitations import backends
from tests.unit.invitations.mailbox import read_outbox

Status = InvitationMessage.Status
CANDIDATE = "taro@candidate.example"


@pytest.fixture
def smtp(settings):
    """The mail server, told how to fail: ``smtp.script = [exception or None, ...]``, one per send."""
    settings.EMAIL_BACKEND = backends.PATH
    backends.ScriptedBackend.script = []
    backends.ScriptedBackend.timeouts = []
    yield backends.ScriptedBackend
    backends.ScriptedBackend.script = []


def alerts(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "herp.alerts"]


def candidate_row(schedule) -> InvitationMessage:
    return InvitationMessage.objects.filter(schedule=schedule, recipient_kind="candidate").latest("sequence")


def sweep_when_due(row: InvitationMessage) -> None:
    """Beat's sweeper, run once the row's retry is due."""
    with time_machine.travel(row.not_before + timedelta(seconds=1)):
        invitations_sweep()


def test_a_mail_server_that_is_down_is_tried_again_later_and_the_message_goes_out(
    company, connected, alice, zoom, smtp, django_capture_on_commit_callbacks
):
    smtp.script = [ConnectionRefusedError(111, "Connection refused")]
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    row = candidate_row(schedule)
    assert (row.status, row.attempts, row.failure) == (Status.QUEUED, 1, "server_unreachable")
    assert "Connection refused" in row.last_error
    wait = (row.not_before - timezone.now()).total_seconds()
    assert delivery.BACKOFF_BASE * 0.9 <= wait <= delivery.BACKOFF_BASE * 1.25
    assert [m.to for m in read_outbox(mail.outbox)] == [alice.email]

    with django_capture_on_commit_callbacks(execute=True):
        sweep_when_due(row)

    row.refresh_from_db()
    assert (row.status, row.failure, row.last_error) == (Status.SENT, "", "")
    assert sorted(m.to for m in read_outbox(mail.outbox)) == sorted([alice.email, CANDIDATE])


def test_the_mail_servers_timeout_is_the_configured_one(
    company, connected, alice, zoom, smtp, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_TIMEOUT = 7
    flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    assert set(smtp.timeouts) == {7}


def test_a_slow_server_that_times_out_is_a_retry_not_a_failure(
    company, connected, alice, zoom, smtp, django_capture_on_commit_callbacks
):
    smtp.script = [TimeoutError("timed out"), TimeoutError("timed out")]
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    assert {row.status for row in InvitationMessage.objects.filter(schedule=schedule)} == {Status.QUEUED}


def test_a_refused_address_fails_at_once_with_the_reason_and_operators_are_told_once(
    company, connected, alice, zoom, smtp, caplog, django_capture_on_commit_callbacks
):
    smtp.script = [smtplib.SMTPRecipientsRefused({CANDIDATE: (550, b"5.1.1 No such user")})]
    with caplog.at_level(logging.ERROR, logger="herp.alerts"):
        schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    row = candidate_row(schedule)
    assert (row.status, row.failure, row.attempts) == (Status.FAILED, "recipient_refused", 1)
    assert row.last_error == "550 5.1.1 No such user"
    [alert] = alerts(caplog)
    assert alert["event"] == "invitations.failed"
    assert alert["message_id"] == row.pk
    assert CANDIDATE not in json.dumps(alert)  # ids and the server's words only


def test_a_4xx_answer_is_tried_again_and_a_5xx_answer_is_not(
    company, connected, alice, zoom, smtp, django_capture_on_commit_callbacks
):
    smtp.script = [smtplib.SMTPDataError(451, b"4.3.0 Try again later"), None]
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    assert candidate_row(schedule).status == Status.QUEUED

    smtp.script = [smtplib.SMTPDataError(554, b"5.7.1 Message refused")] * 2
    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=in_days(12))
    assert candidate_row(schedule).status == Status.FAILED
    assert candidate_row(schedule).failure == "server_refused"


def test_a_server_down_through_every_attempt_ends_failed_with_one_alert(
    company, connected, alice, zoom, smtp, caplog, django_capture_on_commit_callbacks
):
    smtp.script = [OSError("Network is unreachable")] * (2 * delivery.MAX_ATTEMPTS + 2)
    with caplog.at_level(logging.ERROR, logger="herp.alerts"):
        schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
        row = candidate_row(schedule)
        while row.status == Status.QUEUED:
            with django_capture_on_commit_callbacks(execute=True):
                sweep_when_due(row)
            row.refresh_from_db()

    assert (row.status, row.attempts, row.failure) == (Status.FAILED, delivery.MAX_ATTEMPTS, "server_unreachable")
    assert "Network is unreachable" in row.last_error
    assert [a["message_id"] for a in alerts(caplog)].count(row.pk) == 1


def test_a_broker_outage_after_the_change_committed_loses_no_message(
    company, connected, alice, zoom, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(invitation_send_task, "delay", broker_down)
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    rows = list(InvitationMessage.objects.filter(schedule=schedule))
    assert len(rows) == 2
    assert {row.status for row in rows} == {Status.QUEUED}
    assert mail.outbox == []
    assert "the sweeper will" in caplog.text

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_sweep() == []  # not yet: a task may still be on its way
        with time_machine.travel(timezone.now() + delivery.STALE_AFTER + timedelta(seconds=1)):
            assert sorted(invitations_sweep()) == sorted(row.pk for row in rows)

    assert {row.status for row in InvitationMessage.objects.filter(schedule=schedule)} == {Status.SENT}
    assert len(mail.outbox) == 2


def test_a_message_whose_worker_died_mid_send_goes_out_again_as_the_very_same_event(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    row = candidate_row(schedule)
    [first] = [m for m in read_outbox(mail.outbox) if m.to == CANDIDATE]
    # What a worker killed after the server accepted the mail, and before it wrote "sent", leaves behind.
    InvitationMessage.objects.filter(pk=row.pk).update(
        status=Status.SENDING, sent_at=None, claim_token="dead-worker", claimed_until=timezone.now() + delivery.LEASE
    )
    assert invitations_sweep() == []  # its lease still holds

    later = timezone.now() + delivery.LEASE + timedelta(seconds=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert invitations_sweep() == [row.pk]

    [again] = [m for m in read_outbox(mail.outbox)[2:] if m.to == CANDIDATE]
    assert (again.uid, again.sequence, again.event["DTSTAMP"].to_ical()) == (
        first.uid,
        first.sequence,
        first.event["DTSTAMP"].to_ical(),
    )
    assert again.ics == first.ics
    assert InvitationMessage.objects.get(pk=row.pk).status == Status.SENT


def test_a_version_replaced_before_it_went_out_is_skipped_and_only_the_newest_is_sent(
    company, connected, alice, zoom, smtp, django_capture_on_commit_callbacks
):
    smtp.script = [OSError("down"), OSError("down")]
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    old = list(InvitationMessage.objects.filter(schedule=schedule))
    assert {row.status for row in old} == {Status.QUEUED}

    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=in_days(12))

    assert {row.status for row in InvitationMessage.objects.filter(pk__in=[r.pk for r in old])} == {Status.SUPERSEDED}
    received = read_outbox(mail.outbox)
    assert sorted(m.to for m in received) == sorted([alice.email, CANDIDATE])
    assert {m.sequence for m in received} == {1}
    assert {m.start for m in received} == {in_days(12)}
    # Its retry, when it comes, finds it replaced: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        for row in old:
            delivery.invitation_deliver(message_id=row.pk)
    assert len(mail.outbox) == 2


def test_an_old_version_left_by_a_dead_worker_is_not_sent_over_a_newer_one(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    old = candidate_row(schedule)
    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice], starts_at=in_days(12))
    sent_so_far = len(mail.outbox)
    InvitationMessage.objects.filter(pk=old.pk).update(status=Status.SENDING, claim_token="dead", claimed_until=None)

    result = delivery.invitation_deliver(message_id=old.pk)

    assert result.outcome == "superseded"
    assert InvitationMessage.objects.get(pk=old.pk).status == Status.SUPERSEDED
    assert len(mail.outbox) == sent_so_far


def test_a_second_task_for_a_message_being_sent_does_nothing(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    row = candidate_row(schedule)
    InvitationMessage.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claim_token="other", claimed_until=timezone.now() + delivery.LEASE
    )
    assert delivery.invitation_deliver(message_id=row.pk).outcome == "skipped"


def test_resend_sends_the_current_version_again_unchanged(
    company, connected, alice, zoom, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    [first] = [m for m in read_outbox(mail.outbox) if m.to == CANDIDATE]

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(schedule=schedule, recipient_key=f"candidate:{schedule.candidate_id}")

    [again] = [m for m in read_outbox(mail.outbox)[2:]]
    assert again.to == CANDIDATE
    assert again.ics == first.ics
    assert InvitationMessage.objects.filter(schedule=schedule).count() == 2


def test_the_sweeper_leaves_a_row_whose_retry_holds_its_lease(
    company, connected, alice, zoom, smtp, django_capture_on_commit_callbacks
):
    smtp.script = [OSError("down")]
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    row = candidate_row(schedule)
    # A broker retry is waiting: it keeps the lease past not_before.
    InvitationMessage.objects.filter(pk=row.pk).update(
        claim_token="retry", claimed_until=row.not_before + delivery.LEASE
    )

    with time_machine.travel(row.not_before + timedelta(seconds=1)):
        assert invitations_sweep() == []
