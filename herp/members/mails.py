"""The members page's e-mails: an invitation, a set-password link, and the answer to an address that
already has an account with another company (no link: one address belongs to one company).

Each is written in the language the link names and sent in the request, once its row committed. A
refused or unreachable mail server leaves the reason on the row (the members page says so and offers to
resend); the secret is never logged, whatever fails.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from herp.models import PasswordLink, User
from herp.timebounds import in_zone
from herp.timezones import DEFAULT_TIMEZONE

logger = logging.getLogger(__name__)

SET_PASSWORD_PATH = "/password/set/"


def link_url(token: str) -> str:
    # In the query string: access logs and error reports leave query strings out (README, Production),
    # and the page moves the secret into the session at once, so it stays out of history and Referer.
    return f"{settings.SITE_URL.rstrip('/')}{SET_PASSWORD_PATH}?token={token}"


def expiry_text(moment: datetime, language: str, zone: str = DEFAULT_TIMEZONE) -> str:
    local = in_zone(moment, zone)
    with translation.override(language):
        if language == "ja":
            text = dateformat.format(local, "Y年n月j日（D）G:i")
        else:
            text = dateformat.format(local, "l, j F Y, H:i")
        label = _("Japan time") if zone == "Asia/Tokyo" else zone
        return f"{text}（{label}）" if language == "ja" else f"{text} ({label})"


def _is_taken_elsewhere(link: PasswordLink) -> bool:
    return User.objects.filter(email__iexact=link.email).exclude(company_id=link.company_id).exists()


def compose(link: PasswordLink, token: str) -> tuple[str, str]:
    """(subject, body) in the link's language."""
    inviter = link.invited_by.display_name if link.invited_by else link.company.name
    values = {
        "company": link.company.name,
        "inviter": inviter,
        "url": link_url(token),
        "expires": expiry_text(link.expires_at, link.language),
    }
    with translation.override(link.language):
        if link.kind == PasswordLink.Kind.PASSWORD and link.invited_by is None:
            # From the onboarding command: there is no admin to ask yet, only whoever set HERP up.
            return _("[HERP] Set your password"), _(
                "A link to set your password for %(company)s in HERP, the applicant tracking system:\n\n"
                "%(url)s\n\n"
                "The link works once, until %(expires)s. If it has expired, ask whoever set HERP up for you for a "
                "new one.\n"
                "If you did not expect this e-mail, you can ignore it."
            ) % values
        if link.kind == PasswordLink.Kind.PASSWORD:
            return _("[HERP] Set your password"), _(
                "A link to set your password for %(company)s in HERP, the applicant tracking system:\n\n"
                "%(url)s\n\n"
                "The link works once, until %(expires)s. If it has expired, ask an admin of %(company)s for a new "
                "one.\n"
                "If you did not expect this e-mail, you can ignore it: your password stays as it is."
            ) % values
        if _is_taken_elsewhere(link):
            return _("[HERP] %(company)s invited you") % values, _(
                "%(inviter)s invited this e-mail address to join %(company)s in HERP, the applicant tracking "
                "system.\n\n"
                "This address already has a HERP account with another company, and an address can belong to "
                "one company only, so this invitation cannot make an account. If you want to join "
                "%(company)s, reply to %(inviter)s with another address of yours.\n"
                "Your existing account is not changed."
            ) % values
        return _("[HERP] %(company)s invited you") % values, _(
            "%(inviter)s invited you to join %(company)s in HERP, the applicant tracking system.\n\n"
            "Set your password here to start:\n%(url)s\n\n"
            "The link works once, until %(expires)s. If it has expired, ask %(inviter)s to send the invitation "
            "again.\n"
            "If you did not expect this invitation, you can ignore this e-mail."
        ) % values


def link_send(*, link_id: int, token: str) -> bool:
    """Mails the link; returns False (and keeps the reason on the row) when the mail server failed."""
    link = PasswordLink.objects.select_related("company", "invited_by").filter(pk=link_id).first()
    if link is None:
        return False
    subject, body = compose(link, token)
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[link.email])
    except (smtplib.SMTPException, OSError) as exc:
        detail = getattr(exc, "smtp_error", b"")
        detail = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        reason = f"{type(exc).__name__}: {detail or exc}"[:300]
        PasswordLink.objects.filter(pk=link_id).update(send_error=reason)
        # Ids only: the message would carry the address, the mail the secret.
        logger.warning("Could not send password link %s (%s).", link_id, type(exc).__name__)
        return False
    if link.send_error:
        PasswordLink.objects.filter(pk=link_id).update(send_error="")
    return True
