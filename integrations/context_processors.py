"""The admins' banner on every page while the company's Zoom connection needs them (DESIGN.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from integrations.models import ZoomInstallation


@dataclass(frozen=True)
class Banner:
    level: str
    html: SafeString


def connection_banner(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_company_admin:
        return {}
    status = ZoomInstallation.objects.filter(company_id=user.company_id).values_list("status", flat=True).first()
    if status not in (ZoomInstallation.Status.NEEDS_RECONNECT, ZoomInstallation.Status.REVOKED):
        return {}
    message = (
        _("The app was removed from the installer's Zoom.")
        if status == ZoomInstallation.Status.REVOKED
        else _("HERP can no longer use the installer's Zoom user.")
    )
    html = format_html(
        '{} {} <a href="{}">{}</a>',
        message,
        _("Interviews without a linked participant have no host until an admin reconnects."),
        reverse("integrations:settings"),
        _("Reconnect Zoom"),
    )
    return {"banners": [Banner(level="warn", html=html)]}
