"""The emulator's meeting pages: the admin page for settings, locks, limits and meeting fault switches;
the guest's join page (``/j/{id}``), the host's start page (``/s/{id}?zak=``) and each visit's page
(``/m/{key}/``: waiting, in the meeting, admit, leave, end), which send Zoom's participant events
(participants.py)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zoom_emulator import browser, faults, meetings, participants
from zoom_emulator.calllog import logged
from zoom_emulator.models import Account, Fault, Meeting, MeetingPolicy, Participant

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


JOIN_MESSAGES = {
    **GUEST_MESSAGES,
    "joined": "The meeting is open: you join it straight away.",
}
ROOM_MESSAGES = {
    Participant.State.WAITING_FOR_HOST: "Waiting for the host to start this meeting.",
    Participant.State.WAITING_ROOM: "Please wait, the meeting host will let you in soon.",
    Participant.State.IN_MEETING: "You are in the meeting.",
    Participant.State.LEFT: "You left the meeting.",
}
MAX_NAME = 200


def _invalid(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request, "zoom_emulator/join.html", {"meeting": None, "outcome": "invalid", "message": message}, status=status
    )


@logged("pages.join")
@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The join link: what a guest meets, and a form to join (a name; the passcode when the link carries
    none; as the signed-in Zoom user or as a guest). Joining leads to the visit's own page."""
    meeting = meetings.get_meeting(meeting_id)
    if meeting is None:
        return _invalid(request, "This meeting ID is not valid.", status=404)
    zoom_user = browser.signed_in_user(request)
    pwd = request.GET.get("pwd", "")
    outcome = meetings.guest_outcome(meeting, pwd)
    form: dict[str, Any] = {
        "name": zoom_user.display_name if zoom_user else "",
        "passcode": "",
        "as_guest": zoom_user is None,
    }
    error = ""
    if request.method == "POST":
        form = {
            "name": request.POST.get("name", "").strip(),
            "passcode": request.POST.get("passcode", "").strip(),
            "as_guest": zoom_user is None or request.POST.get("as_guest") == "1",
        }
        error = _join_problem(meeting, outcome, form)
        if not error:
            try:
                visit = participants.guest_join(
                    meeting, form["name"], signed_in_as=None if form["as_guest"] else zoom_user
                )
            except participants.ParticipantError as exc:
                error = str(exc)
            else:
                return HttpResponseRedirect(reverse("zoom_emulator:room", args=[visit.session_key]))
    return render(
        request,
        "zoom_emulator/join.html",
        {
            "meeting": meeting,
            "zoom_user": zoom_user,
            "outcome": outcome,
            "message": JOIN_MESSAGES[outcome],
            "form": form,
            "error": error,
            "pwd": pwd,
        },
        status=400 if error else 200,
    )


def _join_problem(meeting: Meeting, outcome: str, form: dict[str, Any]) -> str:
    if not form["name"]:
        return "Enter your name: the others see it in the meeting."
    if len(form["name"]) > MAX_NAME:
        return f"Your name can have at most {MAX_NAME} characters."
    if outcome == "passcode" and form["passcode"] != meeting.password:
        return "That passcode is not this meeting's passcode."
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
def room(request: HttpRequest, key: str) -> HttpResponse:
    """One visit's page: where they are (waiting for the host, in the waiting room, in the meeting), who
    else is in, Leave; for a host also the waiting room with Admit, and End meeting for all. It reloads
    itself every few seconds, so a waiting guest sees the host arrive. Not in the call log: its address
    is the visit's secret."""
    visit = participants.get_participant(key)
    if visit is None:
        return _invalid(request, "This meeting visit does not exist.", status=404)
    error = ""
    if request.method == "POST":
        error = _room_action(visit, request.POST)
        if not error:
            return HttpResponseRedirect(reverse("zoom_emulator:room", args=[visit.session_key]))
        visit = participants.get_participant(key) or visit
    everyone = participants.participants_of(visit.meeting)
    return render(
        request,
        "zoom_emulator/meeting_room.html",
        {
            "zoom_user": browser.signed_in_user(request),
            "visit": visit,
            "meeting": visit.meeting,
            "message": ROOM_MESSAGES[Participant.State(visit.state)],
            "inside": [p for p in everyone if p.state == Participant.State.IN_MEETING],
            "waiting_room": [p for p in everyone if p.state == Participant.State.WAITING_ROOM],
            "waiting_for_host": [p for p in everyone if p.state == Participant.State.WAITING_FOR_HOST],
            "live": visit.meeting.started_at is not None,
            "error": error,
        },
        status=400 if error else 200,
    )


def _room_action(visit: Participant, data: Any) -> str:
    """Returns an error message, or "" once done."""
    action = data.get("action")
    try:
        if action == "leave":
            participants.leave(visit)
        elif action == "admit" and visit.is_host:
            target = Participant.objects.filter(
                meeting=visit.meeting, participant_uuid=data.get("participant_uuid", "")
            ).first()
            if target is None:
                return "That person is not in this meeting's waiting room."
            participants.admit(target, by=visit)
        elif action == "end" and visit.is_host:
            participants.end(visit.meeting)
        else:
            return "Choose what to do."
    except participants.ParticipantError as exc:
        return str(exc)
    return ""


@logged("pages.start")
@require_http_methods(["GET", "HEAD"])
def start(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The start link (``start_url``, with the zak it was given): the host joins, starting the meeting,
    and lands on their visit's page."""
    meeting = meetings.get_meeting(meeting_id)
    zak = request.GET.get("zak", "")
    if meeting is None or not zak or zak != meeting.zak:
        return _invalid(request, "This start link is not valid (a stale zak?).", status=403)
    if request.method == "HEAD":
        return HttpResponse(status=200)
    try:
        visit = participants.host_join(meeting)
    except participants.ParticipantError as exc:  # deleted meanwhile
        return _invalid(request, str(exc), status=404)
    return HttpResponseRedirect(reverse("zoom_emulator:room", args=[visit.session_key]))
