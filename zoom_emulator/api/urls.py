"""Routes under /v2/. New resources add their patterns above the catch-all."""

from __future__ import annotations

from django.urls import path, re_path

from zoom_emulator.api import base, users

urlpatterns = [
    path("users/me", users.me, name="api-users-me"),
    path("users/<str:user_id>", users.get, name="api-users-get"),
    re_path(r"^(?P<rest>.*)$", base.not_found, name="api-not-found"),
]
