"""The emulator's two hosts under one mount: zoom.us at the root, api.zoom.us/v2 under ``v2/``."""

from __future__ import annotations

from django.urls import include, path

from zoom_emulator.views import marketplace, meetings, oauth, pages, portal, webhooks

app_name = "zoom_emulator"

urlpatterns = [
    path("", pages.index, name="index"),
    path("signin/", pages.signin, name="signin"),
    path("signout/", pages.signout, name="signout"),
    path("faults/", pages.fault_switches, name="faults"),
    path("settings/", meetings.settings_page, name="meeting_settings"),
    path("j/<int:meeting_id>", meetings.join, name="join"),
    path("s/<int:meeting_id>", meetings.start, name="start"),
    path("m/<str:key>/", meetings.room, name="room"),
    path("outbox/", marketplace.outbox, name="outbox"),
    path("marketplace/manage/app-requests/", marketplace.app_requests, name="marketplace_requests"),
    path("profile/", portal.profile, name="profile"),
    path("profile/apps/", portal.added_apps, name="added_apps"),
    path("meeting/", portal.meetings_page, name="portal_meetings"),
    path("meeting/<int:meeting_id>/edit/", portal.meeting_edit, name="portal_meeting_edit"),
    path("webhooks/", webhooks.webhooks_page, name="webhooks"),
    path("admin/users/", portal.users, name="admin_users"),
    path("admin/users/add/", portal.add_user, name="admin_users_add"),
    path("oauth/authorize", oauth.authorize, name="authorize"),
    path("oauth/token", oauth.token, name="token"),
    path("oauth/revoke", oauth.revoke, name="revoke"),
    path("v2/", include("zoom_emulator.api.urls")),
]
