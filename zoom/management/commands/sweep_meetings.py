"""Run the meeting sweeper once, by hand (eager mode has no beat): ``manage.py sweep_meetings``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zoom.meetings.sweep import STALE_AFTER, meetings_sweep


class Command(BaseCommand):
    help = "Re-queue Zoom meetings left pending, past their not-before time, or holding an expired lease."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(STALE_AFTER.total_seconds()),
            help="Seconds a pending meeting must be untouched before it is re-queued (default %(default)s).",
        )

    def handle(self, *args: Any, stale_after: int, **options: Any) -> None:
        queued = meetings_sweep(stale_after=timedelta(seconds=stale_after))
        self.stdout.write(f"Re-queued {len(queued)} meeting(s)." + (f" ids: {queued}" if queued else ""))
