from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZoomConfig(AppConfig):
    name = "zoom"
    verbose_name = _("Zoom")

    def ready(self) -> None:
        from herp.navigation import NavEntry, register
        from zoom import receivers  # noqa: F401  (connects the signal receivers)

        register(
            NavEntry(
                url_name="zoom:account",
                label=_("External service accounts"),
                description=_("Link your own Zoom user, so that your interviews can be hosted by you."),
                order=80,
            )
        )
