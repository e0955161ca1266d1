"""Runs Zoom upkeep once by hand (beat runs it on a schedule): refresh, re-check, revoke unused."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zoom.upkeep import upkeep_run


class Command(BaseCommand):
    help = "Refresh grants before they go stale, re-check links and installers, revoke unused grants."

    def handle(self, *args: Any, **options: Any) -> None:
        report = upkeep_run()
        self.stdout.write(f"Zoom upkeep: {report.as_line()}")
        for error in report.errors:
            self.stdout.write(f"  {error}")
