"""What we ask Zoom for a meeting, and what we make of its answer.

Request bodies are the REST client's ``TypedDict`` types, so mypy checks every key we send. The guest
settings are the same on create and update, so a PATCH puts back whatever someone changed in Zoom.
``override_warnings`` reads what Zoom applied (account locks, "one security option" rules) and names
each place it did not do what we asked; each has a remedy on the schedule's page (DESIGN.md 1.4).
"""

from __future__ import annotations

import secrets
import string
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from integrations.zoom_api.client import MeetingCreateBody, MeetingSettingsBody, MeetingUpdateBody, ZoomMeetingInfo
from zoom.models import ZoomMeeting

# Our marker in the agenda: finds the meeting again after a lost answer. Old and new meetings of one
# schedule carry different uuids.
MARKER_PREFIX = "herp-meeting:"
PASSCODE_LENGTH = 10  # Zoom's maximum
# Zoom's meeting type 2: a scheduled meeting. approval_type 2: no registration.
SCHEDULED_MEETING = 2
NO_REGISTRATION = 2


class MeetingWarning(StrEnum):
    """Where Zoom did not do what we asked. Each has a remedy on the schedule's page (DESIGN.md 1.4)."""

    WAITING_ROOM_ON = "waiting_room_on"
    JOIN_BEFORE_HOST_OFF = "join_before_host_off"
    PASSCODE_NOT_EMBEDDED = "passcode_not_embedded"
    ALTERNATIVE_HOSTS_REJECTED = "alternative_hosts_rejected"
    PASSCODE_SET_BY_ZOOM = "passcode_set_by_zoom"


def marker(meeting: ZoomMeeting) -> str:
    return f"{MARKER_PREFIX}{meeting.uuid}"


def generate_passcode() -> str:
    """10 letters and digits, at least one of each (the usual account passcode rules)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        passcode = "".join(secrets.choice(alphabet) for _ in range(PASSCODE_LENGTH))
        if any(c.isdigit() for c in passcode) and any(c.isalpha() for c in passcode):
            return passcode


def local_start(meeting: ZoomMeeting) -> str:
    # Local wall-clock time plus ``timezone``: Zoom then shows the meeting in the interview's zone.
    return meeting.start_time.astimezone(ZoneInfo(meeting.timezone)).strftime("%Y-%m-%dT%H:%M:%S")


def settings_body(meeting: ZoomMeeting) -> MeetingSettingsBody:
    return {
        # Guests must get in without the host (DESIGN.md section 1, point 4).
        "join_before_host": True,
        "jbh_time": 0,
        "waiting_room": False,
        "approval_type": NO_REGISTRATION,
        "alternative_hosts": ";".join(meeting.alternative_hosts),
    }


def update_body(meeting: ZoomMeeting) -> MeetingUpdateBody:
    return {
        "topic": meeting.topic,
        "start_time": local_start(meeting),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": marker(meeting),
        "settings": settings_body(meeting),
    }


def create_body(meeting: ZoomMeeting) -> MeetingCreateBody:
    return {**update_body(meeting), "type": SCHEDULED_MEETING, "password": generate_passcode()}


def without_passcode(body: MeetingCreateBody) -> MeetingCreateBody:
    """The account's passcode rules refused ours: let Zoom make one that satisfies them."""
    fallback: MeetingCreateBody = {**body, "default_password": True}
    fallback.pop("password", None)
    return fallback


SETTINGS_KEPT = (
    "waiting_room",
    "join_before_host",
    "jbh_time",
    "approval_type",
    "alternative_hosts",
    "meeting_authentication",
    "mute_upon_entry",
)


def effective_settings(info: ZoomMeetingInfo) -> dict[str, Any]:
    return {key: info.settings[key] for key in SETTINGS_KEPT if key in info.settings}


def override_warnings(info: ZoomMeetingInfo) -> list[str]:
    """Zoom may override what we asked (account locks, the "one security option" rule): trust the answer."""
    warnings = []
    if info.settings.get("waiting_room") is True:
        warnings.append(MeetingWarning.WAITING_ROOM_ON)
    if info.settings.get("join_before_host") is False:
        warnings.append(MeetingWarning.JOIN_BEFORE_HOST_OFF)
    if info.password and "pwd=" not in info.join_url:
        warnings.append(MeetingWarning.PASSCODE_NOT_EMBEDDED)
    return warnings


def differences(meeting: ZoomMeeting, info: ZoomMeetingInfo) -> list[str]:
    """The fields where the meeting at Zoom is not the desired one (empty: they match).

    It tells whether a PATCH whose answer was lost took effect (T28) and whether a change made in Zoom
    needs putting back (issue 14); our own changes echoing back as events match, so they are ignored.
    A setting Zoom overrode on its own (a locked waiting room, already a warning on the row) is no
    difference: sending again cannot change it.
    """
    found = []
    if info.topic != meeting.topic:
        found.append("topic")
    if info.start_time is None or info.start_time.replace(microsecond=0) != meeting.start_time.replace(microsecond=0):
        found.append("start_time")
    if info.duration != meeting.duration:
        found.append("duration")
    if info.timezone and info.timezone != meeting.timezone:
        found.append("timezone")
    if marker(meeting) not in info.agenda:
        found.append("agenda")
    found += _settings_differences(meeting, info)
    return found


def _settings_differences(meeting: ZoomMeeting, info: ZoomMeetingInfo) -> list[str]:
    found = []
    overridden = set(meeting.warnings)
    if info.settings.get("waiting_room") is True and MeetingWarning.WAITING_ROOM_ON not in overridden:
        found.append("waiting_room")
    if info.settings.get("join_before_host") is False and MeetingWarning.JOIN_BEFORE_HOST_OFF not in overridden:
        found.append("join_before_host")
    hosts = info.settings.get("alternative_hosts")
    rejected = MeetingWarning.ALTERNATIVE_HOSTS_REJECTED in overridden
    if isinstance(hosts, str) and not rejected and _emails(hosts) != _emails(";".join(meeting.alternative_hosts)):
        found.append("alternative_hosts")
    return found


def _emails(value: str) -> set[str]:
    return {part.strip().lower() for part in value.replace(",", ";").split(";") if part.strip()}
