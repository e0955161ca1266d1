from __future__ import annotations

from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("settings/integrations/", views.integration_settings, name="settings"),
    path("settings/integrations/zoom/connect/", views.connect, name="connect"),
    path(
        "settings/integrations/zoom/pre-approval-requested/",
        views.pre_approval_requested,
        name="pre_approval_requested",
    ),
    path("settings/integrations/zoom/disconnect/", views.disconnect, name="disconnect"),
    # Registered in Zoom's app configuration: part of the configuration contract (DESIGN.md section 4).
    path("integrations/zoom/callback/", views.callback, name="callback"),
]
