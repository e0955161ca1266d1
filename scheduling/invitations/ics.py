"""One recipient's calendar object (RFC 5545, iTIP RFC 5546), built with the icalendar library.

Facts and sources: ../shared/zoom/NOTES.md section 13. Each object carries one VEVENT whose UID is the
interview's (stable for its life), whose SEQUENCE is the version's, and whose DTSTAMP is when that
version was generated, so a resend or a retry after a crash is byte-for-byte the same event. The
attendees are the organizer and this recipient only: a candidate never sees the interviewers'
addresses. RSVP is FALSE: nothing reads replies. Never the start URL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from scheduling.invitations import content

PRODID = "-//HERP//Interview invitations//EN"


def uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "herp.invalid"


def event_uid(invitation_uid: object) -> str:
    return f"interview-{invitation_uid}@{uid_domain()}"


def calendar_bytes(
    *,
    method: str,
    uid: str,
    sequence: int,
    stamp: datetime,
    event: dict[str, Any],
    summary: str,
    description: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
) -> bytes:
    """``organizer`` and ``attendee`` are (display name, address)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", stamp.astimezone(UTC))
    # Local time with its TZID (and the VTIMEZONE below): clients show the interview in its own zone.
    zone = ZoneInfo(event["timezone"])
    vevent.add("dtstart", content.starts_at(event).astimezone(zone))
    vevent.add("dtend", content.ends_at(event).astimezone(zone))
    vevent.add("summary", summary)
    vevent.add("description", description)
    if event.get("join_url"):
        vevent.add("location", event["join_url"])
        vevent.add("url", event["join_url"])
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", _address(organizer))
    vevent.add(
        "attendee",
        _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE", CUTYPE="INDIVIDUAL"),
    )
    calendar.add_component(_vtimezone(event["timezone"], content.starts_at(event).year))
    calendar.add_component(vevent)
    ical: bytes = calendar.to_ical()
    return ical


@cache
def _vtimezone(zone: str, year: int) -> Timezone:
    """The VTIMEZONE that RFC 5545 requires for the TZID used, from the zone's own rules, over the years
    around the interview (building it takes tens of milliseconds: made once per zone and year)."""
    return Timezone.from_tzinfo(
        ZoneInfo(zone), tzid=zone, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1)
    )


def _address(person: tuple[str, str], **params: str) -> vCalAddress:
    name, email = person
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address
