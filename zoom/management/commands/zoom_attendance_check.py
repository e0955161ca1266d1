"""The waiting-guest due check, by hand (``make run`` has no beat): ``manage.py zoom_attendance_check``.

With ``--every N`` it keeps checking every N seconds until interrupted, as beat does in production."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zoom.attendance import attendance_check_due


class Command(BaseCommand):
    help = "Report guests left alone in interview meetings past their start and grace period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="Repeat every this many seconds (0: once).")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            checked = attendance_check_due()
            self.stdout.write(f"Checked {checked} meeting(s) past their start and grace period.")
            if every <= 0:
                return
            time.sleep(every)
