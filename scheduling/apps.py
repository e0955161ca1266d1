from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Interview schedules")

    def ready(self) -> None:
        from herp.navigation import NavEntry, register
        from scheduling import receivers  # noqa: F401  (connects the signal receivers)

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
