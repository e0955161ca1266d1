"""The emulator's meeting pages: the admin page for settings, locks, limits and meeting fault switches;
the guest's join page (``/j/{id}``) and the host's start page (``/s/{id}?zak=``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zoom_emulator import browser, faults, meetings
from zoom_emulator.calllog import logged
from zoom_emulator.models import Account, Fault, Meeting, MeetingPolicy

BOOLEAN_FIELDS = tuple(f.name for f in MeetingPolicy._meta.get_fields() if isinstance(f, models.BooleanField))
NUMBER_FIELDS = ("password_min_length", "daily_limit")
GUEST_MESSAGES = {
    "passcode": "Enter the meeting passcode: the link carries none, so the guest must type it.",
    "waiting_room": "Please wait, the meeting host will let you in soon (waiting room).",
    "waiting_for_host": "Waiting for the host to start this meeting.",
    "joined": "Joined: the meeting is open without the host.",
}


@logged("pages.meeting_settings")
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        error = _apply(request.POST)
        if not error:
            return HttpResponseRedirect(reverse("zoom_emulator:meeting_settings"))
    accounts = list(Account.objects.order_by("pk"))
    rows: list[dict[str, Any]] = [
        {
            "account": account,
            "policy": meetings.policy_for(account),
            "meetings": Meeting.objects.filter(host__account=account).select_related("host").order_by("-pk"),
        }
        for account in accounts
    ]
    origin = request.build_absolute_uri("/")
    for row in rows:
        row["meetings"] = [(m, meetings.join_url(m, origin)) for m in row["meetings"]]
    return render(
        request,
        "zoom_emulator/meeting_settings.html",
        {
            "zoom_user": browser.signed_in_user(request),
            "rows": rows,
            "faults": [f for f in faults.active() if f.endpoint in faults.MEETING_ENDPOINTS],
            "endpoints": faults.MEETING_ENDPOINTS,
            "kinds": [(value, label) for value, label in Fault.Kind.choices if value in faults.ENDPOINT_KINDS],
            "error": error,
        },
        status=400 if error else 200,
    )


def _apply(data: dict[str, str]) -> str:
    """Returns an error message, or "" once the change is made."""
    action = data.get("action")
    try:
        if action == "policy":
            account = Account.objects.filter(account_id=data.get("account_id", "")).first()
            if account is None:
                return "That account does not exist."
            values: dict[str, object] = {name: name in data for name in BOOLEAN_FIELDS}
            for name in NUMBER_FIELDS:
                values[name] = int(data.get(name, ""))
            meetings.set_policy(account, **values)
        elif action == "fault":
            _add_fault(data)
        elif action == "clear_faults":
            for endpoint in faults.MEETING_ENDPOINTS:
                faults.clear(endpoint)
        else:
            return "Choose what to change."
    except ValueError as exc:
        return f"That change cannot be made: {exc}"
    return ""


def _add_fault(data: dict[str, str]) -> None:
    endpoint = data.get("endpoint", "")
    if endpoint not in faults.MEETING_ENDPOINTS:
        raise ValueError("choose a meeting endpoint")
    kind = data.get("kind", "")
    times = int(data["times"]) if data.get("times") else None
    status_code = int(data["status_code"]) if data.get("status_code") else None
    if kind == Fault.Kind.SERVER_ERROR:
        rate = float(data["rate"]) / 100 if data.get("rate") else None
        faults.fail_with(status_code or 500, times=times, endpoint=endpoint, rate=rate)
    elif kind == Fault.Kind.RATE_LIMIT:
        retry_after = int(data["retry_after"]) if data.get("retry_after") else None
        faults.rate_limit(times=times, endpoint=endpoint, retry_after=retry_after)
    elif kind == Fault.Kind.DELAY:
        faults.delay(int(data.get("delay_ms") or 0), times=times, endpoint=endpoint)
    elif kind == Fault.Kind.ROTATE_THEN_DROP:
        faults.drop_after(endpoint, times=times, status_code=status_code or 500)
    else:
        raise ValueError("choose what the endpoint should do")


@logged("pages.join")
@require_http_methods(["GET", "HEAD"])
def join(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meetings.get_meeting(meeting_id)
    if meeting is None:
        return render(
            request,
            "zoom_emulator/join.html",
            {"meeting": None, "outcome": "invalid", "message": "This meeting ID is not valid."},
            status=404,
        )
    outcome = meetings.guest_outcome(meeting, request.GET.get("pwd", ""))
    return render(
        request,
        "zoom_emulator/join.html",
        {"meeting": meeting, "outcome": outcome, "message": GUEST_MESSAGES[outcome]},
    )


@logged("pages.start")
@require_http_methods(["GET", "HEAD"])
def start(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meetings.get_meeting(meeting_id)
    zak = request.GET.get("zak", "")
    if meeting is None or not zak or zak != meeting.zak:
        return render(
            request,
            "zoom_emulator/join.html",
            {"meeting": None, "outcome": "invalid", "message": "This start link is not valid (a stale zak?)."},
            status=403,
        )
    meetings.mark_started(meeting)
    return render(
        request,
        "zoom_emulator/join.html",
        {"meeting": meeting, "outcome": "started", "message": "You started the meeting as its host."},
    )
