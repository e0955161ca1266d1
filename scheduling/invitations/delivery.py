"""Delivery of invitation messages: a message is never lost, and sent twice only after a crash.

1. ``invitation_enqueue`` queues the send task once the writing transaction commits; a broker outage
   leaves the row queued, and ``invitations_sweep`` (beat, every minute) queues it again (T34).
2. ``invitation_deliver`` claims the row with a conditional UPDATE and a lease (a redelivery or a
   second task finds it taken and stops), skips it when a newer version for the same person exists
   (that one says everything), renders it from the facts stored on the row and sends it over SMTP.
3. SMTP down, slow or answering 4xx: bounded retries with exponential backoff, the lease kept through
   the wait. A 5xx refusal (an address that does not exist) or the last attempt: ``failed``, with a
   reason code and the server's words for the schedule's page, and one alert on ``herp.alerts``
   (a mail to ADMINS would likely fail the same way, so the log line is what operators watch).

A worker killed between the SMTP server's acceptance and our write of ``sent`` leaves the row
``sending``; its lease runs out, the sweeper re-queues it, and the person gets the same version again:
the same UID, SEQUENCE and DTSTAMP, which calendars merge into the event they hold.
"""

from __future__ import annotations

import logging
import random
import smtplib
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from herp.alerts import AlertEvent, alert
from scheduling.invitations import ics
from scheduling.invitations.models import Invitation, InvitationMessage
from scheduling.invitations.render import mail_for

logger = logging.getLogger(__name__)

Status = InvitationMessage.Status
Failure = InvitationMessage.Failure

# Longer than a send can take (the task's hard time limit is 90 s), so nobody takes a row that is
# still being sent; a killed worker's lease runs out and the sweeper re-queues the row.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
BACKOFF_BASE = 60.0  # 1, 2, 4, 8, 15 minutes: a mail server that is down for half an hour loses nothing
BACKOFF_CAP = 15 * 60.0
# A queued row untouched this long lost its task (broker outage, crash between commit and publish).
STALE_AFTER = timedelta(minutes=2)


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # someone else holds it, or it is not due
    SUPERSEDED = "superseded"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    claim_token: str = ""
    retry_in: float | None = None


class _LeaseLost(Exception):
    pass


def invitation_enqueue(message_id: int) -> None:
    """Queue the send once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _publish(message_id), robust=True)


def _publish(message_id: int) -> None:
    from scheduling.invitations.tasks import invitation_send_task

    try:
        invitation_send_task.delay(message_id)
    except Exception:  # a broker outage must not fail the change: the sweeper queues the row again
        logger.warning("Could not queue invitation message %s; the sweeper will.", message_id, exc_info=True)


def invitation_deliver(*, message_id: int, claim_token: str | None = None) -> DeliveryResult:
    """Send one message. Never raises for the mail server's failures: they land in the row."""
    token = claim_token or uuid.uuid4().hex
    if not _claim(message_id, token):
        return DeliveryResult(Outcome.SKIPPED)
    message = InvitationMessage.objects.select_related("schedule__created_by").get(pk=message_id)
    newer = InvitationMessage.objects.filter(
        schedule_id=message.schedule_id, recipient_key=message.recipient_key, sequence__gt=message.sequence
    ).exists()
    try:
        if newer:
            _write(message_id, token, status=Status.SUPERSEDED, claimed_until=None, claim_token="")
            return DeliveryResult(Outcome.SUPERSEDED)
        if message.attempts > MAX_ATTEMPTS:
            return _fail(message, token, message.failure or Failure.UNEXPECTED, message.last_error or "Gave up.")
        try:
            _send(message)
        except Exception as exc:
            failure, detail, permanent = classify(exc)
            if failure == Failure.UNEXPECTED:
                logger.exception("Sending invitation message %s failed unexpectedly.", message_id)
            if permanent:
                return _fail(message, token, failure, detail)
            return _retry(message, token, failure, detail)
        _write(
            message_id,
            token,
            status=Status.SENT,
            sent_at=timezone.now(),
            failure="",
            last_error="",
            not_before=None,
            claimed_until=None,
            claim_token="",
        )
        return DeliveryResult(Outcome.SENT)
    except _LeaseLost:
        logger.info("Lost the lease on invitation message %s; another worker has it.", message_id)
        return DeliveryResult(Outcome.SKIPPED)


def _send(message: InvitationMessage) -> None:
    invitation_uid = Invitation.objects.filter(schedule_id=message.schedule_id).values_list("uid", flat=True).get()
    creator = message.schedule.created_by
    # Replies reach a person: not the creator once they left (deactivated), whose mailbox may be closed.
    here = creator is not None and creator.is_active and creator.email
    reply_to = formataddr((creator.display_name, creator.email)) if here and creator is not None else ""
    mail = mail_for(message, uid=ics.event_uid(invitation_uid), reply_to=reply_to)
    # A connection of its own with the configured timeout (EMAIL_TIMEOUT): a slow server costs a retry,
    # not a worker.
    with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
        mail.connection = connection
        mail.send()


def classify(exc: BaseException) -> tuple[str, str, bool]:
    """(failure code, the server's words, permanent?). 5xx is permanent (RFC 5321 section 4.2.1);
    4xx, timeouts, refused and dropped connections are worth another try."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()), (0, b""))
        detail = f"{code} {_decoded(text)}".strip()
        return Failure.RECIPIENT_REFUSED, detail, 500 <= code < 600
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Our credentials: operators must fix them, and retries lose nothing meanwhile.
        return Failure.SERVER_REFUSED, f"{exc.smtp_code} {_decoded(exc.smtp_error)}", False
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return Failure.SERVER_REFUSED, f"{code} {_decoded(exc.smtp_error)}", 500 <= code < 600
    if isinstance(exc, (smtplib.SMTPException, socket.timeout, OSError)):
        return Failure.SERVER_UNREACHABLE, f"{type(exc).__name__}: {exc}"[:500], False
    return Failure.UNEXPECTED, f"{type(exc).__name__}: {exc}"[:500], False


def _decoded(text: Any) -> str:
    return text.decode(errors="replace") if isinstance(text, bytes) else str(text)


def _claim(message_id: int, token: str) -> bool:
    now = timezone.now()
    claimed = (
        InvitationMessage.objects.filter(pk=message_id, status__in=(Status.QUEUED, Status.SENDING))
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claim_token=token))
        .update(
            status=Status.SENDING,
            claimed_until=now + LEASE,
            claim_token=token,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return claimed == 1


def _write(message_id: int, token: str, **values: Any) -> None:
    updated = InvitationMessage.objects.filter(pk=message_id, claim_token=token).update(
        updated_at=timezone.now(), **values
    )
    if updated != 1:
        raise _LeaseLost


def backoff(attempt: int) -> float:
    delay = min(BACKOFF_BASE * 2 ** max(attempt - 1, 0), BACKOFF_CAP)
    jittered: float = delay * (1 + random.uniform(0, 0.2))  # noqa: S311  (jitter, not security)
    return jittered


def _retry(message: InvitationMessage, token: str, failure: str, detail: str) -> DeliveryResult:
    if message.attempts >= MAX_ATTEMPTS:
        return _fail(message, token, failure, detail)
    delay = backoff(message.attempts)
    now = timezone.now()
    # Keep the lease through the wait, so the sweeper leaves the row to our retry; if the retry is
    # lost, the lease runs out and the sweeper takes over at ``not_before``.
    _write(
        message.pk,
        token,
        status=Status.QUEUED,
        failure=failure,
        last_error=detail[:1000],
        not_before=now + timedelta(seconds=delay),
        claimed_until=now + timedelta(seconds=delay) + LEASE,
    )
    logger.info("Invitation message %s: %s; retrying in %.0f s.", message.pk, failure, delay)
    return DeliveryResult(Outcome.RETRY, claim_token=token, retry_in=delay)


def _fail(message: InvitationMessage, token: str, failure: str, detail: str) -> DeliveryResult:
    _write(
        message.pk,
        token,
        status=Status.FAILED,
        failure=failure,
        last_error=detail[:1000],
        not_before=None,
        claimed_until=None,
        claim_token="",
    )
    # Ids and the server's words only: never the recipient's address or the mail's content.
    alert(
        AlertEvent.INVITATION_FAILED,
        "An invitation e-mail could not be sent.",
        message_id=message.pk,
        schedule_id=message.schedule_id,
        company_id=message.company_id,
        failure=failure,
        attempts=message.attempts,
        error=detail[:300],
    )
    return DeliveryResult(Outcome.FAILED)


def invitation_release(*, message_id: int, claim_token: str) -> bool:
    """The task cannot wait for its own retry (eager mode, or out of broker retries): leave the row to
    the sweeper at its ``not_before``. Returns False when the lease was lost meanwhile."""
    try:
        _write(message_id, claim_token, claimed_until=None, claim_token="")
    except _LeaseLost:
        return False
    return True


def invitations_sweep(
    *, now: datetime | None = None, stale_after: timedelta = STALE_AFTER, limit: int = 500
) -> list[int]:
    """Queue again what lost its task: queued rows past ``not_before`` or untouched for ``stale_after``
    (a broker outage, a crash between commit and publish), and rows whose lease ran out (a killed
    worker). Each row is stamped when queued, so the next sweep leaves it to that task for a while."""
    now = now or timezone.now()
    due = (
        InvitationMessage.objects.filter(status__in=(Status.QUEUED, Status.SENDING))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(not_before__lte=now) | Q(not_before__isnull=True, updated_at__lt=now - stale_after))
        .order_by("updated_at")
        .values_list("pk", "updated_at")[:limit]
    )
    queued = []
    for message_id, updated_at in list(due):
        stamped = InvitationMessage.objects.filter(pk=message_id, updated_at=updated_at).update(
            updated_at=now, not_before=None
        )
        if stamped:
            invitation_enqueue(message_id)
            queued.append(message_id)
    if queued:
        logger.info("Sweeper re-queued %d invitation message(s).", len(queued))
    return queued
