"""scheduling follows zoom and integrations: when a host can no longer host, the host rule picks again."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from integrations import signals as integration_signals
from scheduling.rescue import rescue_call, rescue_done
from scheduling.services import schedules_replan
from zoom import signals as zoom_signals


@receiver(zoom_signals.link_lost, dispatch_uid="scheduling.replan_after_link_lost")
def replan_after_link_lost(sender: type, *, company_id: int, zoom_user_id: str, **kwargs: Any) -> None:
    schedules_replan(company_id=company_id, zoom_user_id=zoom_user_id)


@receiver(integration_signals.installation_disconnected, dispatch_uid="scheduling.replan_after_disconnect")
def replan_after_disconnect(sender: type, *, company_id: int, **kwargs: Any) -> None:
    schedules_replan(company_id=company_id)


@receiver(zoom_signals.guest_waiting, dispatch_uid="scheduling.rescue_call")
def call_people_in(sender: type, *, meeting_id: int, incident_id: int, **kwargs: Any) -> None:
    rescue_call(meeting_id=meeting_id, incident_id=incident_id)


@receiver(zoom_signals.guest_rescued, dispatch_uid="scheduling.rescue_done")
def mark_rescued(sender: type, *, incident_id: int, **kwargs: Any) -> None:
    rescue_done(incident_id=incident_id)
