from __future__ import annotations

from django.urls import path

from herp.members import views

app_name = "members"

# 全体設定 › メンバー (company admins).
urlpatterns = [
    path("settings/members/", views.member_list, name="list"),
    path("settings/members/invite/", views.member_invite, name="invite"),
    path("settings/members/<int:pk>/role/", views.member_role, name="role"),
    path("settings/members/<int:pk>/deactivate/", views.member_deactivate, name="deactivate"),
    path("settings/members/<int:pk>/reactivate/", views.member_reactivate, name="reactivate"),
    path("settings/members/<int:pk>/password-link/", views.member_password_link, name="password_link"),
    path("settings/members/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("settings/members/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
