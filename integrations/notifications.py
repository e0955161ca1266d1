"""Tells a company's admins, once per incident, that the Zoom connection needs them.

The installation's transition methods send their signal only when the state changes, so each incident
(connected → needs_reconnect, or → revoked) mails the admins exactly once; the banner
(context_processors.py) stays until an admin reconnects.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.dispatch import receiver
from django.utils.translation import gettext as _

from herp.models import User
from integrations import signals
from integrations.models import LossReason

SETTINGS_PATH = "/settings/integrations/"


def admins_notify(company_id: int, subject: str, body: str) -> int:
    recipients = list(
        User.objects.filter(company_id=company_id, role=User.Role.ADMIN, is_active=True).values_list("email", flat=True)
    )
    if recipients:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients, fail_silently=True)
    return len(recipients)


@receiver(signals.installation_needs_reconnect, dispatch_uid="integrations.notify_needs_reconnect")
@receiver(signals.installation_revoked, dispatch_uid="integrations.notify_revoked")
def notify_admins_of_incident(sender: type, *, company_id: int, reason: str = "", **kwargs: Any) -> None:
    url = settings.SITE_URL.rstrip("/") + SETTINGS_PATH
    body = _(
        "HERP can no longer use the Zoom user that connected your company's Zoom account.\n"
        "Reason: %(reason)s\n\n"
        "People who linked their own Zoom keep hosting their interviews, but interviews without a linked "
        "participant have no host until an admin reconnects Zoom:\n%(url)s"
    ) % {"reason": _reason_text(reason), "url": url}
    admins_notify(company_id, _("[HERP] Reconnect Zoom"), body)


def _reason_text(reason: str) -> str:
    try:
        return str(LossReason(reason).label) if reason else "-"
    except ValueError:
        return reason
