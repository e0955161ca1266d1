"""Meetings and the user's meeting settings:

- ``POST /users/{userId}/meetings`` (create, 201) and ``GET /users/{userId}/meetings`` (list)
- ``GET`` (200), ``PATCH`` (204) and ``DELETE`` (204) ``/meetings/{meetingId}``
- ``GET /users/{userId}/settings``

Reference: https://developers.zoom.us/docs/api/meetings/ (the spec in ../openapi/) and NOTES.md
sections 5-7. A user-managed app's token acts for its own user only: ``userId`` is ``me``, the user's id
or e-mail, and a meeting is found only by its host.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from zoom_emulator import meetings, openapi
from zoom_emulator.api.base import ApiError, Caller, api_view, dispatch, read_json, zoom_time
from zoom_emulator.models import Meeting, User

# Granular names first (the one a 4711 names), then the classic and admin-level names Zoom also accepts.
CREATE_SCOPES = ("meeting:write:meeting", "meeting:write", "meeting:write:meeting:admin", "meeting:write:admin")
READ_SCOPES = ("meeting:read:meeting", "meeting:read", "meeting:read:meeting:admin", "meeting:read:admin")
UPDATE_SCOPES = ("meeting:update:meeting", "meeting:write", "meeting:update:meeting:admin", "meeting:write:admin")
DELETE_SCOPES = ("meeting:delete:meeting", "meeting:write", "meeting:delete:meeting:admin", "meeting:write:admin")
LIST_SCOPES = (
    "meeting:read:list_meetings",
    "meeting:read",
    "meeting:read:list_meetings:admin",
    "meeting:read:admin",
)
SETTINGS_SCOPES = ("user:read:settings", "user:read", "user:read:settings:admin", "user:read:admin")
NOT_HOST = "Your user account is not allowed meeting hosting and scheduling capabilities."


def _origin(request: HttpRequest) -> str:
    # join_url and start_url point at whichever host the client reached the emulator on.
    return request.build_absolute_uri("/").rstrip("/")


def _own_user(caller: Caller, user_id: str) -> User:
    user = caller.user
    if user_id in ("me", user.user_id) or user_id.lower() == user.email.lower():
        return user
    raise ApiError(404, 1001, f"User does not exist: {user_id[:200]}.")


def _may_host(user: User) -> None:
    if not user.hosting_allowed:
        raise ApiError(400, 3161, NOT_HOST)


def _own_meeting(caller: Caller, meeting_id: str) -> Meeting:
    # Another host's meeting looks missing: this token may not see it (our choice; see README).
    meeting = meetings.get_meeting(meeting_id)
    if meeting is None or meeting.host_id != caller.user.pk:
        raise ApiError(404, 3001, f"Meeting does not exist: {meeting_id[:40]}.")
    return meeting


def _valid_body(request: HttpRequest, schema_name: str) -> dict[str, Any]:
    body = read_json(request)
    problem = openapi.first_error(schema_name, body)
    if problem is not None:
        field, detail = problem
        if field == "password":
            raise ApiError(400, 300, f"Invalid password: {detail}.")
        raise meetings.invalid(field, detail)
    return body


def _daily_limit_response(exc: meetings.DailyLimitExceeded, category: str) -> JsonResponse:
    response = JsonResponse({"code": 429, "message": str(exc)}, status=429)
    response["X-RateLimit-Category"] = category
    response["X-RateLimit-Type"] = "Daily-limit"
    response["X-RateLimit-Limit"] = str(exc.limit)
    response["X-RateLimit-Remaining"] = "0"
    if exc.retry_at is not None:
        # An ISO date, not seconds, for the daily limit (NOTES.md section 6).
        response["Retry-After"] = zoom_time(exc.retry_at)
    return response


@api_view("meetings.create", methods=["POST"], scopes=CREATE_SCOPES, category="Medium")
def create(request: HttpRequest, caller: Caller, user_id: str) -> HttpResponse:
    host = _own_user(caller, user_id)
    _may_host(host)
    body = _valid_body(request, openapi.CREATE_BODY)
    try:
        with meetings.daily_write(host):
            meeting = meetings.create_meeting(host, body)
    except meetings.DailyLimitExceeded as exc:
        return _daily_limit_response(exc, "Medium")
    return JsonResponse(meetings.meeting_payload(meeting, _origin(request)), status=201)


@api_view("meetings.list", methods=["GET"], scopes=LIST_SCOPES, category="Medium")
def list_meetings(request: HttpRequest, caller: Caller, user_id: str) -> HttpResponse:
    user = _own_user(caller, user_id)
    _may_host(user)
    kind = request.GET.get("type", "scheduled")
    if kind not in meetings.LIST_TYPES:
        raise meetings.invalid("type", f"must be one of {', '.join(meetings.LIST_TYPES)}")
    try:
        page_size = int(request.GET.get("page_size", "30"))
    except ValueError:
        raise meetings.invalid("page_size", "must be an integer") from None
    # Zoom caps page_size at 300 rather than refusing a larger one.
    page_size = max(1, min(page_size, meetings.MAX_PAGE_SIZE))
    offset = _offset(request.GET.get("next_page_token", ""))
    found = meetings.listed(user, kind)
    page = found[offset : offset + page_size]
    following = offset + page_size
    origin = _origin(request)
    return JsonResponse(
        {
            "page_size": page_size,
            "total_records": len(found),
            "next_page_token": _token(following) if following < len(found) else "",
            "meetings": [meetings.list_item(meeting, origin) for meeting in page],
        }
    )


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
        prefix = ""
    if prefix != "offset" or not 0 <= offset <= 10**9:
        raise meetings.invalid("next_page_token", "not a token this API issued")
    return offset


@api_view("meetings.get", methods=["GET"], scopes=READ_SCOPES)
def get(request: HttpRequest, caller: Caller, meeting_id: str) -> HttpResponse:
    meeting = _own_meeting(caller, meeting_id)
    return JsonResponse(meetings.meeting_payload(meeting, _origin(request)))


@api_view("meetings.update", methods=["PATCH"], scopes=UPDATE_SCOPES)
def update(request: HttpRequest, caller: Caller, meeting_id: str) -> HttpResponse:
    meeting = _own_meeting(caller, meeting_id)
    _may_host(meeting.host)
    body = _valid_body(request, openapi.UPDATE_BODY)
    try:
        with meetings.daily_write(meeting.host):
            # Zoom echoes API changes as events too; the operator is the token's user.
            meetings.update_meeting(meeting, body, operator=caller.user, origin=_origin(request))
    except meetings.DailyLimitExceeded as exc:
        return _daily_limit_response(exc, "Light")
    return HttpResponse(status=204)


@api_view("meetings.delete", methods=["DELETE"], scopes=DELETE_SCOPES)
def delete(request: HttpRequest, caller: Caller, meeting_id: str) -> HttpResponse:
    meeting = _own_meeting(caller, meeting_id)
    meetings.delete_meeting(meeting, operator=caller.user)
    return HttpResponse(status=204)


@api_view("users.settings", methods=["GET"], scopes=SETTINGS_SCOPES)
def user_settings(request: HttpRequest, caller: Caller, user_id: str) -> HttpResponse:
    return JsonResponse(meetings.user_settings_payload(_own_user(caller, user_id)))


user_meetings = dispatch({"GET": list_meetings, "POST": create}, "meetings.user_meetings")
meeting = dispatch({"GET": get, "PATCH": update, "DELETE": delete}, "meetings.meeting")
