"""``meeting.updated`` and ``meeting.deleted``: what Zoom tells the app when a meeting changes, whoever changed
it (the web portal or a REST call, the app's own included).

Shapes: NOTES.md section 9 (Zoom's event types in ``zoom/rivet-javascript`` ``meetings/meetings.d.ts``,
``MeetingUpdatedEvent`` and ``MeetingDeletedEvent``). The choices where Zoom documents nothing are listed
in docs/decisions.md ("The emulator's meeting events") and README.md ("Meeting events").

The events go through webhooks.send (signed, retried, subject to the webhook fault switches), to every app
the meeting's host has a live grant for that holds a meeting read scope, within the transaction that
changed the meeting, so a rolled-back change sends nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from zoom_emulator import webhooks
from zoom_emulator.models import App, Grant, Meeting, User, WebhookDelivery

UPDATED = "meeting.updated"
DELETED = "meeting.deleted"
# Zoom only sends an event to an app whose grant carries the scope the event subscription needs; for the
# meeting lifecycle events that is the meeting read scope (NOTES section 9, inferred), classic name or
# granular, user or admin level.
EVENT_SCOPES = ("meeting:read:meeting", "meeting:read", "meeting:read:meeting:admin", "meeting:read:admin")
# What a change can touch, in the order Zoom's type lists them. ``settings`` is compared key by key.
TRACKED = ("topic", "type", "start_time", "duration", "timezone", "join_url", "password", "agenda")


def recipients(host: User) -> list[App]:
    """The apps Zoom tells about this host's meetings: those the host authorized (a live grant) with a
    meeting read scope, that have somewhere to send events."""
    grants = Grant.objects.filter(user=host, revoked=False).select_related("app").order_by("app_id")
    return [grant.app for grant in grants if set(grant.scopes) & set(EVENT_SCOPES) and grant.app.event_url]


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, as (new values, old values); ``settings`` holds only the keys that changed."""
    new: dict[str, Any] = {}
    old: dict[str, Any] = {}
    for field in TRACKED:
        if before.get(field) != after.get(field):
            new[field] = after.get(field)
            old[field] = before.get(field)
    before_settings = before.get("settings") or {}
    after_settings = after.get("settings") or {}
    changed = [key for key in after_settings if before_settings.get(key) != after_settings[key]]
    changed += [key for key in before_settings if key not in after_settings]
    if changed:
        new["settings"] = {key: after_settings.get(key) for key in changed}
        old["settings"] = {key: before_settings.get(key) for key in changed}
    return new, old


def send_updated(
    meeting: Meeting, operator: User, before: dict[str, Any], after: dict[str, Any]
) -> list[WebhookDelivery]:
    """``meeting.updated`` for a change from ``before`` to ``after`` (snapshots of ``TRACKED`` and
    ``settings``); nothing when nothing changed. Call inside the transaction that saved the change."""
    new, old = changes(before, after)
    if not new:
        return []
    now_ms = webhooks.event_ts()
    identity = _identity(meeting)
    payload = {
        "account_id": meeting.host.account.account_id,
        "operator": operator.email,
        "operator_id": operator.user_id,
        "object": {**identity, **new},
        "time_stamp": now_ms,
        "old_object": {**identity, **old},
    }
    return _send(meeting.host, UPDATED, payload, now_ms)


def send_deleted(meeting: Meeting, operator: User, start_time: str) -> list[WebhookDelivery]:
    """``meeting.deleted`` for a meeting just deleted (inside the deleting transaction)."""
    payload = {
        "account_id": meeting.host.account.account_id,
        "operator": operator.email,
        "operator_id": operator.user_id,
        "object": {
            **_identity(meeting),
            "topic": meeting.topic,
            "type": meeting.type,
            "start_time": start_time,
            "duration": meeting.duration,
            "timezone": meeting.timezone,
        },
    }
    return _send(meeting.host, DELETED, payload, webhooks.event_ts())


def _identity(meeting: Meeting) -> dict[str, Any]:
    # ``id`` is a number in these two events (NOTES section 9: typed number on deleted/updated).
    return {"id": meeting.meeting_id, "uuid": meeting.uuid, "host_id": meeting.host.user_id}


def _send(host: User, event: str, payload: dict[str, Any], now_ms: int) -> list[WebhookDelivery]:
    sent = []
    for app in recipients(host):
        delivery = webhooks.send(app, event, {"event": event, "event_ts": now_ms, "payload": payload})
        if delivery is not None:
            sent.append(delivery)
    return sent


def sent_for(meeting_id: int, event: str | None = None) -> list[dict[str, Any]]:
    """The bodies of the meeting events sent about one meeting, oldest first (every copy of a duplicate)."""
    queryset = WebhookDelivery.objects.filter(
        Q(event=UPDATED) | Q(event=DELETED) if event is None else Q(event=event)
    ).order_by("pk")
    bodies = [delivery.data for delivery in queryset]
    return [body for body in bodies if body.get("payload", {}).get("object", {}).get("id") == meeting_id]
