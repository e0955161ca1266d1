"""Run the invitations' sweeper once, by hand (eager mode has no beat): ``manage.py sweep_invitations``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from scheduling.invitations.delivery import STALE_AFTER, invitations_sweep


class Command(BaseCommand):
    help = "Queue again invitation e-mails left waiting, due for a retry, or held by a worker that died."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(STALE_AFTER.total_seconds()),
            help="Seconds a waiting message must be untouched before it is queued again (default %(default)s).",
        )

    def handle(self, *args: Any, stale_after: int, **options: Any) -> None:
        queued = invitations_sweep(stale_after=timedelta(seconds=stale_after))
        self.stdout.write(f"Queued {len(queued)} invitation message(s) again." + (f" ids: {queued}" if queued else ""))
