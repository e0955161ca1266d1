"""Support staff's read-only views of personal links (and, as they come, meetings and webhooks)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integrations.admin import ReadOnlyAdmin
from zoom.models import ZoomUser


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
