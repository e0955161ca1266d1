from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("External service integration")

    def ready(self) -> None:
        from herp.navigation import NavEntry, register
        from integrations import (
            notifications,  # noqa: F401  (connects the admins' notifications)
            receivers,  # noqa: F401  (follows people leaving)
        )

        register(
            NavEntry(
                url_name="integrations:settings",
                label=_("Settings › External service integration"),
                description=_("Connect the company's Zoom account."),
                admins_only=True,
                order=90,
            )
        )
