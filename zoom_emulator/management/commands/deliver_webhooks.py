"""``manage.py deliver_webhooks``: make the emulator's webhook attempts that are due, in this process.

Retries normally run on the delivery's own thread in the server process; one that a restart lost (or a
retry left behind by ``webhooks.stop_retries``) stays due in the table until this command runs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zoom_emulator.webhooks import deliver_due


class Command(BaseCommand):
    help = "Send the Zoom emulator's webhook attempts (first attempts and retries) whose time has come."

    def handle(self, *args: Any, **options: Any) -> None:
        made = deliver_due()
        self.stdout.write(f"Zoom emulator: {made} webhook attempt(s) made.")
