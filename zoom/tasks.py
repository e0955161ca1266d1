"""Celery tasks of zoom: thin, ids only; the work is in the services (STYLE rule 7).

Direction of imports (HackSoft): services import their task at the top of their module; a task imports
its service inside its body. Only the lease's constants are read here at import time.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from zoom.meetings.lease import MAX_ATTEMPTS, new_claim_token

logger = logging.getLogger(__name__)

# A database blip (a restart, a failover, a dropped connection) is retried quickly and a bounded number
# of times inside the task, instead of leaving the row to the sweeper (RELIABILITY T33). Other database
# errors are bugs, not blips: they land in the row's visible state like any unexpected error.
DATABASE_BLIPS = (OperationalError, InterfaceError)
DATABASE_RETRY_BASE = 1
DATABASE_RETRY_CAP = 30


@shared_task(bind=True, name="zoom.meeting_reconcile", max_retries=MAX_ATTEMPTS + 1)
def meeting_reconcile_task(self: Task[Any, Any], meeting_id: int, claim_token: str | None = None) -> str:
    """Make Zoom match one meeting. Retries carry the claim token, so they keep the lease they hold;
    the DB ``attempts`` counter, not Celery's, decides when Zoom's failures are given up. A retry sends
    its arguments as keywords only (``args=()``): the first call's positional id beside them is refused
    by Celery before 5.7 ("multiple values for argument"), which drops the retry."""
    from zoom.meetings.reconcile import BACKOFF_BASE, Outcome, max_countdown, meeting_defer, meeting_reconcile

    claim_token = claim_token or new_claim_token()
    try:
        result = meeting_reconcile(meeting_id=meeting_id, claim_token=claim_token)
    except DATABASE_BLIPS as exc:
        if self.request.is_eager or self.request.retries >= (self.max_retries or 0):
            # Nothing to retry with: the row is pending or leased, and the sweeper takes it up.
            logger.warning("Reconciling Zoom meeting %s hit a database error; the sweeper will retry.", meeting_id)
            return Outcome.DEFERRED
        countdown = min(DATABASE_RETRY_BASE * 2**self.request.retries, DATABASE_RETRY_CAP)
        logger.warning(
            "Database error while reconciling Zoom meeting %s (%s); retrying.", meeting_id, type(exc).__name__
        )
        raise self.retry(
            args=(), kwargs={"meeting_id": meeting_id, "claim_token": claim_token}, countdown=countdown
        ) from None
    if result.outcome != Outcome.RETRY:
        return result.outcome
    retry_in = result.retry_in or BACKOFF_BASE
    if self.request.is_eager or self.request.retries >= (self.max_retries or 0):
        # Eagerly (no broker) a retry would run at once, inside the request: leave the row pending
        # with ``not_before`` instead, for the sweeper (``manage.py sweep_meetings``).
        meeting_defer(meeting_id=meeting_id, claim_token=result.claim_token, seconds=retry_in)
        return Outcome.DEFERRED
    raise self.retry(
        args=(),
        kwargs={"meeting_id": meeting_id, "claim_token": result.claim_token},
        countdown=min(retry_in, max_countdown()),
    )


@shared_task(name="zoom.meetings_sweep")
def meetings_sweep_task() -> int:
    """Beat, every minute (herp/celery.py): re-queue meetings whose task was lost or is due."""
    from zoom.meetings.sweep import meetings_sweep

    return len(meetings_sweep())


@shared_task(
    name="zoom.webhook_process",
    max_retries=5,
    autoretry_for=DATABASE_BLIPS,
    retry_backoff=DATABASE_RETRY_BASE,
    retry_backoff_max=DATABASE_RETRY_CAP,
)
def process_webhook_task(delivery_id: int) -> str | None:
    """Act on one stored webhook delivery (idempotent: a processed delivery is skipped). A database
    blip is retried here; the webhook sweeper covers what outlives the retries."""
    from zoom.webhooks import delivery_process

    return delivery_process(delivery_id)


@shared_task(name="zoom.webhooks_sweep")
def webhooks_sweep_task() -> int:
    """Beat: process deliveries that were stored but never processed (a worker or broker outage)."""
    from zoom.webhooks import deliveries_unprocessed, delivery_process

    pending = deliveries_unprocessed()
    for delivery_id in pending:
        delivery_process(delivery_id)
    return len(pending)


@shared_task(name="zoom.attendance_check")
def attendance_check_task() -> int:
    """Beat, every 30 seconds: the due check of meetings past their start + grace (a guest left alone
    is reported although no event comes)."""
    from zoom.attendance import attendance_check_due

    return attendance_check_due()


@shared_task(name="zoom.upkeep")
def upkeep_task() -> str:
    """Beat, hourly: refresh grants before they go stale, re-check links and installers, revoke unused."""
    from zoom.upkeep import upkeep_run

    return upkeep_run().as_line()
