"""``{{ value|local_time:zone }}``: a time shown in a stored zone, whatever the row holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import dateformat
from django.utils import timezone as django_timezone

from herp import timeformat
from herp.timebounds import in_zone

register = template.Library()


@register.filter
def local_time(value: Any, zone_name: str | None = None) -> str:
    """``Y-m-d H:i`` in ``zone_name`` (the current zone when none). Unlike Django's ``timezone`` filter,
    an unknown zone name or a time at the calendar's edge never raises: it falls back to UTC."""
    if not isinstance(value, datetime):
        return ""
    if django_timezone.is_naive(value):
        return dateformat.format(value, "Y-m-d H:i")
    name = zone_name or django_timezone.get_current_timezone_name()
    return dateformat.format(in_zone(value, name), "Y-m-d H:i")


@register.simple_tag
def when_range(start: Any, minutes: Any, zone: Any) -> str:
    """``{% when_range s.starts_at s.duration_minutes s.timezone %}`` → 「12月16日(水) 14:00–15:00」, with the
    zone when it is not the viewer's (herp.timeformat)."""
    if not isinstance(start, datetime):
        return ""
    if django_timezone.is_naive(start):
        return dateformat.format(start, "Y-m-d H:i")
    try:
        length = int(minutes)
    except (TypeError, ValueError):
        length = 0
    return timeformat.when_range(start, length, str(zone or ""))
