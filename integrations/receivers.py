"""integrations follows people (herp's signals; herp never imports integrations): when the person whose
Zoom user connected the company is deactivated, that Zoom user must stop being the fallback host, so the
connection needs an admin to reconnect (the banner and one mail to the admins, as for any incident)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from herp import signals
from herp.models import User
from integrations import grants
from integrations.models import LossReason, ZoomInstallation


def _installation_of(user: User) -> ZoomInstallation | None:
    return ZoomInstallation.objects.filter(installer=user, status=ZoomInstallation.Status.CONNECTED).first()


@receiver(signals.user_deactivated, dispatch_uid="integrations.installer_leaves")
def installer_leaves(sender: type, *, user: User, **kwargs: Any) -> None:
    installation = _installation_of(user)
    if installation is not None:
        grants.installation_needs_reconnect(
            installation_id=installation.pk,
            reason=LossReason.INSTALLER_DEACTIVATED,
            detail=f"The installer (user {user.pk}) was deactivated.",
        )


@receiver(signals.deactivation_consequences, dispatch_uid="integrations.installer_consequences")
def installer_consequences(sender: type, *, user: User, **kwargs: Any) -> list[str]:
    if _installation_of(user) is None:
        return []
    return [
        _(
            "%(name)s connected your company's Zoom: their Zoom user stops hosting interviews that no linked "
            "participant can host, and the connection shows “reconnect” until another admin connects Zoom again. "
            "Everyone's own Zoom links keep working."
        )
        % {"name": user.display_name}
    ]
