"""The emulator's two hosts under one mount: zoom.us at the root, api.zoom.us/v2 under ``v2/``."""

from __future__ import annotations

from django.urls import include, path

from zoom_emulator.views import oauth, pages

app_name = "zoom_emulator"

urlpatterns = [
    path("", pages.index, name="index"),
    path("signin/", pages.signin, name="signin"),
    path("signout/", pages.signout, name="signout"),
    path("faults/", pages.fault_switches, name="faults"),
    path("oauth/authorize", oauth.authorize, name="authorize"),
    path("oauth/token", oauth.token, name="token"),
    path("oauth/revoke", oauth.revoke, name="revoke"),
    path("v2/", include("zoom_emulator.api.urls")),
]
