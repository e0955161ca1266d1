"""The reconcile: make Zoom match one meeting's desired revision (run by ``zoom.tasks``).

1. Claim the row's lease (``lease.Lease.claim``); a second task or a redelivery finds it taken (T19).
2. ``next_step`` picks create / update / delete from the row, and the step talks to Zoom with the host's
   own token (``integrations.tokens.call_with_token``):
   - create: look for our marker first when an earlier create may have reached Zoom (its answer may
     have been lost: T20, T28), and adopt what is found; otherwise POST. An error whose outcome is
     unknown (``ZoomError.outcome_unknown``: a timeout, any 5xx, an unreadable answer) keeps
     ``create_sent_at``, so the retry searches before creating again; only a documented refusal clears it.
   - update: PATCH, then GET to learn what Zoom applied. A PATCH whose answer was lost is not sent
     blindly again: the retry reads the meeting first and stores it when it already matches.
   - delete: DELETE (404 = already gone); a meeting whose create answer was lost is searched for first,
     or it stays an orphan (T24).
3. Loop while the desired revision moved meanwhile (a cancel while a create was in flight ends with the
   meeting deleted), then release the lease; a replacement that now exists sends the meetings it
   replaces to deletion (DESIGN.md section 3).

Failures never raise out of ``meeting_reconcile``; ``_settle`` maps the one error root to an outcome:
a person must act (failed / needs_attention, with a readable ``last_error`` and an operator alert), a
retry after a backoff (bounded by ``lease.MAX_ATTEMPTS``), or a wait until ``not_before`` (Zoom's daily
per-host limit: T22). Database blips (a lost connection) are the task's to retry (T33).
"""

from __future__ import annotations

import functools
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from herp.alerts import AlertEvent, alert
from integrations.tokens import call_with_token
from integrations.zoom_api import client
from integrations.zoom_api.client import MeetingCreateBody, MeetingUpdateBody, ZoomMeetingInfo
from integrations.zoom_api.errors import (
    GrantUnavailable,
    TokenError,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomRefused,
)
from integrations.zoom_api.http import next_utc_midnight
from zoom import signals
from zoom.meetings import bodies
from zoom.meetings.bodies import MeetingWarning
from zoom.meetings.desired import meeting_enqueue, request_delete_predecessors
from zoom.meetings.lease import MAX_ATTEMPTS, Lease, LeaseLost, new_claim_token
from zoom.models import ZoomMeeting

logger = logging.getLogger(__name__)

T = TypeVar("T")
B = TypeVar("B", MeetingCreateBody, MeetingUpdateBody)
Status = ZoomMeeting.Status
Failure = ZoomMeeting.Failure

BACKOFF_BASE = 15.0
BACKOFF_CAP = 15 * 60.0
# Passes of one claim: a change that arrives while we work is applied before the lease is released.
MAX_PASSES = 4
# Pages of the host's meeting list searched for our marker.
MAX_SEARCH_PAGES = 20


class Outcome(StrEnum):
    DONE = "done"  # Zoom matches (or the meeting is deleted)
    SKIPPED = "skipped"  # someone else holds the lease, or nothing is due
    RETRY = "retry"  # transient failure: the caller retries after ``retry_in`` with the same token
    DEFERRED = "deferred"  # waits until ``not_before`` (daily limit); the sweeper resumes it
    FAILED = "failed"  # failed or needs_attention: a person must act (Retry button, relink)


@dataclass(frozen=True)
class ReconcileResult:
    outcome: Outcome
    claim_token: str = ""
    retry_in: float | None = None


class LookupImpossible(Exception):
    """Zoom could not be searched for our marker, so we cannot know whether a meeting exists."""


# --- The run ------------------------------------------------------------------------------------------


def meeting_reconcile(*, meeting_id: int, claim_token: str | None = None) -> ReconcileResult:
    """Make Zoom match the meeting's desired revision. Zoom's and the grant's failures land in the
    row's state and the result tells the task whether to retry; database errors propagate (T33), and
    the task's retry carries ``claim_token`` so that it takes its own lease again."""
    lease = Lease.claim(meeting_id, claim_token or new_claim_token())
    if lease is None:
        return ReconcileResult(Outcome.SKIPPED)
    try:
        meeting = lease.load()
        if meeting.attempts > MAX_ATTEMPTS:
            return _give_up(lease, meeting)
        if not _same_company(meeting):
            # RELIABILITY T25: a meeting is only ever made with a grant of its own company. A mismatch
            # is a bug or tampering; nothing is sent to Zoom.
            logger.error("Zoom meeting %s names a host grant of another company; refusing it.", meeting_id)
            return _rest(lease, Status.FAILED, Failure.REJECTED, "The host's grant belongs to another company.")
        for _pass in range(MAX_PASSES):
            step = next_step(meeting)
            if step is None:
                if _release(lease, meeting):
                    return ReconcileResult(Outcome.DONE)
                # The desired meeting moved while we worked: read it again and follow (T24).
                meeting = lease.load()
                continue
            step(lease, meeting)
            if lease.finished:  # the step's store also released the row
                _after_release(meeting)
                return ReconcileResult(Outcome.DONE)
        lease.requeue()
        meeting_enqueue(meeting_id)
        return ReconcileResult(Outcome.DONE)
    except (OperationalError, InterfaceError):
        raise  # a database blip: the task retries it (T33)
    except Exception as exc:  # _settle decides; nothing of Zoom's escapes as an error
        return _settle(lease, exc)


def _settle(lease: Lease, exc: Exception) -> ReconcileResult:
    """One error root, one outcome each (errors.py says what each property means)."""
    match exc:
        case LeaseLost():
            logger.info("Lost the lease on Zoom meeting %s; another worker has it.", lease.meeting_id)
            return ReconcileResult(Outcome.SKIPPED)
        case LookupImpossible():
            return _rest(lease, Status.NEEDS_ATTENTION, Failure.LOOKUP_IMPOSSIBLE, str(exc))
        case GrantUnavailable():
            message = f"The host's Zoom authorization is gone ({exc}). It resumes when they link Zoom again."
            return _rest(lease, Status.FAILED, Failure.DISCONNECTED, message)
        case ZoomRateLimited(daily_limit=True):
            return _defer_daily_limit(lease, exc)
        case ZoomError(retryable=True):
            return _retry(lease, str(exc), min_wait=exc.retry_after)
        case ZoomError():
            return _rest(lease, Status.FAILED, Failure.REJECTED, str(exc))
        case _:
            # A bug or an unforeseen answer: retried like a transient failure, so the attempts cap ends
            # it in a readable failed state instead of a task that fails forever.
            logger.exception("Reconciling Zoom meeting %s failed unexpectedly.", lease.meeting_id, exc_info=exc)
            return _retry(lease, f"Unexpected error: {type(exc).__name__}: {exc}"[:500])


Step = Callable[[Lease, ZoomMeeting], None]


def next_step(meeting: ZoomMeeting) -> Step | None:
    """The decision table: what the row needs next, or None when Zoom matches."""
    if meeting.delete_requested:
        return None if meeting.synced_revision == meeting.revision and meeting.status == Status.DELETED else _delete
    if meeting.zoom_meeting_id is None:
        return _create
    if meeting.synced_revision < meeting.revision:
        return _update
    return None


def _same_company(meeting: ZoomMeeting) -> bool:
    """The host grants of the meeting and of the one it replaces belong to its company (both were
    loaded with the row)."""
    grants = [meeting.host_grant, meeting.replaces.host_grant if meeting.replaces else None]
    return all(grant.company_id == meeting.company_id for grant in grants if grant is not None)


def _call(meeting: ZoomMeeting, fn: Callable[[str], T]) -> T:
    if meeting.host_grant_id is None:
        raise GrantUnavailable("The meeting has no host grant.")
    return call_with_token(meeting.host_grant_id, fn, loaded=meeting.host_grant)


# --- Steps --------------------------------------------------------------------------------------------


def _create(lease: Lease, meeting: ZoomMeeting) -> None:
    if meeting.create_sent_at is not None:
        found = _find_by_marker(meeting)
        if found is not None:
            logger.info("Adopted Zoom meeting %s for row %s (found by marker).", found.id, meeting.pk)
            # The lost create may carry an older revision (the interview moved since): synced only
            # when it already matches, so that the next pass updates it otherwise.
            synced = not bodies.differences(meeting, found)
            _store(lease, meeting, found, warnings=bodies.override_warnings(found), synced=synced)
            return
    lease.creating()
    try:
        info, warnings = _send_with_fallbacks(
            bodies.create_body(meeting), lambda body: _call(meeting, lambda access: client.create_meeting(access, body))
        )
    except ZoomError as exc:
        if not exc.outcome_unknown:
            # Zoom refused in a way it documents, so it made nothing; the lookup above settled any
            # earlier attempt.
            lease.create_refused()
        raise
    _store(lease, meeting, info, warnings=warnings + bodies.override_warnings(info))


def _update(lease: Lease, meeting: ZoomMeeting) -> None:
    zoom_id = meeting.zoom_meeting_id
    assert zoom_id is not None  # next_step chose _update because it is set
    kept = [code for code in meeting.warnings if code == MeetingWarning.PASSCODE_SET_BY_ZOOM]
    try:
        if meeting.patch_sent_revision == meeting.revision:
            # This revision's PATCH left before and its answer never came back: read first (T28).
            current = _call(meeting, lambda access: client.get_meeting(access, zoom_id))
            if not bodies.differences(meeting, current):
                _store(lease, meeting, current, warnings=meeting.warnings + bodies.override_warnings(current))
                return
        lease.updating(meeting.revision)

        def patch(body: MeetingUpdateBody) -> None:
            _call(meeting, lambda access: client.update_meeting(access, zoom_id, body))

        _none, warnings = _send_with_fallbacks(bodies.update_body(meeting), patch)
        info = _call(meeting, lambda access: client.get_meeting(access, zoom_id))
    except ZoomNotFound:
        # Someone deleted it in Zoom: make it again (the next pass creates; the URL changes and says so).
        logger.info("Zoom meeting %s of row %s is gone at Zoom; creating it again.", zoom_id, meeting.pk)
        lease.store(zoom_meeting_id=None, create_sent_at=None, join_url_changed=bool(meeting.join_url))
        return
    _store(lease, meeting, info, warnings=kept + warnings + bodies.override_warnings(info))


def _delete(lease: Lease, meeting: ZoomMeeting) -> None:
    lease.deleting()
    zoom_id = meeting.zoom_meeting_id
    if zoom_id is None and meeting.create_sent_at is not None:
        # A create may have reached Zoom without our hearing of it: find it, or it stays an orphan (T24).
        found = _find_by_marker(meeting)
        zoom_id = found.id if found is not None else None
    if zoom_id is not None:
        try:
            _call(meeting, lambda access: client.delete_meeting(access, zoom_id))
        except ZoomNotFound:
            logger.info("Zoom meeting %s of row %s was already gone.", zoom_id, meeting.pk)
    with transaction.atomic():
        lease.store(status=Status.DELETED, synced_revision=meeting.revision, zoom_meeting_id=zoom_id)
        signals.meeting_synced.send(ZoomMeeting, meeting_id=meeting.pk, company_id=meeting.company_id)


def _find_by_marker(meeting: ZoomMeeting) -> ZoomMeetingInfo | None:
    """Our meeting at Zoom, found by the marker in its agenda, or None when Zoom has none.

    Transient failures (5xx, 429) propagate and are retried; a search Zoom refuses for good raises
    LookupImpossible: without it we cannot tell whether creating would make a second meeting.
    """
    wanted = bodies.marker(meeting)
    page_token = ""
    try:
        for _page in range(MAX_SEARCH_PAGES):
            page = _call(meeting, functools.partial(_list_page, page_token=page_token))
            for item in page.meetings:
                if wanted in item.agenda:
                    return _call(meeting, functools.partial(_get_meeting, zoom_id=item.id))
            if not page.next_page_token:
                return None
            page_token = page.next_page_token
    except ZoomError as exc:
        if exc.retryable or isinstance(exc, TokenError):
            raise
        raise LookupImpossible(
            f"An earlier create request may have made this meeting, and Zoom could not be searched for it ({exc})."
        ) from None
    raise LookupImpossible("Zoom listed too many meetings to search for this one.")


def _list_page(access: str, *, page_token: str) -> client.ZoomMeetingPage:
    return client.list_meetings(access, page_token=page_token)


def _get_meeting(access: str, *, zoom_id: int) -> ZoomMeetingInfo:
    return client.get_meeting(access, zoom_id)


def _send_with_fallbacks(body: B, send: Callable[[B], T]) -> tuple[T, list[str]]:
    """Send, and when Zoom refuses our passcode or the alternative hosts, send once more without
    them: the meeting matters more than either. Each fallback is recorded as a warning."""
    warnings: list[str] = []
    for _try in range(3):
        try:
            return send(body), warnings
        except ZoomRefused as exc:
            if "password" in body and _passcode_rejected(exc):
                # Only create bodies carry a passcode, so this body is one.
                replaced: Any = bodies.without_passcode(cast(Any, body))
                body = replaced
                warnings.append(MeetingWarning.PASSCODE_SET_BY_ZOOM)
                continue
            if body["settings"].get("alternative_hosts") and _alternative_hosts_rejected(exc):
                body = {**body, "settings": {**body["settings"], "alternative_hosts": ""}}
                warnings.append(MeetingWarning.ALTERNATIVE_HOSTS_REJECTED)
                continue
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _passcode_rejected(exc: ZoomError) -> bool:
    # Zoom answers 400 code 300 with a message about the password (zoom/NOTES.md section 5).
    return exc.code == 300 and re.search(r"pass(word|code)", exc.message, re.I) is not None


def _alternative_hosts_rejected(exc: ZoomError) -> bool:
    return re.search(r"alternative[ _]?host", exc.message, re.I) is not None


def _store(
    lease: Lease, meeting: ZoomMeeting, info: ZoomMeetingInfo, *, warnings: list[str], synced: bool = True
) -> None:
    """What Zoom returned (never the start URL), as of the revision this pass worked on. When that
    leaves nothing to do, the same statement rests the row and releases the lease. In the same
    transaction, ``meeting_synced`` lets higher layers act on a new URL or time (their rows commit or
    roll back with ours)."""
    changed = bool(meeting.join_url) and info.join_url != meeting.join_url
    values = {
        "zoom_meeting_id": info.id,
        "join_url": info.join_url[:1000],
        "passcode": info.password[:32],
        "effective_settings": bodies.effective_settings(info),
        "warnings": list(dict.fromkeys(str(code) for code in warnings)),
        "join_url_changed": changed or meeting.join_url_changed,
        "synced_revision": meeting.revision if synced else meeting.synced_revision,
        "last_error": "",
    }
    with transaction.atomic():
        final = synced and not meeting.delete_requested
        if not (final and lease.store_and_finish(revision=meeting.revision, **values)):
            lease.store(**values)
        signals.meeting_synced.send(ZoomMeeting, meeting_id=meeting.pk, company_id=meeting.company_id)


# --- Endings ------------------------------------------------------------------------------------------


def _release(lease: Lease, meeting: ZoomMeeting) -> bool:
    """Zoom matches this revision: rest in created/deleted and release the lease, unless the desired
    meeting moved meanwhile (False: the caller reads it again). A replacement that now exists sends the
    meetings it replaces to deletion (DESIGN.md section 3)."""
    if not lease.finish(deleted=meeting.delete_requested, revision=meeting.revision):
        return False
    _after_release(meeting)
    return True


def _after_release(meeting: ZoomMeeting) -> None:
    if meeting.replaces_id is not None and not meeting.delete_requested:
        with transaction.atomic():
            request_delete_predecessors(ZoomMeeting.objects.select_for_update().get(pk=meeting.pk))


def _rest(lease: Lease, status: str, failure: str, message: str) -> ReconcileResult:
    """A person must act: failed or needs_attention, with a readable error, the lease released."""
    try:
        lease.rest(status=status, failure=failure, message=message)
    except LeaseLost:
        return ReconcileResult(Outcome.SKIPPED)
    if failure != Failure.DISCONNECTED:
        # Disconnection already raised its own alert (the grant's); this one is about the meeting.
        company_id = ZoomMeeting.objects.filter(pk=lease.meeting_id).values_list("company_id", flat=True).first()
        alert(
            AlertEvent.ZOOM_MEETING_FAILED,
            "A Zoom meeting could not be made to match its schedule.",
            meeting_id=lease.meeting_id,
            company_id=company_id,
            status=status,
            failure=failure,
            error=message[:300],
        )
    return ReconcileResult(Outcome.FAILED)


def _give_up(lease: Lease, meeting: ZoomMeeting) -> ReconcileResult:
    previous = meeting.last_error or "the worker stopped before finishing"
    message = f"Gave up after {MAX_ATTEMPTS} attempts. Last error: {previous}"
    if meeting.create_sent_at is not None and meeting.zoom_meeting_id is None:
        # The last create may have reached Zoom: look once more, so that giving up never leaves a
        # meeting nobody knows of; when Zoom cannot be searched, a person must check first.
        try:
            found = _find_by_marker(meeting)
        except (ZoomError, LookupImpossible):
            return _rest(lease, Status.NEEDS_ATTENTION, Failure.LOOKUP_IMPOSSIBLE, message)
        if found is not None:
            synced = not bodies.differences(meeting, found)
            _store(lease, meeting, found, warnings=bodies.override_warnings(found), synced=synced)
            if lease.finished:
                _after_release(meeting)
                return ReconcileResult(Outcome.DONE)
            lease.requeue()  # adopted, but not as the interview says now: a fresh run updates it
            meeting_enqueue(meeting.pk)
            return ReconcileResult(Outcome.DONE)
        lease.create_refused()
    return _rest(lease, Status.FAILED, Failure.GAVE_UP, message)


def max_countdown() -> float:
    """The longest a retry may wait in the broker: Redis redelivers unacknowledged messages after its
    visibility timeout, so a longer countdown would run twice. Longer waits become ``not_before``."""
    visibility = float(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600))
    return min(BACKOFF_CAP, visibility / 2)


def backoff(attempt: int, *, min_wait: float | None = None) -> float:
    """Exponential from BACKOFF_BASE, capped, with up to 20% jitter so retries of many rows spread out."""
    delay = min(BACKOFF_BASE * 2 ** max(attempt - 1, 0), BACKOFF_CAP)
    if min_wait is not None:
        delay = max(delay, min_wait)
    jittered: float = delay * (1 + random.uniform(0, 0.2))  # noqa: S311  (jitter, not security)
    return jittered


def _retry(lease: Lease, message: str, *, min_wait: float | None = None) -> ReconcileResult:
    try:
        meeting = lease.load()
        if meeting.attempts >= MAX_ATTEMPTS:
            lease.write(last_error=message[:1000])
            meeting.last_error = message
            return _give_up(lease, meeting)
        delay = backoff(meeting.attempts, min_wait=min_wait)
        if delay > max_countdown():
            return _defer(lease, timezone.now() + timedelta(seconds=delay), message)
        lease.hold(retry_in=delay, message=message)
    except LeaseLost:
        return ReconcileResult(Outcome.SKIPPED)
    return ReconcileResult(Outcome.RETRY, claim_token=lease.token, retry_in=delay)


def _defer_daily_limit(lease: Lease, exc: ZoomRateLimited) -> ReconcileResult:
    until = exc.retry_at or next_utc_midnight(timezone.now())
    # Waiting for the daily limit is no failed attempt.
    ZoomMeeting.objects.filter(pk=lease.meeting_id, claim_token=lease.token, attempts__gt=0).update(
        attempts=F("attempts") - 1
    )
    message = f"Zoom's daily limit of meeting changes for this host is reached; resumes at {until:%Y-%m-%d %H:%M} UTC."
    return _defer(lease, until, message)


def _defer(lease: Lease, until: datetime, message: str) -> ReconcileResult:
    try:
        lease.defer(until=until, message=message)
    except LeaseLost:
        return ReconcileResult(Outcome.SKIPPED)
    return ReconcileResult(Outcome.DEFERRED)


def meeting_defer(*, meeting_id: int, claim_token: str, seconds: float) -> bool:
    """The task cannot retry itself (eager mode, or out of broker retries): leave the row to the
    sweeper at ``now + seconds``. Returns False when the lease was lost meanwhile."""
    message = ZoomMeeting.objects.filter(pk=meeting_id).values_list("last_error", flat=True).first() or ""
    result = _defer(Lease(meeting_id, claim_token), timezone.now() + timedelta(seconds=seconds), message)
    return result.outcome == Outcome.DEFERRED
