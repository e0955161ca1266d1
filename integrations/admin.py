"""Read-only operator views of the connection. Token fields are excluded entirely: not even a prefix
is shown (STYLE rule 14)."""

from __future__ import annotations

from django.contrib import admin

from herp.admin_base import ReadOnlyAdmin
from integrations.models import IntegrationEvent, ZoomGrant, ZoomInstallation


@admin.register(ZoomGrant)
class ZoomGrantAdmin(ReadOnlyAdmin):
    list_display = ("id", "zoom_user_id", "company", "status", "expires_at", "last_refreshed_at", "token_version")
    list_filter = ("status",)
    list_select_related = ("company",)
    search_fields = ("zoom_user_id", "company__name")
    raw_id_fields = ("company",)
    exclude = ("access_token", "refresh_token")
    readonly_fields = (
        "company",
        "zoom_user_id",
        "status",
        "expires_at",
        "token_version",
        "scopes",
        "last_refreshed_at",
        "last_error",
        "created_at",
        "updated_at",
    )


@admin.register(ZoomInstallation)
class ZoomInstallationAdmin(ReadOnlyAdmin):
    list_display = ("id", "company", "status", "zoom_account_id", "installer", "connected_at", "last_attempt_at")
    list_filter = ("status",)
    list_select_related = ("company", "installer")
    search_fields = ("company__name", "zoom_account_id", "installer_zoom_email", "installer__email")
    raw_id_fields = ("company", "installer", "grant", "pre_approval_requested_by")
    readonly_fields = (
        "company",
        "status",
        "zoom_account_id",
        "installer",
        "installer_zoom_email",
        "grant",
        "pre_approval_requested_by",
        "pre_approval_requested_at",
        "last_attempt_at",
        "last_error",
        "connected_at",
        "created_at",
        "updated_at",
    )


@admin.register(IntegrationEvent)
class IntegrationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "company", "kind", "actor")
    # A date filter, not a date hierarchy: the hierarchy reads the distinct dates of the whole log on
    # every page (and one row at the calendar's edge would fail it, RELIABILITY T29).
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("company", "actor")
    search_fields = ("company__name", "actor__email")
    raw_id_fields = ("company", "actor")
    readonly_fields = ("company", "actor", "kind", "details", "created_at")
