"""``manage.py seed_emulator [--reset]``: put the Zoom emulator in its initial state (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zoom_emulator.seed import seed


class Command(BaseCommand):
    help = "Seed the Zoom emulator's accounts, users and the product's OAuth app. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Empty every emulator table first.")
        parser.add_argument("--client-id", help="Defaults to settings.ZOOM_CLIENT_ID.")
        parser.add_argument("--client-secret", help="Defaults to settings.ZOOM_CLIENT_SECRET.")
        parser.add_argument("--webhook-secret", help="Defaults to settings.ZOOM_WEBHOOK_SECRET_TOKENS[0].")
        parser.add_argument("--site-url", help="Defaults to settings.SITE_URL.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed(
            reset=options["reset"],
            client_id=options["client_id"],
            client_secret=options["client_secret"],
            webhook_secret=options["webhook_secret"],
            site_url=options["site_url"],
        )
        self.stdout.write(
            f"Zoom emulator seeded: {len(result.accounts)} accounts, {len(result.users)} users, "
            f"app {result.app.name!r} ({result.app.client_id})."
        )
