"""Users: ``GET /users/me`` and ``GET /users/{userId}``.

Reference: https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId} (NOTES.md section 2).
A user-managed app's token reads only its own user.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from zoom_emulator.api.base import ApiError, Caller, api_view, zoom_time
from zoom_emulator.models import User

USER_READ_SCOPES = ("user:read:user", "user:read", "user:read:user:admin", "user:read:admin")


@api_view("users.me", methods=["GET"], scopes=USER_READ_SCOPES)
def me(request: HttpRequest, caller: Caller) -> JsonResponse:
    return JsonResponse(user_payload(request, caller.user))


@api_view("users.get", methods=["GET"], scopes=USER_READ_SCOPES)
def get(request: HttpRequest, caller: Caller, user_id: str) -> JsonResponse:
    user = caller.user
    if user_id not in ("me", user.user_id) and user_id.lower() != user.email.lower():
        raise ApiError(404, 1001, f"User does not exist: {user_id}.")
    return JsonResponse(user_payload(request, user))


def user_payload(request: HttpRequest, user: User) -> dict[str, Any]:
    # Zoom: "If the user's status is pending, only the `id` and `created_at` fields are returned."
    if user.status == User.Status.PENDING:
        return {"id": user.user_id, "created_at": zoom_time(user.created_at)}
    emulator = request.build_absolute_uri(reverse("zoom_emulator:index"))
    return {
        "id": user.user_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": user.type,
        "role_name": user.role_name,
        "pmi": user.pmi,
        "use_pmi": False,
        "personal_meeting_url": f"{emulator}j/{user.pmi}",
        "timezone": user.timezone,
        "verified": 1,
        "dept": "",
        "created_at": zoom_time(user.created_at),
        "user_created_at": zoom_time(user.created_at),
        "last_login_time": zoom_time(user.created_at),
        "last_client_version": "",
        "pic_url": "",
        "language": user.language,
        "phone_number": "",
        "phone_numbers": [],
        "status": user.status,
        "role_id": user.role_id,
        "account_id": user.account.account_id,
        "account_number": user.account.account_number,
        "cluster": "us04",
        "jid": f"{user.user_id.lower()}@xmpp.zoom.us",
        "group_ids": [],
        "im_group_ids": [],
        "login_types": [100],
        "job_title": "",
        "company": "",
        "location": "",
        "employee_unique_id": "",
        "custom_attributes": [],
        "plan_united_type": "1",
        "zoom_one_type": 16,
    }
