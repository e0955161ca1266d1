"""A line per company: its Zoom connection, its people's links and its meetings' trouble.

python manage.py zoom_status            # every company
python manage.py zoom_status --problems # only companies with something to look at
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from herp.models import Company
from integrations.models import ZoomInstallation
from zoom.models import ZoomMeeting, ZoomUser

TROUBLED_MEETINGS = (ZoomMeeting.Status.FAILED, ZoomMeeting.Status.NEEDS_ATTENTION)


def _counts(queryset: Any, field: str) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    for row in queryset.values("company_id", field).annotate(n=Count("pk")):
        counts.setdefault(row["company_id"], Counter())[row[field]] = row["n"]
    return counts


class Command(BaseCommand):
    help = "Print each company's Zoom connection state, links and meetings pending or failed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--problems", action="store_true", help="Only companies needing attention.")

    def handle(self, *args: Any, problems: bool, **options: Any) -> None:
        installations = dict(ZoomInstallation.objects.values_list("company_id", "status"))
        links = _counts(ZoomUser.objects.all(), "status")
        meetings = _counts(ZoomMeeting.objects.exclude(status=ZoomMeeting.Status.DELETED), "status")
        for company in Company.objects.order_by("pk"):
            state = installations.get(company.pk, ZoomInstallation.Status.NOT_CONNECTED)
            link = links.get(company.pk, Counter())
            meeting = meetings.get(company.pk, Counter())
            pending = sum(meeting[status] for status in ZoomMeeting.WORKABLE)
            failed = sum(meeting[status] for status in TROUBLED_MEETINGS)
            troubled = state in ("needs_reconnect", "revoked") or link["invalid"] or failed
            if problems and not troubled:
                continue
            self.stdout.write(
                f"{company.pk}\t{company.name}\tconnection={state}\tlinked={link['active']}\tinvalid={link['invalid']}"
                f"\tmeetings_pending={pending}\tmeetings_failed={failed}"
            )
