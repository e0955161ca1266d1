"""Celery tasks of the invitations: thin, ids only; the work is in delivery.py (STYLE rule 7).
Imported by SchedulingConfig.ready, so workers register them."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from scheduling.invitations import delivery
from scheduling.invitations.delivery import Outcome


@shared_task(bind=True, name="scheduling.invitation_send", max_retries=delivery.MAX_ATTEMPTS + 1)
def invitation_send_task(self: Task[Any, Any], message_id: int, claim_token: str | None = None) -> str:
    """Send one invitation message. Retries carry the claim token, so they keep the lease they hold;
    the row's ``attempts``, not Celery's counter, decides when to give up."""
    result = delivery.invitation_deliver(message_id=message_id, claim_token=claim_token)
    if result.outcome != Outcome.RETRY:
        return result.outcome
    if self.request.is_eager or self.request.retries >= (self.max_retries or 0):
        # Eagerly (no broker) a retry would run at once, inside the request: the sweeper
        # (``manage.py sweep_invitations``) sends it at its ``not_before`` instead.
        delivery.invitation_release(message_id=message_id, claim_token=result.claim_token)
        return result.outcome
    raise self.retry(
        kwargs={"message_id": message_id, "claim_token": result.claim_token},
        countdown=result.retry_in or delivery.BACKOFF_BASE,
    )


@shared_task(name="scheduling.invitations_sweep")
def invitations_sweep_task() -> int:
    """Beat, every minute (herp/celery.py): queue again the messages whose task was lost or is due."""
    return len(delivery.invitations_sweep())
