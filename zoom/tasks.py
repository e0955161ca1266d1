"""Celery tasks of zoom: thin, ids only; the work is in zoom.meetings (STYLE rule 7)."""

from __future__ import annotations

from celery import Task, shared_task

from zoom import meetings
from zoom.meetings import Outcome


@shared_task(bind=True, name="zoom.meeting_reconcile", max_retries=meetings.MAX_ATTEMPTS + 1)
def meeting_reconcile_task(self: Task, meeting_id: int, claim_token: str | None = None) -> str:
    """Make Zoom match one meeting. Retries carry the claim token, so they keep the lease they hold;
    the DB ``attempts`` counter, not Celery's, decides when to give up."""
    result = meetings.meeting_reconcile(meeting_id=meeting_id, claim_token=claim_token)
    if result.outcome != Outcome.RETRY:
        return result.outcome
    retry_in = result.retry_in or meetings.BACKOFF_BASE
    if self.request.is_eager or self.request.retries >= self.max_retries:
        # Eagerly (no broker) a retry would run at once, inside the request: leave the row pending
        # with ``not_before`` instead, for the sweeper (``manage.py sweep_meetings``).
        meetings.meeting_defer(meeting_id=meeting_id, claim_token=result.claim_token, seconds=retry_in)
        return Outcome.DEFERRED
    raise self.retry(
        kwargs={"meeting_id": meeting_id, "claim_token": result.claim_token},
        countdown=min(retry_in, meetings.max_countdown()),
    )


@shared_task(name="zoom.meetings_sweep")
def meetings_sweep_task() -> int:
    """Beat, every minute (herp/celery.py): re-queue meetings whose task was lost or is due."""
    return len(meetings.meetings_sweep())


@shared_task(name="zoom.webhook_process", max_retries=5)
def process_webhook_task(delivery_id: int) -> str | None:
    """Act on one stored webhook delivery (idempotent: a processed delivery is skipped)."""
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


@shared_task(name="zoom.upkeep")
def upkeep_task() -> str:
    """Beat, hourly: refresh grants before they go stale, re-check links and installers, revoke unused."""
    from zoom.upkeep import upkeep_run

    return upkeep_run().as_line()
