"""Operator alerts: one structured line on the ``herp.alerts`` logger, and ``mail_admins`` when
ADMINS is set. Event names are fixed (``AlertEvent``) so that log-based monitoring can match them.

Callers pass identifiers and short reasons only: never a token, code, verifier or secret.
"""

from __future__ import annotations

import json
import logging
from enum import StrEnum

from django.conf import settings
from django.core.mail import mail_admins

logger = logging.getLogger("herp.alerts")

Field = str | int | float | bool | None


class AlertEvent(StrEnum):
    # Zoom refused our client credentials (401 invalid_client): the app's secret is wrong or was
    # rotated in Zoom. No company is at fault; operators must fix the configuration.
    ZOOM_CLIENT_REJECTED = "zoom.client_rejected"
    # A grant could not be refreshed and is now invalid (invalid_grant, 4735, a lost response).
    ZOOM_GRANT_LOST = "zoom.grant_lost"
    # A company's connection needs an admin to reconnect.
    ZOOM_CONNECTION_NEEDS_RECONNECT = "zoom.connection_needs_reconnect"
    # A stored token could not be decrypted (a missing or wrong TOKEN_ENCRYPTION_KEYS entry).
    TOKEN_DECRYPT_FAILED = "tokens.decrypt_failed"
    # A meeting failed for good after its bounded retries.
    ZOOM_MEETING_FAILED = "zoom.meeting_failed"
    # A webhook arrived with a signature none of our secrets verify.
    ZOOM_WEBHOOK_REJECTED = "zoom.webhook_rejected"
    # An invitation e-mail failed for good: the mail server refused it, or stayed down through the
    # bounded retries. The schedule's page shows it with 「再送」.
    INVITATION_FAILED = "invitations.failed"


def alert(event: AlertEvent, message: str, **fields: Field) -> None:
    record = {"event": event.value, "message": message, **fields}
    line = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    logger.error(line)
    if settings.ADMINS:
        details = "\n".join(f"{key}: {value}" for key, value in sorted(record.items()))
        mail_admins(subject=f"{event.value}: {message}"[:150], message=details, fail_silently=True)
