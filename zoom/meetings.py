"""Zoom meetings: what scheduling wants (the desired meeting) and the reconcile that makes Zoom match.

Desired side (called by ``scheduling`` inside its own transaction): ``meeting_create``,
``meeting_change``, ``meeting_request_delete``, ``meeting_retry``. Each bumps ``revision`` and queues the
reconcile task with ``transaction.on_commit``, so a rolled-back schedule queues nothing (T23).

Reconcile (``meeting_reconcile``, run by ``zoom.tasks.meeting_reconcile_task``):

1. Claim the row's lease with a conditional UPDATE (``claimed_until`` plus a fresh ``claim_token``). A
   second task or a redelivery finds it taken and stops (T19); the task's own retries carry the token.
   Every later write is conditional on the token, so a worker that lost its lease writes nothing.
2. Compare desired and actual, and create / update (PATCH, then GET to read what Zoom applied) /
   delete (404 = already gone), with the host's own token (``integrations.tokens.call_with_token``).
   Before creating — and before forgetting a meeting that was asked to be deleted — look for our
   marker at Zoom when an earlier create request may have reached it: its answer may have been lost
   (T20). When that lookup is impossible the row needs attention instead of a blind re-create.
3. Loop while the desired revision moved meanwhile (a cancel while a create was in flight ends with the
   meeting deleted: T24), then release the lease.

Failures stay visible and bounded: ``attempts`` counts claims, and after ``MAX_ATTEMPTS`` the row is
``failed`` with a readable ``last_error`` and an operator alert. Zoom's daily per-host limit sets
``not_before`` instead of holding a worker (T22); ``meetings_sweep`` re-queues what is due.
"""

from __future__ import annotations

import logging
import random
import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from herp.alerts import AlertEvent, alert
from herp.models import Company
from integrations.models import ZoomGrant
from integrations.tokens import (
    GrantUnavailable,
    TokenError,
    TokenRefreshRetryable,
    ZoomClientRejected,
    call_with_token,
)
from zoom import client
from zoom.client import ZoomError, ZoomMeetingInfo, ZoomNotFound, ZoomRateLimited
from zoom.models import ZoomMeeting
from zoom.signals import meeting_synced

logger = logging.getLogger(__name__)

T = TypeVar("T")
Status = ZoomMeeting.Status
Failure = ZoomMeeting.Failure

# The lease outlives the longest run of a task (CELERY_TASK_TIME_LIMIT kills it at 90 s), so nobody takes
# a row its holder is still working on; a crashed worker's lease runs out and the sweeper re-queues it.
LEASE = timedelta(minutes=5)
# Claims of one desired state before it is given up (a poison task that kills its worker counts too:
# the counter is bumped when the lease is taken, before any work).
MAX_ATTEMPTS = 5
BACKOFF_BASE = 15.0
BACKOFF_CAP = 15 * 60.0
# Passes of one claim: a change that arrives while we work is applied before the lease is released.
MAX_PASSES = 4
# A pending row untouched this long lost its task (broker outage, crash between commit and publish).
STALE_AFTER = timedelta(minutes=2)

# Our marker in the agenda: finds the meeting again after a lost answer. Old and new meetings of one
# schedule carry different uuids.
MARKER_PREFIX = "herp-meeting:"
PASSCODE_LENGTH = 10  # Zoom's maximum
# Answers after which a create may still have happened (a gateway gave up waiting for Zoom); a
# timeout or a broken connection has no status at all.
UNKNOWN_OUTCOME_STATUSES = (502, 504)


class MeetingWarning(StrEnum):
    """Where Zoom did not do what we asked. Each has a remedy on the schedule's page (DESIGN.md 1.4)."""

    WAITING_ROOM_ON = "waiting_room_on"
    JOIN_BEFORE_HOST_OFF = "join_before_host_off"
    PASSCODE_NOT_EMBEDDED = "passcode_not_embedded"
    ALTERNATIVE_HOSTS_REJECTED = "alternative_hosts_rejected"
    PASSCODE_SET_BY_ZOOM = "passcode_set_by_zoom"


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


@dataclass(frozen=True)
class MeetingSpec:
    """What scheduling wants the meeting to be. Host fields come from the host rule."""

    topic: str
    start_time: datetime
    duration: int
    timezone: str
    host_zoom_user_id: str
    host_email: str
    host_grant_id: int | None
    host_link_id: int | None = None
    host_user_id: int | None = None
    alternative_hosts: tuple[str, ...] = ()


# --- The desired meeting ----------------------------------------------------------------------------


def meeting_create(*, company: Company, spec: MeetingSpec, replaces: ZoomMeeting | None = None) -> ZoomMeeting:
    """A new desired meeting, queued for creation once the caller's transaction commits."""
    meeting = ZoomMeeting(company=company, replaces=replaces)
    _apply_spec(meeting, spec)
    meeting.save()
    meeting_enqueue(meeting.pk)
    return meeting


def meeting_same_host(meeting: ZoomMeeting, spec: MeetingSpec) -> bool:
    return meeting.host_zoom_user_id == spec.host_zoom_user_id and meeting.host_grant_id == spec.host_grant_id


def meeting_may_exist_at_zoom(meeting: ZoomMeeting) -> bool:
    """True once a create may have reached Zoom (or a worker holds the row and may be sending one)."""
    leased = meeting.claimed_until is not None and meeting.claimed_until > timezone.now()
    return meeting.zoom_meeting_id is not None or meeting.create_sent_at is not None or leased


def meeting_change(*, meeting: ZoomMeeting, spec: MeetingSpec) -> ZoomMeeting:
    """The desired meeting changed (time, topic, alternative hosts, or the host of a meeting that does
    not exist at Zoom yet). A new revision is queued; nothing happens when nothing changed.

    The caller holds no lease: a worker may be creating this very meeting. It finds the new revision
    when it finishes and applies it before releasing its lease.
    """
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.delete_requested:
            raise ValueError("A meeting asked to be deleted cannot change; create a new one.")
        if not meeting_same_host(meeting, spec) and meeting_may_exist_at_zoom(meeting):
            raise ValueError("The host of a meeting that may exist at Zoom cannot change; replace it.")
        before = _desired(meeting)
        _apply_spec(meeting, spec)
        if _desired(meeting) == before:
            return meeting
        _bump(meeting)
        meeting.save()
        meeting_enqueue(meeting.pk)
    return meeting


def meeting_request_delete(*, meeting: ZoomMeeting) -> bool:
    """Ask for the meeting's deletion at Zoom (cancelled, or no longer a Zoom interview). Its
    predecessors that are still alive go too. Returns False when it was already asked."""
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().get(pk=meeting.pk)
        chain_asked = _request_delete_predecessors(meeting)
        if meeting.delete_requested or meeting.status == Status.DELETED:
            return chain_asked
        meeting.delete_requested = True
        _bump(meeting)
        meeting.save()
        meeting_enqueue(meeting.pk)
    return True


def _request_delete_predecessors(meeting: ZoomMeeting) -> bool:
    asked = False
    seen = {meeting.pk}
    previous_id = meeting.replaces_id
    while previous_id is not None and previous_id not in seen:
        seen.add(previous_id)
        previous = ZoomMeeting.objects.select_for_update().filter(pk=previous_id).first()
        if previous is None:
            break
        if not previous.delete_requested and previous.status != Status.DELETED:
            previous.delete_requested = True
            _bump(previous)
            previous.save()
            meeting_enqueue(previous.pk)
            asked = True
        previous_id = previous.replaces_id
    return asked


def meeting_retry(*, meeting: ZoomMeeting) -> bool:
    """The Retry / "Send to Zoom again" button: a failed or stuck meeting is tried again from a fresh count. After
    "needs attention" because Zoom could not be searched, the person has checked Zoom, so a new create
    is allowed. Returns False when the meeting was not in a state to retry."""
    with transaction.atomic():
        meeting = ZoomMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.delete_requested and meeting.status == Status.DELETED:
            return False
        if meeting.status not in (Status.FAILED, Status.NEEDS_ATTENTION, Status.PENDING, Status.CREATED):
            return False
        if meeting.failure == Failure.LOOKUP_IMPOSSIBLE and meeting.zoom_meeting_id is None:
            meeting.create_sent_at = None
        # A created meeting is sent again as a new revision (after someone fixed a Zoom setting that
        # overrode ours, the PATCH and re-read tell whether it holds now).
        _bump(meeting, revision=meeting.status == Status.CREATED)
        meeting.not_before = None
        meeting.save()
        meeting_enqueue(meeting.pk)
    return True


def meeting_start_url(*, meeting: ZoomMeeting) -> str:
    """A fresh start URL from Zoom (valid about 2 hours): fetched when the host presses Start, never
    stored. Raises ZoomError or TokenError when Zoom cannot give one."""
    if meeting.zoom_meeting_id is None or meeting.host_grant_id is None or meeting.is_gone:
        raise ZoomNotFound("This meeting does not exist in Zoom.", status=404)
    zoom_id = meeting.zoom_meeting_id
    info = call_with_token(meeting.host_grant_id, lambda token: client.get_meeting(token, zoom_id))
    if not info.start_url:
        raise ZoomError("Zoom gave no start URL for this meeting.", status=200)
    return info.start_url


def meeting_enqueue(meeting_id: int) -> None:
    """Queue the reconcile once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(meeting_id), robust=True)


def _send(meeting_id: int) -> None:
    from zoom.tasks import meeting_reconcile_task

    try:
        meeting_reconcile_task.delay(meeting_id)
    except Exception:  # a broker outage must not fail the request: the sweeper re-queues the row
        logger.warning("Could not queue the reconcile of Zoom meeting %s; the sweeper will.", meeting_id, exc_info=True)


def _apply_spec(meeting: ZoomMeeting, spec: MeetingSpec) -> None:
    meeting.topic = spec.topic[:200]
    meeting.start_time = spec.start_time
    meeting.duration = spec.duration
    meeting.timezone = spec.timezone
    meeting.host_id = spec.host_link_id
    meeting.host_user_id = spec.host_user_id
    meeting.host_zoom_user_id = spec.host_zoom_user_id
    meeting.host_email = spec.host_email
    meeting.host_grant_id = spec.host_grant_id
    meeting.alternative_hosts = list(spec.alternative_hosts)


def _desired(meeting: ZoomMeeting) -> tuple[Any, ...]:
    return (
        meeting.topic,
        meeting.start_time,
        meeting.duration,
        meeting.timezone,
        meeting.host_id,
        meeting.host_user_id,
        meeting.host_zoom_user_id,
        meeting.host_email,
        meeting.host_grant_id,
        list(meeting.alternative_hosts),
    )


def _bump(meeting: ZoomMeeting, *, revision: bool = True) -> None:
    """A new desired state: a fresh count of attempts, and back to work if the row was resting (a
    row being worked on keeps its status: its worker sees the new revision before releasing)."""
    if revision:
        meeting.revision += 1
    if meeting.status in ZoomMeeting.RESTING:
        meeting.status = Status.PENDING
    meeting.attempts = 0
    meeting.failure = Failure.NONE
    meeting.last_error = ""
    # Try the new state now: a backoff wait was about the old one, and if Zoom's daily limit still
    # holds, its 429 defers the row again (a delete is not even subject to it).
    meeting.not_before = None
    meeting.updated_at = timezone.now()


# --- Reconcile --------------------------------------------------------------------------------------


class _LeaseLost(Exception):
    """Our lease expired and another worker holds the row: stop without writing."""


class LookupImpossible(Exception):
    """Zoom could not be searched for our marker, so we cannot know whether a meeting exists."""


def meeting_reconcile(*, meeting_id: int, claim_token: str | None = None) -> ReconcileResult:
    """Make Zoom match the meeting's desired revision. Never raises for Zoom's or the grant's failures:
    they land in the row's state, and the result tells the task whether to retry."""
    token = claim_token or uuid.uuid4().hex
    if not _claim(meeting_id, token):
        return ReconcileResult(Outcome.SKIPPED)
    meeting = ZoomMeeting.objects.get(pk=meeting_id)
    if meeting.attempts > MAX_ATTEMPTS:
        return _give_up(meeting, token)
    if not _same_company(meeting):
        # RELIABILITY T25: a meeting is only ever made with a grant of its own company. A mismatch is a
        # bug or tampering; nothing is sent to Zoom.
        logger.error("Zoom meeting %s names a host grant of another company; refusing it.", meeting_id)
        return _rest(meeting_id, token, Status.FAILED, Failure.REJECTED, "The host's grant belongs to another company.")
    try:
        for _pass in range(MAX_PASSES):
            meeting = _reload(meeting_id, token)
            step = _next_step(meeting)
            if step is None:
                break
            step(meeting, token)
        return _release(meeting_id, token)
    except _LeaseLost:
        logger.info("Lost the lease on Zoom meeting %s; another worker has it.", meeting_id)
        return ReconcileResult(Outcome.SKIPPED)
    except LookupImpossible as exc:
        return _rest(meeting_id, token, Status.NEEDS_ATTENTION, Failure.LOOKUP_IMPOSSIBLE, str(exc))
    except GrantUnavailable as exc:
        return _rest(
            meeting_id,
            token,
            Status.FAILED,
            Failure.DISCONNECTED,
            f"The host's Zoom authorization is gone ({exc}). It resumes when they link Zoom again.",
        )
    except (TokenRefreshRetryable, ZoomClientRejected) as exc:
        return _retry(meeting_id, token, str(exc), min_wait=getattr(exc, "retry_after", None))
    except ZoomRateLimited as exc:
        if exc.daily_limit:
            return _defer(meeting_id, token, exc)
        return _retry(meeting_id, token, str(exc), min_wait=exc.retry_after)
    except ZoomError as exc:
        if exc.retryable:
            return _retry(meeting_id, token, str(exc))
        return _rest(meeting_id, token, Status.FAILED, Failure.REJECTED, str(exc))
    except TokenError as exc:
        return _rest(meeting_id, token, Status.FAILED, Failure.REJECTED, str(exc))
    except Exception as exc:
        # A bug or an unforeseen answer: retried like a transient failure, so the attempts cap ends
        # it in a readable failed state instead of a task that fails forever.
        logger.exception("Reconciling Zoom meeting %s failed unexpectedly.", meeting_id)
        return _retry(meeting_id, token, f"Unexpected error: {type(exc).__name__}: {exc}"[:500])


def _same_company(meeting: ZoomMeeting) -> bool:
    grants = [meeting.host_grant_id] if meeting.host_grant_id else []
    if meeting.replaces_id:
        grants += list(ZoomMeeting.objects.filter(pk=meeting.replaces_id).values_list("host_grant_id", flat=True))
    companies = set(ZoomGrant.objects.filter(pk__in=[g for g in grants if g]).values_list("company_id", flat=True))
    return companies <= {meeting.company_id}


def _claim(meeting_id: int, token: str) -> bool:
    now = timezone.now()
    claimed = (
        ZoomMeeting.objects.filter(pk=meeting_id, status__in=ZoomMeeting.WORKABLE)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claim_token=token))
        .update(claimed_until=now + LEASE, claim_token=token, attempts=F("attempts") + 1, updated_at=now)
    )
    return claimed == 1


def _reload(meeting_id: int, token: str) -> ZoomMeeting:
    meeting = ZoomMeeting.objects.select_related("replaces").get(pk=meeting_id)
    if meeting.claim_token != token:
        raise _LeaseLost
    return meeting


def _write(meeting_id: int, token: str, **values: Any) -> None:
    """Write under our lease only; renews it, since every write follows progress."""
    now = timezone.now()
    values.setdefault("claimed_until", now + LEASE)
    updated = ZoomMeeting.objects.filter(pk=meeting_id, claim_token=token).update(updated_at=now, **values)
    if updated != 1:
        raise _LeaseLost


Step = Callable[[ZoomMeeting, str], None]


def _next_step(meeting: ZoomMeeting) -> Step | None:
    if meeting.delete_requested:
        return None if meeting.synced_revision == meeting.revision and meeting.status == Status.DELETED else _delete
    if meeting.zoom_meeting_id is None:
        return _create
    if meeting.synced_revision < meeting.revision:
        return _update
    return None


def _call(meeting: ZoomMeeting, fn: Callable[[str], T]) -> T:
    if meeting.host_grant_id is None:
        raise GrantUnavailable("The meeting has no host grant.")
    return call_with_token(meeting.host_grant_id, fn)


# Steps -----------------------------------------------------------------------------------------------


def _create(meeting: ZoomMeeting, token: str) -> None:
    if meeting.create_sent_at is not None:
        found = _find_by_marker(meeting)
        if found is not None:
            logger.info("Adopted Zoom meeting %s for row %s (found by marker).", found.id, meeting.pk)
            _store(meeting, token, found, warnings=_override_warnings(found))
            return
    _write(meeting.pk, token, status=Status.CREATING, create_sent_at=timezone.now())
    try:
        info, warnings = _send_with_fallbacks(meeting, _create_body(meeting), lambda body: _post(meeting, body))
    except ZoomError as exc:
        if exc.status is not None and exc.status not in UNKNOWN_OUTCOME_STATUSES:
            # Zoom answered, so it made nothing; the lookup above settled any earlier attempt.
            _write(meeting.pk, token, create_sent_at=None)
        raise
    _store(meeting, token, info, warnings=warnings + _override_warnings(info))


def _post(meeting: ZoomMeeting, body: dict[str, Any]) -> ZoomMeetingInfo:
    return _call(meeting, lambda access: client.create_meeting(access, body))


def _update(meeting: ZoomMeeting, token: str) -> None:
    _write(meeting.pk, token, status=Status.UPDATING)
    zoom_id = meeting.zoom_meeting_id
    assert zoom_id is not None

    def patch(body: dict[str, Any]) -> None:
        _call(meeting, lambda access: client.update_meeting(access, zoom_id, body))

    try:
        _none, warnings = _send_with_fallbacks(meeting, _update_body(meeting), patch)
        info = _call(meeting, lambda access: client.get_meeting(access, zoom_id))
    except ZoomNotFound:
        # Someone deleted it in Zoom: make it again (the next pass creates; the URL changes and says so).
        logger.info("Zoom meeting %s of row %s is gone at Zoom; creating it again.", zoom_id, meeting.pk)
        _write(meeting.pk, token, zoom_meeting_id=None, create_sent_at=None, join_url_changed=bool(meeting.join_url))
        return
    kept = [code for code in meeting.warnings if code == MeetingWarning.PASSCODE_SET_BY_ZOOM]
    _store(meeting, token, info, warnings=kept + warnings + _override_warnings(info))


def _delete(meeting: ZoomMeeting, token: str) -> None:
    _write(meeting.pk, token, status=Status.DELETING)
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
        _write(
            meeting.pk,
            token,
            status=Status.DELETED,
            synced_revision=meeting.revision,
            zoom_meeting_id=zoom_id,
        )
        meeting_synced.send(ZoomMeeting, meeting_id=meeting.pk, company_id=meeting.company_id)


def _find_by_marker(meeting: ZoomMeeting) -> ZoomMeetingInfo | None:
    """Our meeting at Zoom, found by the marker in its agenda, or None when Zoom has none.

    Transient failures (5xx, 429) propagate and are retried; a search Zoom refuses for good raises
    LookupImpossible: without it we cannot tell whether creating would make a second meeting.
    """
    marker = _marker(meeting)
    page_token = ""
    try:
        for _page in range(20):
            page = _call(
                meeting, lambda access, page_token=page_token: client.list_meetings(access, page_token=page_token)
            )
            for item in page.meetings:
                if marker in item.agenda:
                    return _call(meeting, lambda access, zoom_id=item.id: client.get_meeting(access, zoom_id))
            if not page.next_page_token:
                return None
            page_token = page.next_page_token
    except ZoomError as exc:
        if exc.retryable:
            raise
        raise LookupImpossible(
            f"An earlier create request may have made this meeting, and Zoom could not be searched for it ({exc})."
        ) from None
    raise LookupImpossible("Zoom listed too many meetings to search for this one.")


def _send_with_fallbacks(
    meeting: ZoomMeeting, body: dict[str, Any], send: Callable[[dict[str, Any]], T]
) -> tuple[T, list[str]]:
    """Send, and when Zoom refuses our passcode or the alternative hosts, send once more without
    them: the meeting matters more than either. Each fallback is recorded as a warning."""
    warnings: list[str] = []
    for _try in range(3):
        try:
            return send(body), warnings
        except ZoomError as exc:
            if "password" in body and _passcode_rejected(exc):
                # The account's passcode rules refused ours: let Zoom make one that satisfies them.
                body = {key: value for key, value in body.items() if key != "password"}
                body["default_password"] = True
                warnings.append(MeetingWarning.PASSCODE_SET_BY_ZOOM)
                continue
            if body.get("settings", {}).get("alternative_hosts") and _alternative_hosts_rejected(exc):
                body = {**body, "settings": {**body["settings"], "alternative_hosts": ""}}
                warnings.append(MeetingWarning.ALTERNATIVE_HOSTS_REJECTED)
                continue
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _passcode_rejected(exc: ZoomError) -> bool:
    # Zoom answers 400 code 300 with a message about the password (zoom/NOTES.md section 5).
    return exc.status == 400 and exc.code == 300 and re.search(r"pass(word|code)", exc.message, re.I) is not None


def _alternative_hosts_rejected(exc: ZoomError) -> bool:
    return exc.status == 400 and re.search(r"alternative[ _]?host", exc.message, re.I) is not None


def _store(meeting: ZoomMeeting, token: str, info: ZoomMeetingInfo, *, warnings: list[str]) -> None:
    """What Zoom returned (never the start URL), as of the revision this pass worked on."""
    changed = bool(meeting.join_url) and info.join_url != meeting.join_url
    with transaction.atomic():
        _write(
            meeting.pk,
            token,
            zoom_meeting_id=info.id,
            join_url=info.join_url[:1000],
            passcode=info.password[:32],
            effective_settings=_effective_settings(info),
            warnings=list(dict.fromkeys(str(code) for code in warnings)),
            join_url_changed=changed or meeting.join_url_changed,
            synced_revision=meeting.revision,
            last_error="",
        )
        # Inside the write's transaction: what higher layers derive from Zoom's answer (the invitations
        # that carry the URL) commits with it or not at all.
        meeting_synced.send(ZoomMeeting, meeting_id=meeting.pk, company_id=meeting.company_id)


SETTINGS_KEPT = (
    "waiting_room",
    "join_before_host",
    "jbh_time",
    "approval_type",
    "alternative_hosts",
    "meeting_authentication",
    "mute_upon_entry",
)


def _effective_settings(info: ZoomMeetingInfo) -> dict[str, Any]:
    return {key: info.settings[key] for key in SETTINGS_KEPT if key in info.settings}


def _override_warnings(info: ZoomMeetingInfo) -> list[str]:
    """Zoom may override what we asked (account locks, the "one security option" rule): trust the answer."""
    warnings = []
    if info.settings.get("waiting_room") is True:
        warnings.append(MeetingWarning.WAITING_ROOM_ON)
    if info.settings.get("join_before_host") is False:
        warnings.append(MeetingWarning.JOIN_BEFORE_HOST_OFF)
    if info.password and "pwd=" not in info.join_url:
        warnings.append(MeetingWarning.PASSCODE_NOT_EMBEDDED)
    return warnings


# Bodies ----------------------------------------------------------------------------------------------


def _marker(meeting: ZoomMeeting) -> str:
    return f"{MARKER_PREFIX}{meeting.uuid}"


def generate_passcode() -> str:
    """10 letters and digits, at least one of each (the usual account passcode rules)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        passcode = "".join(secrets.choice(alphabet) for _ in range(PASSCODE_LENGTH))
        if any(c.isdigit() for c in passcode) and any(c.isalpha() for c in passcode):
            return passcode


def _local_start(meeting: ZoomMeeting) -> str:
    # Local wall-clock time plus ``timezone``: Zoom then shows the meeting in the interview's zone.
    return meeting.start_time.astimezone(ZoneInfo(meeting.timezone)).strftime("%Y-%m-%dT%H:%M:%S")


def _settings_body(meeting: ZoomMeeting) -> dict[str, Any]:
    return {
        # Guests must get in without the host (DESIGN.md section 1, point 4).
        "join_before_host": True,
        "jbh_time": 0,
        "waiting_room": False,
        "approval_type": 2,  # no registration
        "alternative_hosts": ";".join(meeting.alternative_hosts),
    }


def _create_body(meeting: ZoomMeeting) -> dict[str, Any]:
    return {
        "type": 2,
        "topic": meeting.topic,
        "start_time": _local_start(meeting),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "password": generate_passcode(),
        "agenda": _marker(meeting),
        "settings": _settings_body(meeting),
    }


def _update_body(meeting: ZoomMeeting) -> dict[str, Any]:
    return {
        "topic": meeting.topic,
        "start_time": _local_start(meeting),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": _marker(meeting),
        "settings": _settings_body(meeting),
    }


# Endings -------------------------------------------------------------------------------------------


def _release(meeting_id: int, token: str) -> ReconcileResult:
    """Done with this claim: rest in created/deleted, or stay pending and re-queue when the desired
    meeting moved faster than MAX_PASSES could follow."""
    meeting = _reload(meeting_id, token)
    step = _next_step(meeting)
    status = Status.PENDING
    if step is None:
        status = Status.DELETED if meeting.delete_requested else Status.CREATED
    _write(
        meeting_id,
        token,
        status=status,
        claimed_until=None,
        claim_token="",
        attempts=0,
        failure=Failure.NONE,
        last_error="",
        not_before=None,
    )
    if step is not None:
        meeting_enqueue(meeting_id)
    elif status == Status.CREATED:
        # The replacement exists: only now may the meetings it replaces go (DESIGN.md section 3).
        with transaction.atomic():
            locked = ZoomMeeting.objects.select_for_update().get(pk=meeting_id)
            _request_delete_predecessors(locked)
    return ReconcileResult(Outcome.DONE)


def _rest(meeting_id: int, token: str, status: str, failure: str, message: str) -> ReconcileResult:
    """A person must act: failed or needs_attention, with a readable error, the lease released."""
    try:
        _write(
            meeting_id,
            token,
            status=status,
            failure=failure,
            last_error=message[:1000],
            claimed_until=None,
            claim_token="",
        )
    except _LeaseLost:
        return ReconcileResult(Outcome.SKIPPED)
    meeting = ZoomMeeting.objects.get(pk=meeting_id)
    if failure != Failure.DISCONNECTED:
        # Disconnection already raised its own alert (the grant's); this one is about the meeting.
        alert(
            AlertEvent.ZOOM_MEETING_FAILED,
            "A Zoom meeting could not be made to match its schedule.",
            meeting_id=meeting_id,
            company_id=meeting.company_id,
            status=status,
            failure=failure,
            error=message[:300],
        )
    return ReconcileResult(Outcome.FAILED)


def _give_up(meeting: ZoomMeeting, token: str) -> ReconcileResult:
    previous = meeting.last_error or "the worker stopped before finishing"
    message = f"Gave up after {MAX_ATTEMPTS} attempts. Last error: {previous}"
    if meeting.create_sent_at is not None and meeting.zoom_meeting_id is None:
        # A create may have reached Zoom: someone must check before we make another.
        return _rest(meeting.pk, token, Status.NEEDS_ATTENTION, Failure.LOOKUP_IMPOSSIBLE, message)
    return _rest(meeting.pk, token, Status.FAILED, Failure.GAVE_UP, message)


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
    return delay * (1 + random.uniform(0, 0.2))  # noqa: S311  (jitter, not security)


def _retry(meeting_id: int, token: str, message: str, *, min_wait: float | None = None) -> ReconcileResult:
    try:
        return _retry_locked(meeting_id, token, message, min_wait=min_wait)
    except _LeaseLost:
        return ReconcileResult(Outcome.SKIPPED)


def _retry_locked(meeting_id: int, token: str, message: str, *, min_wait: float | None) -> ReconcileResult:
    meeting = ZoomMeeting.objects.get(pk=meeting_id)
    if meeting.claim_token != token:
        return ReconcileResult(Outcome.SKIPPED)
    if meeting.attempts >= MAX_ATTEMPTS:
        _write(meeting_id, token, last_error=message[:1000])
        meeting.last_error = message
        return _give_up(meeting, token)
    delay = backoff(meeting.attempts, min_wait=min_wait)
    if delay > max_countdown():
        return _defer_until(meeting_id, token, timezone.now() + timedelta(seconds=delay), message)
    # Keep the lease through the wait, so the sweeper leaves the row to our retry; if the retry is
    # lost, the lease runs out and the sweeper takes over.
    _write(
        meeting_id,
        token,
        status=Status.PENDING,
        last_error=message[:1000],
        claimed_until=timezone.now() + timedelta(seconds=delay) + LEASE,
    )
    return ReconcileResult(Outcome.RETRY, claim_token=token, retry_in=delay)


def _defer(meeting_id: int, token: str, exc: ZoomRateLimited) -> ReconcileResult:
    until = exc.retry_at or client.next_utc_midnight(timezone.now())
    # Waiting for the daily limit is no failed attempt.
    ZoomMeeting.objects.filter(pk=meeting_id, claim_token=token, attempts__gt=0).update(attempts=F("attempts") - 1)
    message = f"Zoom's daily limit of meeting changes for this host is reached; resumes at {until:%Y-%m-%d %H:%M} UTC."
    return _defer_until(meeting_id, token, until, message)


def _defer_until(meeting_id: int, token: str, until: datetime, message: str) -> ReconcileResult:
    try:
        _write(
            meeting_id,
            token,
            status=Status.PENDING,
            not_before=until,
            last_error=message[:1000],
            claimed_until=None,
            claim_token="",
        )
    except _LeaseLost:
        return ReconcileResult(Outcome.SKIPPED)
    return ReconcileResult(Outcome.DEFERRED)


def meeting_defer(*, meeting_id: int, claim_token: str, seconds: float) -> bool:
    """The task cannot retry itself (eager mode, or out of broker retries): leave the row to the
    sweeper at ``now + seconds``. Returns False when the lease was lost meanwhile."""
    result = _defer_until(
        meeting_id,
        claim_token,
        timezone.now() + timedelta(seconds=seconds),
        ZoomMeeting.objects.filter(pk=meeting_id).values_list("last_error", flat=True).first() or "",
    )
    return result.outcome == Outcome.DEFERRED


# --- Sweeper and connection changes -----------------------------------------------------------------


def meetings_sweep(*, now: datetime | None = None, stale_after: timedelta = STALE_AFTER, limit: int = 500) -> list[int]:
    """Re-queue what lost its task: rows pending past ``not_before``, pending rows untouched for
    ``stale_after`` (a crash between commit and publish, a broker outage: T23), and rows whose lease
    ran out (a killed worker: T21). Each row is stamped when queued, so the next sweep leaves it to
    that task for ``stale_after``: one re-queue per row and period."""
    now = now or timezone.now()
    due = (
        ZoomMeeting.objects.filter(status__in=ZoomMeeting.WORKABLE)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(not_before__lte=now) | Q(not_before__isnull=True, updated_at__lt=now - stale_after))
        .order_by("updated_at")
        .values_list("pk", "updated_at")[:limit]
    )
    queued = []
    for meeting_id, updated_at in list(due):
        stamped = ZoomMeeting.objects.filter(pk=meeting_id, updated_at=updated_at).update(
            updated_at=now, not_before=None
        )
        if stamped:
            meeting_enqueue(meeting_id)
            queued.append(meeting_id)
    if queued:
        logger.info("Sweeper re-queued %d Zoom meeting(s).", len(queued))
    return queued


def meetings_stop_for_grant(*, grant_id: int, reason: str) -> int:
    """The host's grant was revoked or invalidated: meetings waiting on it fail with "disconnected"
    (no further Zoom calls) until the host links again. Rows a worker holds find out themselves."""
    now = timezone.now()
    return (
        ZoomMeeting.objects.filter(host_grant_id=grant_id, status__in=ZoomMeeting.WORKABLE)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            status=Status.FAILED,
            failure=Failure.DISCONNECTED,
            last_error=f"The host's Zoom authorization ended ({reason or 'revoked'}). "
            "It resumes when they link Zoom again.",
            claimed_until=None,
            claim_token="",
            updated_at=now,
        )
    )


def meetings_resume_disconnected(*, company_id: int | None = None, grant_id: int | None = None) -> list[int]:
    """After a reconnect or relink: meetings stopped by the disconnection go back to work."""
    if company_id is None and grant_id is None:
        return []
    rows = ZoomMeeting.objects.filter(status=Status.FAILED, failure=Failure.DISCONNECTED)
    rows = rows.filter(company_id=company_id) if company_id is not None else rows.filter(host_grant_id=grant_id)
    resumed = []
    for meeting in rows:
        if meeting_retry(meeting=meeting):
            resumed.append(meeting.pk)
    return resumed
