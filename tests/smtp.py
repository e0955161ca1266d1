"""A real SMTP server for the integration and browser tiers (aiosmtpd), on a free loopback port, that
records what it accepted and can be told to misbehave: be down, answer slowly, refuse an address,
answer 4xx for a while, or accept a message and then hang before saying so (a worker killed meanwhile
has sent it without knowing)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Accepted:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    at: float


@dataclass
class Behaviour:
    refuse: set[str] = field(default_factory=set)  # addresses answered 550 at RCPT
    busy: int = 0  # the next N messages are answered 451 at DATA (nothing stored)
    slow_mail_seconds: float = 0.0  # a pause before answering MAIL FROM (the client may time out)
    hang_after_accept_seconds: float = 0.0  # the next message is stored, then the answer waits this long


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        pause = self.server.behaviour.slow_mail_seconds
        if pause:
            await asyncio.sleep(pause)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address.lower() in self.server.behaviour.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        behaviour = self.server.behaviour
        with self.server.lock:
            if behaviour.busy > 0:
                behaviour.busy -= 1
                return "451 4.3.0 Mailbox busy, try again later"
            self.server.accepted.append(
                Accepted(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content), time.monotonic())
            )
            hang, behaviour.hang_after_accept_seconds = behaviour.hang_after_accept_seconds, 0.0
        if hang:
            await asyncio.sleep(hang)
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.behaviour = Behaviour()
        self.accepted: list[Accepted] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def serve_django(self, settings: Any) -> SmtpServer:
        """This process's Django mail goes here (``settings``: pytest-django's fixture, restored after the test)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return self

    @property
    def running(self) -> bool:
        return self._controller is not None

    def messages(self) -> list[bytes]:
        with self.lock:
            return [item.content for item in self.accepted]

    def wait_for(
        self, check: Callable[[list[bytes]], Any], *, timeout: float = 30.0, what: str = "mail"
    ) -> list[bytes]:
        """The messages accepted so far, once ``check(messages)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages()
            if check(messages):
                return messages
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; got {len(self.messages())}")
            time.sleep(0.1)
