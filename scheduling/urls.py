from __future__ import annotations

from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.schedule_list, name="list"),
    path("new/", views.schedule_new, name="new"),
    path("host-preview/", views.host_preview, name="host_preview"),
    path("attendance/", views.attendance_report, name="attendance"),
    path("<int:pk>/", views.schedule_detail, name="detail"),
    path("<int:pk>/edit/", views.schedule_edit, name="edit"),
    path("<int:pk>/cancel/", views.schedule_cancel_view, name="cancel"),
    path("<int:pk>/retry/", views.schedule_retry, name="retry"),
    path("<int:pk>/start/", views.schedule_start, name="start"),
    path("<int:pk>/troubleshoot/", views.schedule_troubleshoot, name="troubleshoot"),
    path("<int:pk>/troubleshoot/fix/", views.schedule_troubleshoot_fix, name="troubleshoot_fix"),
]
