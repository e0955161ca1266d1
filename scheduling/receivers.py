"""scheduling follows zoom and integrations: when a host can no longer host, the host rule picks again."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import ngettext

from herp import signals as herp_signals
from herp.models import User
from integrations import signals as integration_signals
from scheduling.leavers import person_leaves
from scheduling.models import InterviewSchedule
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


# --- People leaving (herp's signals) -----------------------------------------------------------------


@receiver(herp_signals.user_deactivated, dispatch_uid="scheduling.person_leaves")
def replan_after_person_leaves(sender: type, *, user: User, **kwargs: Any) -> None:
    person_leaves(user=user)


@receiver(herp_signals.deactivation_consequences, dispatch_uid="scheduling.interview_consequences")
def interview_consequences(sender: type, *, user: User, **kwargs: Any) -> list[str]:
    upcoming = (
        InterviewSchedule.objects.filter(
            company=user.company, status=InterviewSchedule.Status.SCHEDULED, starts_at__gte=timezone.now()
        )
        .filter(Q(participants__pk=user.pk) | Q(meeting__host_user_id=user.pk))
        .distinct()
        .count()
    )
    if not upcoming:
        return []
    text = ngettext(
        "They leave %(count)d upcoming interview: its host is chosen again with the usual rule (the next "
        "participant who linked Zoom, else the person who connected Zoom), and everyone concerned gets the "
        "update by e-mail. If nobody else can host it, the interview is flagged and its creator told.",
        "They leave %(count)d upcoming interviews: each one's host is chosen again with the usual rule (the next "
        "participant who linked Zoom, else the person who connected Zoom), and everyone concerned gets the "
        "update by e-mail. Interviews nobody else can host are flagged and their creators told.",
        upcoming,
    )
    return [text % {"count": upcoming}]


@receiver(integration_signals.installation_connected, dispatch_uid="scheduling.replan_after_connect")
def replan_unhosted_after_connect(sender: type, *, company_id: int, **kwargs: Any) -> None:
    # An admin reconnected: interviews a departure left without a host may have one now (the new
    # installer), so their host is chosen again.
    flagged = InterviewSchedule.objects.filter(
        company_id=company_id, host_left_at__isnull=False, status=InterviewSchedule.Status.SCHEDULED
    )
    if flagged.exists():
        schedules_replan(company_id=company_id, schedule_ids=list(flagged.values_list("pk", flat=True)))
