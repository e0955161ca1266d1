"""What every API endpoint shares: Bearer authentication, scope checks, Zoom's error body, and the
tracking and rate-limit headers.

Reference: NOTES.md section 6 (errors and headers); https://developers.zoom.us/docs/api/rest/rate-limits/
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from zoom_emulator import faults
from zoom_emulator.calllog import record
from zoom_emulator.ids import tracking_id
from zoom_emulator.models import App, Grant, User

# Requests per second by Zoom's rate-limit label, for a Pro account.
QPS_LIMITS = {"Light": 30, "Medium": 20, "Heavy": 10, "Resource-intensive": 10}
PER_SECOND_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


class ApiError(Exception):
    """A refusal in the API's ``{"code", "message"}`` shape."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Caller:
    """Whoever the Bearer token belongs to."""

    grant: Grant
    user: User
    app: App


ApiView = Callable[..., HttpResponse]


def api_view(
    endpoint: str,
    *,
    methods: Iterable[str],
    scopes: Iterable[str] = (),
    category: str = "Light",
) -> Callable[[ApiView], Callable[..., HttpResponse]]:
    """Wrap ``view(request, caller, **kwargs)``. ``scopes`` are alternatives: any one of them grants access,
    since Zoom accepts the classic names beside the granular ones; the first is named in a 4711.
    ``endpoint`` names the call in the call log and is what fault switches target."""
    allowed = tuple(methods)
    accepted = tuple(scopes)

    def decorate(view: ApiView) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            # Switches act where Zoom's gateway would: before the token is even looked at.
            plan = faults.take(endpoint)
            if plan.delay_ms:
                time.sleep(plan.delay_ms / 1000)
            if plan.status_code is not None:
                response: HttpResponse = fault_response(plan.status_code, plan.retry_after, category)
                add_headers(response, category)
                record(request, endpoint, response.status_code)
                return response
            try:
                if request.method not in allowed:
                    raise ApiError(405, 405, f"Method {request.method} is not allowed for this API.")
                caller = authenticate(request)
                if accepted and not set(accepted) & set(caller.grant.scopes):
                    raise ApiError(400, 4711, f"Invalid access token, does not contain scopes:[{accepted[0]}]")
                response = view(request, caller, **kwargs)
            except ApiError as exc:
                response = error_response(exc)
                if exc.status == 405:
                    response["Allow"] = ", ".join(allowed)
            if response.status_code < 400:
                # The work is done and committed; a "drop" switch now loses the answer on the way back.
                dropped = faults.take_drop(endpoint)
                if dropped is not None:
                    response = fault_response(dropped, None, category)
            add_headers(response, category)
            record(request, endpoint, response.status_code)
            return response

        return wrapper

    return decorate


def fault_response(status: int, retry_after: int | None, category: str) -> JsonResponse:
    if status == 429:
        # Zoom's per-second limit: QPS type, nothing left, and Retry-After in seconds.
        response = JsonResponse({"code": 429, "message": PER_SECOND_MESSAGE}, status=429)
        response["X-RateLimit-Category"] = category
        response["X-RateLimit-Type"] = "QPS"
        response["X-RateLimit-Limit"] = str(QPS_LIMITS.get(category, QPS_LIMITS["Light"]))
        response["X-RateLimit-Remaining"] = "0"
        response["Retry-After"] = str(1 if retry_after is None else retry_after)
        return response
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Server Error"
    return JsonResponse({"code": status, "message": phrase}, status=status)


def dispatch(views: dict[str, Callable[..., HttpResponse]], endpoint: str) -> Callable[..., HttpResponse]:
    """One URL, several methods (``GET``/``POST`` on ``/users/{id}/meetings``), each its own api_view with
    its own scopes and endpoint name; any other method gets the JSON 405 listing them."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        handler = views.get(request.method or "")
        if handler is not None:
            return handler(request, **kwargs)
        response = error_response(ApiError(405, 405, f"Method {request.method} is not allowed for this API."))
        response["Allow"] = ", ".join(views)
        add_headers(response, "Light")
        record(request, endpoint, response.status_code)
        return response

    return view


def authenticate(request: HttpRequest) -> Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, 124, "Invalid access token.")
    grant = Grant.objects.select_related("app", "user__account").filter(access_token=token, revoked=False).first()
    if grant is None:
        raise ApiError(401, 124, "Invalid access token.")
    if grant.access_token_expires_at is None or grant.access_token_expires_at <= timezone.now():
        raise ApiError(401, 124, "Access token is expired.")
    return Caller(grant=grant, user=grant.user, app=grant.app)


def error_response(exc: ApiError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)


def add_headers(response: HttpResponse, category: str) -> None:
    response["x-zm-trackingid"] = tracking_id()
    # An endpoint with its own accounting (a daily limit, say) sets these first and keeps them.
    if "X-RateLimit-Category" not in response:
        limit = QPS_LIMITS.get(category, QPS_LIMITS["Light"])
        response["X-RateLimit-Category"] = category
        response["X-RateLimit-Type"] = "QPS"
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(limit - 1)


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The JSON object in a request body, or Zoom's 300 for anything else."""
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, 300, "Request Body should be a valid JSON object.")
    return data


def zoom_time(value: datetime) -> str:
    """Zoom's timestamps: UTC, second precision, a trailing Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    # Zoom's exact answer for an unknown API path is not documented; a JSON 404 keeps clients on their
    # JSON error path instead of choking on an HTML page.
    response = error_response(ApiError(404, 404, "No API matches this path."))
    add_headers(response, "Light")
    record(request, "api.not_found", response.status_code)
    return response
