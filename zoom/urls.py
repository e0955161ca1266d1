from __future__ import annotations

from django.urls import path

from zoom import views, webhooks

app_name = "zoom"

urlpatterns = [
    path("help/zoom/", views.help_page, name="help"),
    path("accounts/zoom/", views.account, name="account"),
    path("accounts/zoom/link/", views.link, name="link"),
    path("accounts/zoom/unlink/", views.unlink, name="unlink"),
    # Registered in Zoom's app configuration: part of the configuration contract (DESIGN.md section 4).
    path("accounts/zoom/callback/", views.callback, name="link_callback"),
    path("settings/integrations/zoom/members/", views.members, name="members"),
    path("settings/integrations/zoom/members/remind/", views.remind, name="remind"),
    # Registered in Zoom's app configuration as the event URL (DESIGN.md section 4).
    path("webhooks/zoom/", webhooks.zoom_webhook, name="webhook"),
]
