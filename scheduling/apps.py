from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Interview schedules")

    def ready(self) -> None:
        from herp.navigation import NavEntry, register
        from scheduling import receivers  # noqa: F401  (connects the signal receivers)
        from scheduling.invitations import receivers as invitation_receivers  # noqa: F401
        from scheduling.invitations import tasks  # noqa: F401  (registers the send task with Celery)

        register(
            NavEntry(
                url_name="scheduling:list",
                label=_("Interview schedules"),
                description=_("Schedule interviews; Zoom interviews get their meeting URL automatically."),
                order=10,
            )
        )
        register(
            NavEntry(
                url_name="scheduling:attendance",
                label=_("Attendance"),
                description=_(
                    "Interviews where a candidate waited or someone did not join, and when HERP calls the host in."
                ),
                admins_only=True,
                order=60,
            )
        )
        register(
            NavEntry(
                url_name="scheduling:candidate_messages",
                label=_("Settings › Messages to candidates"),
                description=_("The e-mail candidates get with their interview's Zoom URL and calendar event."),
                admins_only=True,
                order=91,
            )
        )
