"""RELIABILITY T11: the 500 e-mail to ADMINS never carries a callback's code or state."""

from __future__ import annotations

import logging

from django.core import mail
from django.test import RequestFactory
from django.utils.log import AdminEmailHandler


def test_error_mails_hide_query_strings(settings):
    settings.ADMINS = [("Ops", "ops@herp.example")]
    request = RequestFactory().get(
        "/accounts/zoom/callback/",
        {"code": "secret-auth-code-123", "state": "secret-state-456"},
        HTTP_REFERER="https://zoom.example/oauth/authorize?code_challenge=abc",
    )
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Bad Gateway: %s", (request.path,), None)
    record.request = request
    record.status_code = 502

    AdminEmailHandler(include_html=True).emit(record)

    [message] = mail.outbox
    everything = message.body + "".join(str(part[0]) for part in message.alternatives)
    assert "secret-auth-code-123" not in everything
    assert "secret-state-456" not in everything
    assert "code_challenge=abc" not in everything
    assert "/accounts/zoom/callback/" in everything
