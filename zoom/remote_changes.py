"""Changes made in Zoom to our meetings are put right: ``meeting.deleted`` and ``meeting.updated`` (issue 14).

The interview is the source of truth (DESIGN.md: the ATS owns the interview). On either event:

1. Find our meeting by its Zoom number (one indexed lookup; events of meetings we did not make were
   already dropped when they arrived, see ``zoom.webhooks``). A cancelled, replaced or past interview's
   meeting is left alone.
2. Read the meeting from Zoom with the host's token. The event may carry only changed fields, and
   deliveries come late, twice and out of order, so what Zoom holds *now* is compared with the desired
   meeting (``bodies.differences``). No difference: our own change echoing back, or one already put
   right — nothing to do. That comparison is how echoes are recognised: Zoom's events carry no revision
   of ours, and the operator alone cannot tell the host's own edit from our API call.
3. A difference is recorded (``ZoomSideChange``: who changed what and when, as far as Zoom tells) and
   put back — a PATCH of the whole meeting, or a new meeting when it was deleted (its URL then goes
   out through the invitations) — and the host is told once a day why. Past ``PUT_BACKS_PER_DAY`` the
   row is flagged for a person instead of fighting Zoom, whose daily limit counts every update.

A meeting being worked on right now is checked later (the delivery stays unprocessed for the webhook
sweeper), since its own run may be the change Zoom is telling us about.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from herp import notifications as bell
from herp.models import User
from integrations.models import IntegrationEvent
from integrations.tokens import call_with_token
from integrations.zoom_api import client
from integrations.zoom_api.errors import ZoomError, ZoomNotFound
from zoom import payloads
from zoom.meetings import bodies, desired
from zoom.models import WebhookDelivery, ZoomMeeting, ZoomSideChange

logger = logging.getLogger(__name__)

MEETING_DELETED = "meeting.deleted"
MEETING_UPDATED = "meeting.updated"
EVENTS = (MEETING_DELETED, MEETING_UPDATED)
# Each put-back is an update against the host's 100 creates and updates a day (NOTES section 6); a
# meeting that someone keeps changing in Zoom gets a person's attention instead.
PUT_BACKS_PER_DAY = 3
SCHEDULES_PATH = "/schedules/"

Result = WebhookDelivery.Result


class CheckLater(Exception):
    """The meeting is being worked on, or Zoom could not be read now: look again later."""


class Unreadable(Exception):
    """Zoom refuses to show the meeting for good (the host's authorization is gone): its own states say so."""


@dataclass(frozen=True)
class ZoomSays:
    """What the event itself tells (never trusted for the meeting's state, only for the record)."""

    kind: str
    operator: str
    changed_at: datetime | None
    before: dict[str, Any]
    after: dict[str, Any]

    @classmethod
    def from_payload(cls, event: str, payload: dict[str, Any], event_at: datetime | None) -> ZoomSays:
        obj = payloads.mapping(payload.get("object"))
        old = payloads.mapping(payload.get("old_object"))
        operator = payload.get("operator")
        return cls(
            kind=ZoomSideChange.Kind.DELETED if event == MEETING_DELETED else ZoomSideChange.Kind.UPDATED,
            operator=operator[:254] if isinstance(operator, str) else "",
            changed_at=payloads.millis(payload.get("time_stamp")) or event_at,
            before=_plain(old),
            after=_plain(obj),
        )


def ours(zoom_meeting_id: int | None) -> bool:
    """Whether Zoom's meeting number is one of ours: a row holds it. A meeting deleted in Zoom and made
    again no longer holds its old number, so late events about the old one are kept like a stranger's
    (the body's hash only): there is nothing left to act on."""
    return zoom_meeting_id is not None and ZoomMeeting.objects.filter(zoom_meeting_id=zoom_meeting_id).exists()


def remote_change_handle(delivery: WebhookDelivery) -> str:
    """Act on one stored ``meeting.deleted`` / ``meeting.updated``. Raises CheckLater to be looked at again."""
    zoom_id = payloads.meeting_number(delivery.payload)
    meeting = (
        ZoomMeeting.objects.filter(zoom_meeting_id=zoom_id, delete_requested=False)
        .exclude(status=ZoomMeeting.Status.DELETED)
        .first()
        if zoom_id is not None
        else None
    )
    if meeting is None:
        return Result.UNKNOWN_MEETING
    if meeting.end_time < timezone.now():
        return Result.NOT_UPCOMING
    if meeting.is_busy:
        raise CheckLater(f"Zoom meeting {zoom_id} is being worked on.")
    try:
        now_at_zoom = _read_back(meeting)
    except Unreadable:
        return Result.IGNORED
    found = ["deleted"] if now_at_zoom is None else bodies.differences(meeting, now_at_zoom)
    if not found:
        return Result.IN_SYNC
    says = ZoomSays.from_payload(delivery.event, delivery.payload, delivery.event_at)
    return _put_right(meeting, found, says, gone=now_at_zoom is None)


def _read_back(meeting: ZoomMeeting) -> client.ZoomMeetingInfo | None:
    """The meeting as Zoom holds it now, or None when Zoom says it is gone."""
    zoom_id, grant_id = meeting.zoom_meeting_id, meeting.host_grant_id
    if zoom_id is None or grant_id is None:
        raise CheckLater("The meeting has no Zoom number or host grant yet.")
    try:
        return call_with_token(grant_id, lambda token: client.get_meeting(token, zoom_id))
    except ZoomNotFound:
        return None
    except ZoomError as exc:
        if exc.retryable:
            raise CheckLater(str(exc)) from None
        logger.info("Could not read Zoom meeting %s back (%s); leaving it.", zoom_id, type(exc).__name__)
        raise Unreadable(str(exc)) from None


def _put_right(meeting: ZoomMeeting, found: list[str], says: ZoomSays, *, gone: bool) -> str:
    today = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        # Two events of one change can be handled at once (Zoom sends several for one Save, out of order;
        # two worker processes take them): both read the meeting back and both see the difference. The row
        # lock makes them take turns, and the second finds the meeting already being put right (or made
        # again, or changed in HERP since it was read) and looks again later, when Zoom matches.
        current = ZoomMeeting.objects.select_for_update().filter(pk=meeting.pk).first()
        if current is None or current.is_gone:
            return Result.NOT_UPCOMING
        if current.zoom_meeting_id != meeting.zoom_meeting_id and not current.is_busy:
            return Result.UNKNOWN_MEETING  # made again already: the event was about the old meeting
        if current.is_busy or current.revision != meeting.revision:
            raise CheckLater(f"Zoom meeting {meeting.zoom_meeting_id} changed while it was read back.")
        earlier = ZoomSideChange.objects.select_for_update().filter(meeting=meeting, created_at__gte=today)
        put_backs = earlier.exclude(action=ZoomSideChange.Action.FLAGGED).count()
        told_today = earlier.filter(host_notified=True).exists()
        if put_backs >= PUT_BACKS_PER_DAY:
            action = ZoomSideChange.Action.FLAGGED
            desired.meeting_flag(
                meeting_id=meeting.pk,
                failure=ZoomMeeting.Failure.CHANGED_IN_ZOOM,
                message=f"Changed in Zoom {put_backs + 1} times today ({', '.join(found)}); "
                "HERP stopped putting it back. Check with the host, then send it to Zoom again.",
            )
        else:
            action = ZoomSideChange.Action.RECREATED if gone else ZoomSideChange.Action.PUT_BACK
            desired.meeting_put_back(meeting_id=meeting.pk, deleted=gone)
        change = ZoomSideChange.objects.create(
            meeting=meeting,
            company_id=meeting.company_id,
            zoom_meeting_id=meeting.zoom_meeting_id or 0,
            kind=says.kind,
            fields=found,
            before=says.before,
            after=says.after,
            operator=says.operator,
            changed_at=says.changed_at,
            action=action,
            host_notified=not told_today and action != ZoomSideChange.Action.FLAGGED,
        )
        IntegrationEvent.record(
            meeting.company_id,
            IntegrationEvent.Kind.MEETING_CHANGED_IN_ZOOM,
            meeting_id=meeting.pk,
            zoom_meeting_id=meeting.zoom_meeting_id,
            change=says.kind,
            fields=found,
            operator=says.operator,
            action=action,
        )
        if change.host_notified:
            transaction.on_commit(lambda: host_tell(change_id=change.pk))
    logger.info("Zoom meeting %s was %s in Zoom (%s): %s.", meeting.zoom_meeting_id, says.kind, found, action)
    return {
        ZoomSideChange.Action.FLAGGED: Result.FLAGGED,
        ZoomSideChange.Action.RECREATED: Result.RECREATED,
        ZoomSideChange.Action.PUT_BACK: Result.PUT_BACK,
    }[action]


def host_tell(*, change_id: int) -> None:
    """Tells the host why their change in Zoom did not stay (once a day per meeting), by e-mail and in
    their bell."""
    change = ZoomSideChange.objects.select_related("meeting", "meeting__host_user").get(pk=change_id)
    meeting = change.meeting
    host = meeting.host_user
    recipient = host.email if host is not None else meeting.host_email
    if not recipient and host is None:
        return
    url = settings.SITE_URL.rstrip("/") + SCHEDULES_PATH
    with translation.override(_language_of(host)):
        when = timezone.localtime(meeting.start_time).strftime("%Y-%m-%d %H:%M")
        values = {"topic": meeting.topic, "when": when, "url": url}
        if change.kind == ZoomSideChange.Kind.DELETED:
            subject = _("[HERP] A deleted interview meeting was made again")
            title = _("A deleted interview meeting was made again: %(topic)s") % values
            body = (
                _(
                    "The Zoom meeting of the interview “%(topic)s” (%(when)s) was deleted in Zoom.\n\n"
                    "The interview is still scheduled in HERP, so HERP made a new Zoom meeting, and the candidate "
                    "and the interviewers receive the new URL.\n"
                    "To cancel or move the interview, please do it in HERP, not in Zoom:\n%(url)s"
                )
                % values
            )
        else:
            subject = _("[HERP] An interview changed in Zoom was put back")
            title = _("An interview changed in Zoom was put back: %(topic)s") % values
            body = (
                _(
                    "The Zoom meeting of the interview “%(topic)s” (%(when)s) was changed in Zoom.\n\n"
                    "The interview's time and meeting settings are managed in HERP, so HERP changed the Zoom "
                    "meeting back to match the interview.\n"
                    "To move the interview, please edit it in HERP, not in Zoom:\n%(url)s"
                )
                % values
            )
    if host is not None:
        bell.notify(users=[host], key=f"zoom-side-change:{change.pk}", title=title, body=body, url=SCHEDULES_PATH)
    if recipient:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient], fail_silently=True)


def _language_of(user: User | None) -> str:
    language = getattr(user, "language", "") if user is not None else ""
    return language or settings.LANGUAGE_CODE


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """The event's fields worth keeping for the record: short scalars (never a passcode or a URL)."""
    kept: dict[str, Any] = {}
    for key in ("topic", "start_time", "duration", "timezone", "settings"):
        value = values.get(key)
        if key == "settings" and isinstance(value, dict):
            kept[key] = {
                name: setting
                for name, setting in value.items()
                if name in bodies.SETTINGS_KEPT and isinstance(setting, bool | int | str) and len(str(setting)) < 300
            }
        elif isinstance(value, bool | int | str) and len(str(value)) < 300:
            kept[key] = value
    return kept
