from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HerpConfig(AppConfig):
    name = "herp"
    verbose_name = _("HERP core")

    def ready(self) -> None:
        from herp.db import saturate_timestamps
        from herp.navigation import NavEntry, register
        from herp.support import sync_support_group

        connection_created.connect(saturate_timestamps, dispatch_uid="herp.saturate_timestamps")
        # Connected without a sender: later apps add models, and the group must follow every migrate.
        post_migrate.connect(sync_support_group, dispatch_uid="herp.sync_support_group")
        register(
            NavEntry(
                url_name="members:list",
                label=_("Settings › Members"),
                description=_("Invite people, choose who is an admin, and deactivate people who leave."),
                admins_only=True,
                order=89,
            )
        )
