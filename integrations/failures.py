"""What a failed Zoom handshake tells the person: a title and an explanation per reason.

Shared by the company connection and the personal link, whose token and state failures are the same.
Texts may use the failure's context (``%(email)s``); they never show a token or code.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from integrations.services import ConnectionFailed

FAILED = _("The connection failed. Please try again.")
ZOOM_DID_NOT_ANSWER = _("Zoom did not answer")

TEXTS: dict[str, tuple[Promise, Promise]] = {
    "state": (
        FAILED,
        _(
            "This page was opened from an old, reused or someone else's Zoom link, so nothing was changed. "
            "Start again with Retry."
        ),
    ),
    "denied": (
        _("Zoom was not authorized"),
        _("You chose not to allow the app in Zoom. Nothing was changed. Press Retry to try again."),
    ),
    "no_code": (FAILED, _("Zoom sent us back without an authorization. Nothing was changed.")),
    "code_rejected": (
        FAILED,
        _("Zoom's authorization expired or was already used. Nothing was stored. Press Retry."),
    ),
    "zoom_unavailable": (
        ZOOM_DID_NOT_ANSWER,
        _("Zoom did not answer in time or had a problem. Nothing was changed. Press Retry in a moment."),
    ),
    "zoom_error": (
        ZOOM_DID_NOT_ANSWER,
        _("Zoom gave an unexpected answer. Nothing was changed. Press Retry in a moment."),
    ),
    "invalid_client": (
        _("Zoom refused this server"),
        _(
            "Zoom refused the app's credentials configured on this server. Our operators have been alerted; "
            "please try again later."
        ),
    ),
    "no_refresh_token": (
        FAILED,
        _("Zoom's answer was incomplete, so nothing could be stored. Press Retry."),
    ),
    "zoom_user_pending": (
        _("This Zoom user has not accepted its invitation"),
        _("Accept the invitation e-mail from Zoom first, then try again."),
    ),
    "zoom_user_inactive": (
        _("This Zoom user is deactivated"),
        _("The Zoom user %(email)s is not active. Ask a Zoom admin to activate it, then try again."),
    ),
    "account_taken": (
        _("This Zoom account is connected to another company"),
        _(
            "The Zoom account of %(email)s is already connected to another company in HERP. One Zoom account "
            "can serve only one company. Nothing was changed."
        ),
    ),
    "zoom_user_taken": (
        _("This Zoom user is used by another company"),
        _(
            "The Zoom user %(email)s already serves another company in HERP, so it cannot connect this one. "
            "Sign in to Zoom with another Zoom user of your company's account and press Retry."
        ),
    ),
    "not_started": (
        FAILED,
        _("Zoom was disconnected while you were on Zoom's page. Press Retry to connect again."),
    ),
}


def failure_text(
    failure: ConnectionFailed, extra: Mapping[str, tuple[Promise, Promise]] | None = None
) -> tuple[str, str]:
    texts = {**TEXTS, **(extra or {})}
    title, explanation = texts.get(failure.reason, TEXTS["zoom_error"])
    values = {"email": failure.context.get("zoom_email", ""), **failure.context}
    return str(title), str(explanation) % values if "%(" in str(explanation) else str(explanation)
