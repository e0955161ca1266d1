"""Texts the schedule pages show for the host rule, meeting states and Zoom's overrides
(DESIGN.md section 1, points 3 and 4). Kept together so the translator sees them side by side."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from scheduling.selectors import HostReason
from zoom.meetings.bodies import MeetingWarning
from zoom.models import ZoomMeeting

HOST_REASONS: dict[str, Promise] = {
    HostReason.SINGLE_LINKED: _("%(name)s hosts: the only participant who has linked Zoom."),
    HostReason.SMALLEST_LINK_ID: _(
        "%(name)s hosts: several participants have linked Zoom, and the host is the one whose Zoom link "
        "was set up in HERP first (HERP picks the smallest of the IDs it keeps for each link). The others "
        "become alternative hosts."
    ),
    HostReason.INSTALLER_FALLBACK: _(
        "%(name)s hosts: no participant has linked Zoom, so the person who connected your company's Zoom hosts."
    ),
    HostReason.NONE_AVAILABLE: _(
        "Nobody can host: no participant has linked Zoom, and your company's Zoom connection is not connected."
    ),
}

# NONE_AVAILABLE while the company is still attached to Zoom, but its installer cannot host.
INSTALLER_LOST = _(
    "Nobody can host: no participant has linked Zoom, and %(name)s, who connected your company's Zoom, can "
    "no longer host because their Zoom authorization has ended. An admin reconnects Zoom in External service "
    "integration, or a participant links Zoom in External service accounts."
)

# NONE_AVAILABLE because the person who connected the company's Zoom left (deactivated).
INSTALLER_LEFT = _(
    "Nobody can host: no participant has linked Zoom, and %(name)s, who connected your company's Zoom, has left "
    "HERP. An admin reconnects Zoom in External service integration, or a participant links Zoom in External "
    "service accounts."
)

STATUS_EXPLANATIONS: dict[str, Promise] = {
    ZoomMeeting.Status.PENDING: _("The meeting is queued to be sent to Zoom. This page shows the URL once it exists."),
    ZoomMeeting.Status.CREATING: _("The meeting is being created in Zoom."),
    ZoomMeeting.Status.CREATED: _("The meeting exists in Zoom and matches this schedule."),
    ZoomMeeting.Status.UPDATING: _("Zoom is being updated with the latest changes."),
    ZoomMeeting.Status.DELETING: _("The meeting is being deleted in Zoom."),
    ZoomMeeting.Status.DELETED: _("The meeting was deleted in Zoom."),
    ZoomMeeting.Status.FAILED: _("Zoom could not be updated. Read the error below, fix its cause, then press Retry."),
    ZoomMeeting.Status.NEEDS_ATTENTION: _(
        "An earlier request may have created this meeting in Zoom, and Zoom could not be searched for it. Check the "
        "host's upcoming meetings in Zoom: if a meeting with this title exists, delete it there; then press Retry "
        "to create it again."
    ),
}

CHANGED_IN_ZOOM_REMEDY = _(
    "Someone keeps changing this interview's meeting in Zoom, so HERP stopped putting it back for today. Ask "
    "the host to leave the meeting as it is in Zoom (change the interview in HERP instead), then press “Send "
    "to Zoom again”."
)

DISCONNECTED_REMEDY = _(
    "The host's Zoom link or the company's connection no longer works. The host links Zoom again in External "
    "service accounts (or an admin reconnects Zoom); the meeting then resumes by itself."
)


@dataclass(frozen=True)
class Remedy:
    problem: Promise
    remedy: Promise
    who: Promise


HOST_OR_ADMIN = _(
    "The host, in Zoom's settings. If the setting is locked (greyed out), a Zoom admin of your company's account."
)

REMEDIES: dict[str, Remedy] = {
    MeetingWarning.WAITING_ROOM_ON: Remedy(
        problem=_("Zoom turned the waiting room on, so guests wait until the host lets them in."),
        remedy=_(
            "Turn off “Waiting room” in Zoom: Settings › Meeting › Security, "
            "then press “Send to Zoom again” on this page."
        ),
        who=HOST_OR_ADMIN,
    ),
    MeetingWarning.JOIN_BEFORE_HOST_OFF: Remedy(
        problem=_("Zoom turned “Allow participants to join before host” off, so guests see “waiting for the host”."),
        remedy=_(
            "Turn on “Allow participants to join before host” in Zoom: Settings › Meeting › Schedule Meeting, "
            "then press “Send to Zoom again” on this page."
        ),
        who=HOST_OR_ADMIN,
    ),
    MeetingWarning.PASSCODE_NOT_EMBEDDED: Remedy(
        problem=_("The passcode is not embedded in the URL, so guests must type it."),
        remedy=_(
            "Turn on “Embed passcode in invite link for one-click join” in Zoom: Settings › Meeting › Security. "
            "Meanwhile send the passcode with the URL."
        ),
        who=_("A Zoom admin of your company's account (or the host, if the setting is not locked)."),
    ),
    MeetingWarning.ALTERNATIVE_HOSTS_REJECTED: Remedy(
        problem=_("Zoom refused the alternative hosts, so only the host can start this meeting."),
        remedy=_(
            "Alternative hosts must be licensed users of your company's Zoom account. Check their Zoom users in "
            "Zoom's Admin › User Management › Users, then press “Send to Zoom again” on this page."
        ),
        who=_("A Zoom admin of your company's account."),
    ),
    MeetingWarning.PASSCODE_SET_BY_ZOOM: Remedy(
        problem=_("Your Zoom account's passcode rules refused our passcode, so Zoom set one itself."),
        remedy=_("Nothing to do: the passcode shown here is the one Zoom set."),
        who=_("Nobody."),
    ),
}

# Always worth saying when guests report "waiting for the host" (DESIGN.md section 1, point 4).
WAITING_FOR_HOST_TIP = _(
    "If guests see “waiting for the host”: the host must sign in to Zoom with %(email)s, the Zoom user linked here."
)


# What a change made in Zoom touched, in the schedule page's words (zoom.meetings.bodies.differences).
ZOOM_FIELD_LABELS: dict[str, Promise] = {
    "deleted": _("the meeting was deleted"),
    "topic": _("title"),
    "start_time": _("start time"),
    "duration": _("duration"),
    "timezone": _("time zone"),
    "agenda": _("description"),
    "waiting_room": _("waiting room"),
    "join_before_host": _("join before host"),
    "alternative_hosts": _("alternative hosts"),
}
