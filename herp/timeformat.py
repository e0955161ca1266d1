"""An interview's date and time as an HR person reads it: 「12月16日(水) 14:00–15:00」, "Wed, Dec 16,
14:00–15:00".

Shown in the interview's own zone (the time it was planned in). The year appears only when it is not the
current one, the end's date only when it is another day, and the zone only when the viewer's clock reads
otherwise at that moment (Asia/Seoul and Asia/Tokyo read the same, so a Seoul viewer sees no label).
Stored rows at the calendar's edges never raise (herp.timebounds).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, translation
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _

from herp.timebounds import add_minutes, in_zone


def zone_label(zone: str) -> str:
    # Japan has one zone, and a Japanese HR team writes 日本時間 rather than an IANA name.
    return _("Japan time") if zone == "Asia/Tokyo" else zone


def same_clock(moment: datetime, zone: str, other: str) -> bool:
    return in_zone(moment, zone).utcoffset() == in_zone(moment, other).utcoffset()


def when_range(
    start: datetime, minutes: int, zone: str, *, viewer_zone: str | None = None, language: str | None = None
) -> str:
    viewer_zone = viewer_zone or django_timezone.get_current_timezone_name()
    language = language or translation.get_language() or "ja"
    begin, end = in_zone(start, zone), in_zone(add_minutes(start, minutes), zone)
    this_year = in_zone(django_timezone.now(), zone).year
    with translation.override(language):
        if language == "ja":
            day = "Y年n月j日(D)" if begin.year != this_year else "n月j日(D)"
            end_day, clock = "n月j日(D) ", "G:i"
        else:
            day = "D, M j, Y," if begin.year != this_year else "D, M j,"
            end_day, clock = "D, M j, ", "H:i"
        text = f"{dateformat.format(begin, day)} {dateformat.format(begin, clock)}–"
        if end.date() != begin.date():
            text += dateformat.format(end, end_day)
        text += dateformat.format(end, clock)
        if not same_clock(start, zone, viewer_zone):
            text += f" ({zone_label(zone)})"
    return text
