"""A mail backend that fails as a test tells it to, then delivers to Django's locmem outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

PATH = "tests.unit.invitations.backends.ScriptedBackend"


class ScriptedBackend(BaseEmailBackend):
    # Each send takes the next entry: an exception to raise, or None to deliver.
    script: list[BaseException | None] = []
    timeouts: list[Any] = []

    def __init__(self, *args: Any, timeout: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ScriptedBackend.timeouts.append(timeout)

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        if ScriptedBackend.script:
            failure = ScriptedBackend.script.pop(0)
            if failure is not None:
                raise failure
        return LocmemBackend().send_messages(email_messages)
