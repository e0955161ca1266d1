from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from herp import health, views
from herp.members import views as member_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("account/preferences/", views.preferences, name="preferences"),
    # The page an invitation or a set-password link opens (README: the link's secret is in the query).
    path("password/set/", member_views.set_password, name="set_password"),
    path("", include("herp.members.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("", include("integrations.urls")),
    path("", include("zoom.urls")),
    path("", include("scheduling.urls")),
]

if settings.ZOOM_EMULATOR_ENABLED:
    urlpatterns.append(path("zoom-emulator/", include("zoom_emulator.urls")))

handler400 = "herp.errors.bad_request"
handler403 = "herp.errors.permission_denied"
handler404 = "herp.errors.page_not_found"
handler500 = "herp.errors.server_error"
