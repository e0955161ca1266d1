"""The worker's lease on a meeting row: who may talk to Zoom about it right now (RELIABILITY T19, T21).

A reconcile claims the row with one conditional UPDATE (healthchecks' ``sendalerts`` claims a flip the
same way, checking ``num_updated != 1``): ``claimed_until`` in the future plus a fresh ``claim_token``.
A second task or a redelivery finds it taken and stops; the task's own retries carry the token and
take it again. Every later write is conditional on the token, so a worker that lost its lease (it
stalled past ``LEASE`` and another took over) writes nothing: ``LeaseLost``.

The reconcile's status changes happen here, each in a named method:

    claim ─► creating / updating / deleting ─► store (Zoom's answer) ─► finish → created | deleted
                                                                      ├► requeue → pending
                                                                      ├► hold    → pending, lease kept for a retry
                                                                      ├► defer   → pending until not_before
                                                                      └► rest    → failed | needs_attention
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from zoom.models import ZoomMeeting

Status = ZoomMeeting.Status
Failure = ZoomMeeting.Failure

# The lease outlives the longest run of a task (CELERY_TASK_TIME_LIMIT kills it at 90 s), so nobody takes
# a row its holder is still working on; a crashed worker's lease runs out and the sweeper re-queues it at
# once. Not much longer than that: after a broker or database restart, rows wait for their leases to end
# (the chaos run, bench/chaos.py, drained within its two minutes only with a lease this short).
LEASE = timedelta(seconds=100)
# A row waiting for its own retry is held this much past the retry's due time, then the sweeper may
# take it: a retry lost with a worker or a broker does not wait a whole lease.
HOLD_SLACK = timedelta(seconds=30)
# Claims of one desired state before it is given up (a poison task that kills its worker counts too:
# the counter is bumped when the lease is taken, before any work).
MAX_ATTEMPTS = 5


class LeaseLost(Exception):
    """Our lease expired and another worker holds the row: stop without writing."""


def new_claim_token() -> str:
    return uuid.uuid4().hex


class Lease:
    """A claim on one row. ``meeting`` is the row as loaded, kept up to date by every write, so the
    reconcile can go from step to step without reading the row again (RELIABILITY T19, issue 16)."""

    __slots__ = ("finished", "meeting", "meeting_id", "token")

    def __init__(self, meeting_id: int, token: str) -> None:
        self.meeting_id = meeting_id
        self.token = token
        self.meeting: ZoomMeeting | None = None
        self.finished = False

    def __repr__(self) -> str:
        return f"Lease(meeting_id={self.meeting_id})"

    @classmethod
    def claim(cls, meeting_id: int, token: str) -> Lease | None:
        """Take the row if it is workable, due, and free (or already ours); counts one attempt."""
        now = timezone.now()
        claimed = (
            ZoomMeeting.objects.filter(pk=meeting_id, status__in=ZoomMeeting.WORKABLE)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claim_token=token))
            .update(claimed_until=now + LEASE, claim_token=token, attempts=F("attempts") + 1, updated_at=now)
        )
        return cls(meeting_id, token) if claimed == 1 else None

    def load(self) -> ZoomMeeting:
        """The row as it is now (with the host grants the reconcile needs, in the same query), or
        LeaseLost when someone else holds it."""
        meeting = ZoomMeeting.objects.select_related("host_grant", "replaces__host_grant").get(pk=self.meeting_id)
        if meeting.claim_token != self.token:
            raise LeaseLost
        self.meeting = meeting
        return meeting

    def write(self, *, _only_if_revision: int | None = None, **values: Any) -> bool:
        """Write under our lease only; renews it, since every write follows progress. With
        ``_only_if_revision`` the write happens only while the desired revision is still that one, and
        False says it moved (the lease itself is checked on the next load)."""
        now = timezone.now()
        values.setdefault("claimed_until", now + LEASE)
        values["updated_at"] = now
        rows = ZoomMeeting.objects.filter(pk=self.meeting_id, claim_token=self.token)
        if _only_if_revision is not None:
            rows = rows.filter(revision=_only_if_revision)
        if rows.update(**values) != 1:
            if _only_if_revision is not None:
                return False
            raise LeaseLost
        if self.meeting is not None:
            for name, value in values.items():
                setattr(self.meeting, name, value)
        return True

    # Named transitions ---------------------------------------------------------------------------

    def creating(self) -> None:
        """A create request is about to leave. ``create_sent_at`` is committed first: from now on Zoom
        may hold the meeting even if we never hear its answer (T20, T28)."""
        self.write(status=Status.CREATING, create_sent_at=timezone.now())

    def create_refused(self) -> None:
        """Zoom documented a refusal of the create: it made nothing, so no marker search is needed."""
        self.write(create_sent_at=None)

    def updating(self, revision: int) -> None:
        """A PATCH of ``revision`` is about to leave; committed first, like ``creating``."""
        self.write(status=Status.UPDATING, patch_sent_revision=revision)

    def deleting(self) -> None:
        self.write(status=Status.DELETING)

    def store(self, **values: Any) -> None:
        """What Zoom has now (never the start URL)."""
        self.write(**values)

    def store_and_finish(self, *, revision: int, **values: Any) -> bool:
        """What Zoom has now, and Zoom matches ``revision``: one statement stores it, rests the row as
        created and releases the lease (issue 16: one commit less per meeting). False, with nothing
        written, when the desired meeting moved meanwhile: the caller stores without finishing."""
        done = self.write(_only_if_revision=revision, **{**values, **self._resting(Status.CREATED)})
        self.finished = done
        return done

    def finish(self, *, deleted: bool, revision: int) -> bool:
        """Zoom matches the desired ``revision``: rest as created (or deleted), the lease released.
        False when the desired meeting moved meanwhile (the caller reads it again and goes on)."""
        done = self.write(_only_if_revision=revision, **self._resting(Status.DELETED if deleted else Status.CREATED))
        self.finished = done
        return done

    def requeue(self) -> None:
        """The desired meeting moved faster than one claim could follow: back in the queue."""
        self.write(**self._resting(Status.PENDING))

    def hold(self, *, retry_in: float, message: str) -> None:
        """Wait ``retry_in`` seconds for the task's own retry, keeping the lease through the wait so that
        the sweeper leaves the row alone; if the retry is lost, the lease runs out and the sweeper takes
        over."""
        self.write(
            status=Status.PENDING,
            last_error=message[:1000],
            claimed_until=timezone.now() + timedelta(seconds=retry_in) + HOLD_SLACK,
        )

    def defer(self, *, until: datetime, message: str) -> None:
        """Pending until ``until`` (Zoom's daily limit, a wait longer than a countdown may be); the
        sweeper resumes it."""
        self.write(
            status=Status.PENDING, not_before=until, last_error=message[:1000], claimed_until=None, claim_token=""
        )

    def rest(self, *, status: str, failure: str, message: str) -> None:
        """A person must act: failed or needs_attention, with a readable error, the lease released."""
        self.write(status=status, failure=failure, last_error=message[:1000], claimed_until=None, claim_token="")

    @staticmethod
    def _resting(status: str) -> dict[str, Any]:
        return {
            "status": status,
            "claimed_until": None,
            "claim_token": "",
            "attempts": 0,
            "failure": Failure.NONE,
            "last_error": "",
            "not_before": None,
        }
