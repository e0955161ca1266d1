"""What a person's calendar event says: the facts of one version, what about them matters to that
person, and the date and time as they read it.

A version's facts are a plain dict (stored on the message row, so a resend is the same event):
``title``, ``company``, ``candidate_name``, ``starts_at`` (ISO, UTC), ``duration``, ``timezone``,
``location``, ``join_url``, ``meeting_id``, ``passcode``, ``host``, ``interviewers`` (names, the
candidate's events only) and ``schedule_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from herp.timebounds import add_minutes, in_zone
from herp.timeformat import same_clock

# What matters to a person about their event; nothing else makes a new version (a new title, say).
# "email": a person whose address changed needs the event at the new address.
MATTERS = (
    "email",
    "starts_at",
    "duration",
    "timezone",
    "location",
    "join_url",
    "meeting_id",
    "passcode",
    "interviewers",
)
# Which change a person is told about in an update, in the order the mail names them.
CHANGE_OF = {
    "starts_at": "time",
    "duration": "time",
    "timezone": "time",
    "join_url": "url",
    "meeting_id": "url",
    "passcode": "url",
    "location": "location",
    "interviewers": "interviewers",
}
CHANGE_ORDER = ("time", "location", "url", "interviewers")


def fingerprint(method: str, email: str, event: dict[str, Any]) -> tuple[Any, ...]:
    if method == "CANCEL":
        return ("CANCEL",)
    facts = {**event, "email": email}
    return ("REQUEST", *(_frozen(facts.get(key)) for key in MATTERS))


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found = {CHANGE_OF[key] for key in CHANGE_OF if _frozen(before.get(key)) != _frozen(after.get(key))}
    return [change for change in CHANGE_ORDER if change in found]


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- Dates and times ---------------------------------------------------------------------------------


def starts_at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["starts_at"])


def ends_at(event: dict[str, Any]) -> datetime:
    # A row stored at the calendar's edge saturates instead of overflowing (herp.timebounds, T29).
    return add_minutes(starts_at(event), int(event["duration"]))


def zone_label(zone: str) -> str:
    # Japan has one zone, and a Japanese HR team writes 日本時間 rather than an IANA name.
    return _("Japan time") if zone == "Asia/Tokyo" else zone


def when_in(event: dict[str, Any], zone: str, language: str) -> str:
    """「2030年4月1日（月）10:00〜11:00（日本時間）」 / "Monday, 1 April 2030, 10:00–11:00 (Japan time)"."""
    start, end = in_zone(starts_at(event), zone), in_zone(ends_at(event), zone)
    with translation.override(language):
        if language == "ja":
            day, time_format, dash = "Y年n月j日（D）", "G:i", "〜"
            end_day = "n月j日（D）"
        else:
            day, time_format, dash = "l, j F Y, ", "H:i", "–"
            end_day = "l, j F, "
        text = dateformat.format(start, day) + dateformat.format(start, time_format) + dash
        if end.date() != start.date():
            text += dateformat.format(end, end_day)
        text += dateformat.format(end, time_format)
        label = zone_label(zone)
        return f"{text}（{label}）" if language == "ja" else f"{text} ({label})"


def when_lines(event: dict[str, Any], recipient_zone: str, language: str) -> list[str]:
    """The time in the interview's zone, and in the recipient's when their clock reads otherwise."""
    lines = [when_in(event, event["timezone"], language)]
    if recipient_zone and not same_clock(starts_at(event), event["timezone"], recipient_zone):
        with translation.override(language):
            lines.append(_("In your time zone: %(when)s") % {"when": when_in(event, recipient_zone, language)})
    return lines
