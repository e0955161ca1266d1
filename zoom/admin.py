"""Support staff's read-only views of personal links, meetings, attendance, webhooks and Zoom-side changes.

Guests' e-mail addresses are never shown: attendance shows names as Zoom reported them, and the stored
body of a participant event is shown with the participant's e-mail masked (issue 15's privacy rule)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from herp.admin_base import ReadOnlyAdmin, ReadOnlyInline
from herp.admin_filters import CompanyFilter
from zoom.diagnostics import meeting_diagnose
from zoom.models import (
    MeetingAttendance,
    Participation,
    WaitingIncident,
    WebhookDelivery,
    ZoomMeeting,
    ZoomSideChange,
    ZoomUser,
)

MASKED = "…"


@admin.register(ZoomUser)
class ZoomUserAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "company", "email", "status", "suspended", "status_reason", "linked_at")
    list_filter = ("status", CompanyFilter)
    list_select_related = ("user", "company", "company__zoom_installation")
    search_fields = ("email", "user__email", "zoom_user_id")
    raw_id_fields = ("user", "company", "grant")
    readonly_fields = (
        "user",
        "company",
        "grant",
        "zoom_user_id",
        "zoom_account_id",
        "email",
        "display_name",
        "status",
        "status_reason",
        "linked_at",
        "updated_at",
    )

    @admin.display(boolean=True, description=_("suspended"))
    def suspended(self, link: ZoomUser) -> bool:
        installation = getattr(link.company, "zoom_installation", None)
        return link.is_suspended(installation)


@admin.register(ZoomMeeting)
class ZoomMeetingAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "company",
        "topic",
        "start_time",
        "status",
        "attempts",
        "host_email",
        "zoom_meeting_id",
        "warning_list",
        "short_error",
    )
    # A start filter instead of a date hierarchy: the hierarchy truncates every row's start in the
    # database, and one row at the calendar's edge (year 9999 shifted to Tokyo) would fail the page for
    # every company (RELIABILITY T29). The filter's ranges are computed from today.
    list_filter = ("status", "failure", ("start_time", admin.DateFieldListFilter), CompanyFilter)
    list_select_related = ("company",)
    search_fields = ("topic", "host_email", "zoom_meeting_id", "uuid")
    raw_id_fields = ("company", "host", "host_user", "host_grant", "replaces")
    # Every field is shown read-only; none of them is a secret (start_url is never stored).
    readonly_fields = [field.name for field in ZoomMeeting._meta.fields] + ["troubleshoot_link"]

    def get_urls(self) -> list[URLPattern]:
        # Before the default ones: "<path:object_id>/" would swallow ".../troubleshoot/" otherwise.
        troubleshoot = path(
            "<path:object_id>/troubleshoot/",
            self.admin_site.admin_view(require_GET(self.troubleshoot_view)),
            name="zoom_zoommeeting_troubleshoot",
        )
        return [troubleshoot, *super().get_urls()]

    def troubleshoot_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The "waiting for host" checklist, read from Zoom as the page opens. Read-only: support
        staff may look, the fix is the company's (the button is on the schedule's page only)."""
        meeting = self.get_object(request, unquote(object_id))
        if meeting is None:
            raise Http404
        if not self.has_view_permission(request, meeting):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": meeting,
            "title": _("Guests see ‘waiting for host’?"),
            "diagnosis": meeting_diagnose(meeting=meeting, viewer=None),
        }
        return TemplateResponse(request, "admin/zoom/zoommeeting/troubleshoot.html", context)

    @admin.display(description=_("guests waiting for the host?"))
    def troubleshoot_link(self, meeting: ZoomMeeting) -> str:
        # A link, not the check itself: asking Zoom happens only when someone opens it.
        url = reverse("admin:zoom_zoommeeting_troubleshoot", args=[meeting.pk])
        return format_html('<a href="{}" id="meeting-troubleshoot">{}</a>', url, _("Check this meeting in Zoom now"))

    @admin.display(description=_("warnings"))
    def warning_list(self, meeting: ZoomMeeting) -> str:
        return ", ".join(str(code) for code in meeting.warnings)

    @admin.display(description=_("last error"))
    def short_error(self, meeting: ZoomMeeting) -> str:
        return meeting.last_error[:120]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "event",
        "zoom_user_id",
        "zoom_account_id",
        "received_at",
        "processed_at",
        "result",
        "attempts",
    )
    # A date filter, not a date hierarchy: the hierarchy reads the distinct dates of the whole table on
    # every page, and this is the table that grows fastest (every event of every meeting of every host).
    list_filter = ("event", "result", ("received_at", admin.DateFieldListFilter))
    search_fields = ("zoom_user_id", "zoom_account_id", "body_hash")
    exclude = ("payload",)
    readonly_fields = [
        "payload_shown" if field.name == "payload" else field.name for field in WebhookDelivery._meta.fields
    ]

    @admin.display(description=_("payload"))
    def payload_shown(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(masked(delivery.payload), ensure_ascii=False, indent=2))


def masked(payload: Any) -> Any:
    """``payload`` with the e-mail of each participant masked: a guest types their own, and support staff
    need the event's shape and times, not the candidate's address."""
    if isinstance(payload, list):
        return [masked(item) for item in payload]
    if not isinstance(payload, dict):
        return payload
    shown = {key: masked(value) for key, value in payload.items()}
    participant = shown.get("participant")
    if isinstance(participant, dict) and participant.get("email"):
        shown["participant"] = {**participant, "email": MASKED}
    return shown


class ParticipationInline(ReadOnlyInline):
    model = Participation
    # No key and no Zoom user id: the name Zoom reported, the role and the times tell the story.
    fields = ("name", "role", "first_joined_at", "joined_at", "left_at", "waiting", "waiting_since", "waiting_ended_at")
    readonly_fields = fields


class WaitingIncidentInline(ReadOnlyInline):
    model = WaitingIncident
    fields = ("cause", "guest_name", "waiting_since", "opened_at", "closed_at", "closed_by", "waited_seconds")
    readonly_fields = fields


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "company",
        "meeting",
        "outcome",
        "started_at",
        "ended_at",
        "longest_wait_seconds",
        "rescue",
        "participants_purged_at",
    )
    list_filter = ("outcome", "rescue", CompanyFilter)
    list_select_related = ("company", "meeting")
    search_fields = ("meeting__topic", "meeting__zoom_meeting_id")
    raw_id_fields = ("meeting", "company")
    readonly_fields = [field.name for field in MeetingAttendance._meta.fields]
    inlines = (ParticipationInline, WaitingIncidentInline)


@admin.register(ZoomSideChange)
class ZoomSideChangeAdmin(ReadOnlyAdmin):
    list_display = ("id", "company", "zoom_meeting_id", "kind", "fields", "operator", "changed_at", "action")
    list_filter = ("kind", "action", ("created_at", admin.DateFieldListFilter), CompanyFilter)
    list_select_related = ("company",)
    search_fields = ("zoom_meeting_id", "operator")
    raw_id_fields = ("meeting", "company")
    readonly_fields = [field.name for field in ZoomSideChange._meta.fields]
