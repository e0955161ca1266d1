from __future__ import annotations

from django.urls import path

from scheduling import views
from scheduling.invitations import views as invitation_views

app_name = "scheduling"

urlpatterns = [
    path("schedules/", views.schedule_list, name="list"),
    path("schedules/new/", views.schedule_new, name="new"),
    path("schedules/host-preview/", views.host_preview, name="host_preview"),
    path("schedules/attendance/", views.attendance_report, name="attendance"),
    path("schedules/people/", views.people_search, name="people_search"),
    path("schedules/<int:pk>/", views.schedule_detail, name="detail"),
    path("schedules/<int:pk>/edit/", views.schedule_edit, name="edit"),
    path("schedules/<int:pk>/cancel/", views.schedule_cancel_view, name="cancel"),
    path("schedules/<int:pk>/retry/", views.schedule_retry, name="retry"),
    path("schedules/<int:pk>/start/", views.schedule_start, name="start"),
    path("schedules/<int:pk>/troubleshoot/", views.schedule_troubleshoot, name="troubleshoot"),
    path("schedules/<int:pk>/troubleshoot/fix/", views.schedule_troubleshoot_fix, name="troubleshoot_fix"),
    path("schedules/<int:pk>/invitations/resend/", invitation_views.invitation_resend_view, name="invitation_resend"),
    # 全体設定 › 候補者へのメッセージ (company admins).
    path("settings/candidate-messages/", invitation_views.candidate_messages, name="candidate_messages"),
    path(
        "settings/candidate-messages/preview/",
        invitation_views.candidate_messages_preview,
        name="candidate_messages_preview",
    ),
]
