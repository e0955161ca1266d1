"""Routes under /v2/. New resources add their patterns above the catch-all."""

from __future__ import annotations

from django.urls import path, re_path

from zoom_emulator.api import base, meetings, users

urlpatterns = [
    path("users/me", users.me, name="api-users-me"),
    path("users/<str:user_id>/meetings", meetings.user_meetings, name="api-user-meetings"),
    path("users/<str:user_id>/settings", meetings.user_settings, name="api-user-settings"),
    path("users/<str:user_id>", users.get, name="api-users-get"),
    path("meetings/<str:meeting_id>", meetings.meeting, name="api-meeting"),
    re_path(r"^(?P<rest>.*)$", base.not_found, name="api-not-found"),
]
