"""Zoom's REST API: one function per endpoint, the only module that calls api.zoom.us (STYLE rules 1-3).

Each function takes the access token to use, carries a ``Reference:`` link, sends a typed body and
returns a small typed object parsed at the boundary. Failures are ``errors.ZoomError`` subclasses
(``error_from_response`` maps statuses and Zoom's codes); ``integrations.tokens.call_with_token``
supplies the token and refreshes it once when Zoom refuses it.

Why ``TypedDict`` for what we send and frozen dataclasses for what we read: a request body is JSON we
build ourselves and send as it is, so a ``TypedDict`` costs nothing at run time while mypy checks every
key and value type; an answer is JSON from outside that must be checked field by field, which a
dataclass with a ``from_json`` constructor does once, at the edge. (pydantic would do both, but adds a
dependency for what a dozen lines do here.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NotRequired, TypedDict

import requests
from django.conf import settings

from integrations.zoom_api.errors import (
    ZoomAuthError,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomRefused,
    ZoomScopeError,
    ZoomUnavailable,
)
from integrations.zoom_api.http import api_session, next_utc_midnight, parse_retry_after

# Zoom error codes (zoom/NOTES.md section 6).
CODE_INVALID_TOKEN = 124
CODE_USER_NOT_FOUND = 1001
CODE_MEETING_NOT_FOUND = 3001
CODE_MISSING_SCOPE = 4711


# --- Typed requests --------------------------------------------------------------------------------


class MeetingSettingsBody(TypedDict, total=False):
    """``settings`` of a meeting create or update: the guest-friendly ones we always send."""

    join_before_host: bool
    jbh_time: int
    waiting_room: bool
    approval_type: int
    alternative_hosts: str


class MeetingUpdateBody(TypedDict):
    """``PATCH /meetings/{meetingId}``: every field we manage, so a PATCH restores them all."""

    topic: str
    start_time: str
    duration: int
    timezone: str
    agenda: str
    settings: MeetingSettingsBody


class MeetingCreateBody(MeetingUpdateBody):
    """``POST /users/me/meetings``. Either our ``password`` or, when the account's rules refused it,
    ``default_password`` so that Zoom makes one that satisfies them."""

    type: int
    password: NotRequired[str]
    default_password: NotRequired[bool]


# --- Typed responses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoomUserInfo:
    """``GET /users/me``. A pending user (invitation not accepted) returns only id and created_at, so
    account_id and status are None for them: callers must refuse to link such a user."""

    id: str
    account_id: str | None
    email: str
    first_name: str
    last_name: str
    display_name: str
    role_name: str
    type: int | None
    status: str | None

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ZoomUserInfo:
        user_id = body.get("id")
        if not isinstance(user_id, str) or not user_id:
            raise ZoomUnavailable("Zoom's /users/me answer has no user id.", status=200)
        account_id = body.get("account_id")
        status = body.get("status")
        user_type = body.get("type")
        first_name = _text(body.get("first_name"))
        last_name = _text(body.get("last_name"))
        return cls(
            id=user_id,
            account_id=account_id if isinstance(account_id, str) and account_id else None,
            email=_text(body.get("email")),
            first_name=first_name,
            last_name=last_name,
            display_name=_text(body.get("display_name")) or " ".join(p for p in (first_name, last_name) if p),
            role_name=_text(body.get("role_name")),
            type=user_type if isinstance(user_type, int) and not isinstance(user_type, bool) else None,
            status=status if isinstance(status, str) and status else None,
        )


@dataclass(frozen=True)
class ZoomMeetingInfo:
    """A meeting as Zoom answered ``POST /users/me/meetings`` or ``GET /meetings/{id}``.

    ``start_url`` logs anyone in as the host: it is here only for the Start button, which redirects to
    it at once; callers never store or log it (``repr`` leaves it out).
    """

    id: int
    uuid: str
    host_id: str
    host_email: str
    topic: str
    agenda: str
    start_time: datetime | None
    duration: int | None
    timezone: str
    join_url: str
    password: str
    settings: dict[str, Any]
    start_url: str = field(default="", repr=False)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ZoomMeetingInfo:
        meeting_id = body.get("id")
        # Meeting numbers may exceed 32 bits (zoom/NOTES.md section 5); Python's int is unbounded.
        if not isinstance(meeting_id, int) or isinstance(meeting_id, bool) or meeting_id <= 0:
            raise ZoomUnavailable("Zoom's meeting answer has no meeting id.", status=200)
        settings_body = body.get("settings")
        duration = body.get("duration")
        return cls(
            id=meeting_id,
            uuid=_text(body.get("uuid")),
            host_id=_text(body.get("host_id")),
            host_email=_text(body.get("host_email")),
            topic=_text(body.get("topic")),
            agenda=_text(body.get("agenda")),
            start_time=_parse_time(body.get("start_time")),
            duration=duration if isinstance(duration, int) and not isinstance(duration, bool) else None,
            timezone=_text(body.get("timezone")),
            join_url=_text(body.get("join_url")),
            password=_text(body.get("password")),
            settings=settings_body if isinstance(settings_body, dict) else {},
            start_url=_text(body.get("start_url")),
        )


@dataclass(frozen=True)
class ZoomUserSettings:
    """The parts of ``GET /users/me/settings`` that decide whether guests wait for the host.

    These are the user's *effective* defaults (account > group > user, locks applied: zoom/NOTES.md
    section 7). A meeting may differ from them, so the meeting's own settings come first; these explain
    why Zoom overrode us. None means Zoom's answer did not say.
    """

    waiting_room: bool | None
    join_before_host: bool | None
    embed_password_in_join_link: bool | None
    require_password_for_scheduling_new_meetings: bool | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ZoomUserSettings:
        schedule = _object(body.get("schedule_meeting"))
        in_meeting = _object(body.get("in_meeting"))
        # Newer accounts report the security options under ``meeting_security`` as well; the classic
        # sections win when both are present.
        security = _object(body.get("meeting_security"))
        return cls(
            waiting_room=_flag(in_meeting.get("waiting_room"), security.get("waiting_room")),
            join_before_host=_flag(schedule.get("join_before_host")),
            embed_password_in_join_link=_flag(
                schedule.get("embed_password_in_join_link"), security.get("embed_password_in_join_link")
            ),
            require_password_for_scheduling_new_meetings=_flag(
                schedule.get("require_password_for_scheduling_new_meetings")
            ),
        )


@dataclass(frozen=True)
class ZoomMeetingSummary:
    """One item of ``GET /users/me/meetings``: enough to recognise our marker in the agenda."""

    id: int
    topic: str
    agenda: str
    start_time: datetime | None


@dataclass(frozen=True)
class ZoomMeetingPage:
    meetings: list[ZoomMeetingSummary]
    next_page_token: str


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _flag(*values: Any) -> bool | None:
    """The first real boolean among ``values`` (Zoom omits fields the plan does not have)."""
    for value in values:
        if isinstance(value, bool):
            return value
    return None


# --- Endpoints -------------------------------------------------------------------------------------


def get_me(access_token: str, *, session: requests.Session | None = None) -> ZoomUserInfo:
    """The Zoom user the token belongs to: its account id decides which company it may serve.

    Reference: https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
    """
    response = _request("GET", "/users/me", access_token, session=session)
    return ZoomUserInfo.from_json(_json_object(response))


def create_meeting(
    access_token: str, body: MeetingCreateBody, *, session: requests.Session | None = None
) -> ZoomMeetingInfo:
    """A scheduled meeting hosted by the token's own Zoom user (201 with the meeting as Zoom made it).

    Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
    """
    response = _request("POST", "/users/me/meetings", access_token, json=body, session=session)
    return ZoomMeetingInfo.from_json(_json_object(response))


def get_meeting(access_token: str, meeting_id: int, *, session: requests.Session | None = None) -> ZoomMeetingInfo:
    """The meeting as Zoom has it now, with a fresh ``start_url``.

    Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/meetings/{meetingId}
    """
    response = _request("GET", f"/meetings/{int(meeting_id)}", access_token, session=session)
    return ZoomMeetingInfo.from_json(_json_object(response))


def update_meeting(
    access_token: str, meeting_id: int, body: MeetingUpdateBody, *, session: requests.Session | None = None
) -> None:
    """204 and no body: callers re-read with ``get_meeting`` to learn what Zoom applied.

    Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/PATCH/meetings/{meetingId}
    """
    _request("PATCH", f"/meetings/{int(meeting_id)}", access_token, json=body, session=session)


def delete_meeting(access_token: str, meeting_id: int, *, session: requests.Session | None = None) -> None:
    """204. A meeting that is already gone raises ``ZoomNotFound`` (3001); callers treat it as done.

    Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/DELETE/meetings/{meetingId}
    """
    _request("DELETE", f"/meetings/{int(meeting_id)}", access_token, session=session)


def get_user_settings(access_token: str, *, session: requests.Session | None = None) -> ZoomUserSettings:
    """The token's Zoom user's effective meeting settings (scope ``user:read:settings``).

    Reference: https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}/settings
    """
    response = _request("GET", "/users/me/settings", access_token, session=session)
    return ZoomUserSettings.from_json(_json_object(response))


def list_meetings(
    access_token: str, *, page_token: str = "", session: requests.Session | None = None
) -> ZoomMeetingPage:
    """One page of the token's Zoom user's scheduled meetings (unexpired and upcoming).

    Reference: https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/users/{userId}/meetings
    """
    params: dict[str, Any] = {"type": "scheduled", "page_size": 300}
    if page_token:
        params["next_page_token"] = page_token
    body = _json_object(_request("GET", "/users/me/meetings", access_token, params=params, session=session))
    items = body.get("meetings")
    meetings = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        meeting_id = item.get("id")
        if not isinstance(meeting_id, int) or isinstance(meeting_id, bool):
            continue
        meetings.append(
            ZoomMeetingSummary(
                id=meeting_id,
                topic=_text(item.get("topic")),
                agenda=_text(item.get("agenda")),
                start_time=_parse_time(item.get("start_time")),
            )
        )
    return ZoomMeetingPage(meetings=meetings, next_page_token=_text(body.get("next_page_token")))


# --- Plumbing --------------------------------------------------------------------------------------


def _url(path: str) -> str:
    # Read at call time: tests and the emulator point ZOOM_API_BASE_URL elsewhere.
    base: str = settings.ZOOM_API_BASE_URL
    return base.rstrip("/") + path


def _request(
    method: str,
    path: str,
    access_token: str,
    *,
    params: dict[str, Any] | None = None,
    json: MeetingCreateBody | MeetingUpdateBody | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {access_token}"}
    http = api_session() if session is None else session
    try:
        response = http.request(method, _url(path), params=params, json=json, headers=headers)
    except requests.RequestException as exc:
        # `from None`: the request object in the chained exception holds the Authorization header.
        raise ZoomUnavailable(f"Zoom did not answer {method} {path} ({type(exc).__name__}).") from None
    if not 200 <= response.status_code < 300:
        raise error_from_response(response, f"{method} {path}")
    return response


def _json_object(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ZoomUnavailable("Zoom answered with a body that is not JSON.", status=response.status_code) from None
    if not isinstance(body, dict):
        raise ZoomUnavailable("Zoom answered with JSON that is not an object.", status=response.status_code)
    return body


def error_from_response(response: requests.Response, what: str) -> ZoomError:
    """Map an error response (status and Zoom's ``{"code", "message"}`` body) to the error tree.

    Only the refusals Zoom documents for its endpoints (400, 401, 404, 429) prove that nothing happened;
    anything else is ``ZoomUnavailable``, whose outcome is unknown (errors.py, RELIABILITY T28).
    """
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    raw_code = body.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    zoom_message = _text(body.get("message"))[:300]
    message = f"Zoom refused {what}: HTTP {status}" + (f", code {code}" if code is not None else "")
    if zoom_message:
        message += f" ({zoom_message})"

    if status == 429:
        now = datetime.now(UTC)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=now)
        daily = response.headers.get("X-RateLimit-Type", "").lower() == "daily-limit" or "daily" in zoom_message.lower()
        retry_at = now + timedelta(seconds=retry_after) if retry_after is not None else None
        if daily and retry_at is None:
            # Zoom's per-host daily cap resets at 00:00 UTC and does not always say so in a header.
            retry_at = next_utc_midnight(now)
            retry_after = (retry_at - now).total_seconds()
        return ZoomRateLimited(
            message, status=status, code=code, retry_after=retry_after, retry_at=retry_at, daily_limit=daily
        )
    if status == 401 or (status == 400 and code == CODE_INVALID_TOKEN):
        return ZoomAuthError(message, status=status, code=code)
    if status in (400, 401) and code == CODE_MISSING_SCOPE:
        return ZoomScopeError(message, status=status, code=code)
    if status == 404 or (status == 400 and code in (CODE_USER_NOT_FOUND, CODE_MEETING_NOT_FOUND)):
        return ZoomNotFound(message, status=status, code=code)
    if status == 400:
        return ZoomRefused(message, status=status, code=code)
    return ZoomUnavailable(message, status=status, code=code)
