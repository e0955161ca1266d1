"""Support staff's read-only views of personal links (and, as they come, meetings and webhooks)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integrations.admin import ReadOnlyAdmin
from zoom.models import WebhookDelivery, ZoomMeeting, ZoomUser


@admin.register(ZoomUser)
class ZoomUserAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "company", "email", "status", "suspended", "status_reason", "linked_at")
    list_filter = ("status", "company")
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
    list_filter = ("status", "failure", "company")
    list_select_related = ("company",)
    search_fields = ("topic", "host_email", "zoom_meeting_id", "uuid")
    raw_id_fields = ("company", "host", "host_user", "host_grant", "replaces")
    date_hierarchy = "start_time"
    # Every field is shown read-only; none of them is a secret (start_url is never stored).
    readonly_fields = [field.name for field in ZoomMeeting._meta.fields]

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
    list_filter = ("event", "result")
    search_fields = ("zoom_user_id", "zoom_account_id", "body_hash")
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
