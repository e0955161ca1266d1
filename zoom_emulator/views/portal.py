"""Zoom's web portal: the signed-in user's profile (with Sign out), the apps they added (with Remove), their
meetings (「ミーティング」: start, delete, move, change settings — each told to the apps as Zoom's events) and, for
owners and admins, 「管理者」 › 「ユーザー管理」 › 「ユーザー」 (list, add, remove from the account, delete,
activate/deactivate)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zoom_emulator import accounts, browser, meetings, oauth, participants
from zoom_emulator.calllog import logged
from zoom_emulator.models import Meeting, Participant, User
from zoom_emulator.views.marketplace import forbidden

NOT_ADMIN = "Only account owners and admins can open User Management (「ユーザー管理」). Ask an admin of your account."


def _to_signin(request: HttpRequest) -> HttpResponse:
    # Zoom's portal asks a visitor to sign in and then shows the page they wanted.
    return HttpResponseRedirect(f"{reverse('zoom_emulator:signin')}?{urlencode({'next': request.get_full_path()})}")


@logged("pages.profile")
@require_http_methods(["GET", "HEAD"])
def profile(request: HttpRequest) -> HttpResponse:
    user = browser.signed_in_user(request)
    if user is None:
        return _to_signin(request)
    return render(request, "zoom_emulator/profile.html", {"zoom_user": user, "is_admin": accounts.is_admin(user)})


@logged("pages.added_apps")
@require_http_methods(["GET", "HEAD", "POST"])
def added_apps(request: HttpRequest) -> HttpResponse:
    """Zoom's "Added apps" (Marketplace › Manage › Added Apps): each app the user authorized, with Remove."""
    user = browser.signed_in_user(request)
    if user is None:
        return _to_signin(request)
    error = ""
    if request.method == "POST":
        error = _remove_app(user, request.POST.get("client_id", ""))
        if not error:
            return HttpResponseRedirect(f"{reverse('zoom_emulator:added_apps')}?removed=1")
    return render(
        request,
        "zoom_emulator/added_apps.html",
        {
            "zoom_user": user,
            "is_admin": accounts.is_admin(user),
            "grants": oauth.added_apps(user),
            "removed": request.GET.get("removed") == "1" and not error,
            "error": error,
        },
        status=400 if error else 200,
    )


def _remove_app(user: User, client_id: str) -> str:
    """Returns an error message, or "" once the app is removed."""
    # Only an app this user added: a client id from elsewhere is the same "not added" as a stale form.
    if not client_id or not any(grant.app.client_id == client_id for grant in oauth.added_apps(user)):
        return "That app is not among your added apps (already removed?)."
    try:
        oauth.remove_app(user, client_id)
    except accounts.AccountError as exc:
        return str(exc)
    return ""


@logged("pages.admin_users")
@require_http_methods(["GET", "HEAD", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    actor = browser.signed_in_user(request)
    if actor is None:
        return _to_signin(request)
    if not accounts.is_admin(actor):
        return forbidden(request, NOT_ADMIN, zoom_user=actor)
    error = ""
    if request.method == "POST":
        error = _apply_user_action(actor, request.POST)
        if not error:
            return HttpResponseRedirect(reverse("zoom_emulator:admin_users"))
    return render(
        request,
        "zoom_emulator/admin_users.html",
        {
            "zoom_user": actor,
            "is_admin": True,
            "account": actor.account,
            "users": actor.account.users.order_by("pk"),
            "error": error,
        },
        status=400 if error else 200,
    )


def _apply_user_action(actor: User, data: dict[str, str]) -> str:
    """Returns an error message, or "" once the change is made."""
    target = User.objects.select_related("account").filter(user_id=data.get("user_id", "")).first()
    if target is None:
        return "That user does not exist."
    try:
        accounts.check_can_manage(actor, target)
        action = data.get("action")
        if action == "remove":
            accounts.remove_from_account(target)
        elif action == "delete":
            accounts.delete_user(target)
        elif action == "status" and data.get("status") in (User.Status.ACTIVE, User.Status.INACTIVE):
            accounts.set_status(target, data["status"])
        else:
            return "Choose what to do with the user."
    except accounts.AccountError as exc:
        return str(exc)
    return ""


@logged("pages.admin_users_add")
@require_http_methods(["GET", "HEAD", "POST"])
def add_user(request: HttpRequest) -> HttpResponse:
    actor = browser.signed_in_user(request)
    if actor is None:
        return _to_signin(request)
    if not accounts.is_admin(actor):
        return forbidden(request, NOT_ADMIN, zoom_user=actor)
    form = {"email": "", "first_name": "", "last_name": "", "role": User.Role.MEMBER, "status": User.Status.ACTIVE}
    error = ""
    if request.method == "POST":
        form = {key: request.POST.get(key, default).strip() for key, default in form.items()}
        try:
            accounts.add_user(
                actor.account,
                form["email"],
                form["first_name"],
                form["last_name"],
                role=form["role"],
                status=form["status"],
            )
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            return HttpResponseRedirect(reverse("zoom_emulator:admin_users"))
    return render(
        request,
        "zoom_emulator/admin_users_add.html",
        {"zoom_user": actor, "is_admin": True, "form": form, "error": error},
        status=400 if error else 200,
    )


# ------------------------------------------------------------------------------------- 「ミーティング」


def _own_meeting(user: User, meeting_id: Any) -> Meeting | None:
    # Only the host's own, not deleted: another user's meeting id looks like a missing one.
    found = meetings.get_meeting(meeting_id)
    return found if found is not None and found.host_id == user.pk else None


def _origin(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _local(meeting: Meeting) -> datetime:
    zone = ZoneInfo(meeting.timezone or meeting.host.timezone)
    return (meeting.start_time or meeting.created_at).astimezone(zone)


@logged("pages.portal_meetings")
@require_http_methods(["GET", "HEAD", "POST"])
def meetings_page(request: HttpRequest) -> HttpResponse:
    """「ミーティング」: the signed-in host's upcoming and past meetings (not deleted), each with Edit and Delete."""
    user = browser.signed_in_user(request)
    if user is None:
        return _to_signin(request)
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "start":
            started = _start_from_form(user, request.POST)
            if isinstance(started, Participant):
                return HttpResponseRedirect(reverse("zoom_emulator:room", args=[started.session_key]))
            error = started
        else:
            error = _delete_from_form(user, request.POST)
            if not error:
                return HttpResponseRedirect(f"{reverse('zoom_emulator:portal_meetings')}?deleted=1")
    origin = _origin(request)
    rows = [
        {"meeting": meeting, "local": _local(meeting), "join_url": meetings.join_url(meeting, origin)}
        for meeting in meetings.meetings_of(user)
    ]
    return render(
        request,
        "zoom_emulator/portal_meetings.html",
        {
            "zoom_user": user,
            "is_admin": accounts.is_admin(user),
            "rows": rows,
            "deleted": request.GET.get("deleted") == "1" and not error,
            "saved": request.GET.get("saved") == "1" and not error,
            "error": error,
        },
        status=400 if error else 200,
    )


def _start_from_form(user: User, data: Any) -> Participant | str:
    """Start (開始): the host joins their meeting, starting it; returns the visit, or an error message."""
    meeting = _own_meeting(user, data.get("meeting_id", ""))
    if meeting is None:
        return "That meeting is not among your meetings (deleted?)."
    try:
        return participants.host_join(meeting, as_user=user)
    except participants.ParticipantError as exc:
        return str(exc)


def _delete_from_form(user: User, data: Any) -> str:
    """Returns an error message, or "" once the meeting is deleted (and ``meeting.deleted`` queued)."""
    meeting = _own_meeting(user, data.get("meeting_id", ""))
    if meeting is None:
        return "That meeting is not among your meetings (already deleted?)."
    try:
        meetings.portal_delete(meeting, by=user)
    except meetings.PortalError as exc:
        return str(exc)
    return ""


@logged("pages.portal_meeting_edit")
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Edit one meeting: date, time, duration, waiting room, join before host, alternative hosts; one Save
    is one change (one ``meeting.updated`` with whatever changed). Delete is here too."""
    user = browser.signed_in_user(request)
    if user is None:
        return _to_signin(request)
    meeting = _own_meeting(user, meeting_id)
    if meeting is None:
        return render(
            request,
            "zoom_emulator/error.html",
            {"zoom_user": user, "message": "This meeting does not exist, was deleted, or is not yours."},
            status=404,
        )
    local = _local(meeting)
    form = {
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "duration": str(meeting.duration),
        "waiting_room": bool(meeting.settings.get("waiting_room")),
        "join_before_host": bool(meeting.settings.get("join_before_host")),
        "alternative_hosts": str(meeting.settings.get("alternative_hosts") or ""),
    }
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            error = _delete_from_form(user, {"meeting_id": meeting.meeting_id})
            if not error:
                return HttpResponseRedirect(f"{reverse('zoom_emulator:portal_meetings')}?deleted=1")
        else:
            form = {
                "date": request.POST.get("date", "").strip(),
                "time": request.POST.get("time", "").strip(),
                "duration": request.POST.get("duration", "").strip(),
                "waiting_room": "waiting_room" in request.POST,
                "join_before_host": "join_before_host" in request.POST,
                "alternative_hosts": request.POST.get("alternative_hosts", "").strip(),
            }
            error = _save_from_form(user, meeting, form, _origin(request))
            if not error:
                return HttpResponseRedirect(f"{reverse('zoom_emulator:portal_meetings')}?saved=1")
    policy = meetings.policy_for(meeting.host.account)
    return render(
        request,
        "zoom_emulator/portal_meeting_edit.html",
        {
            "zoom_user": user,
            "is_admin": accounts.is_admin(user),
            "meeting": meeting,
            "form": form,
            "timezone": meeting.timezone or meeting.host.timezone,
            "waiting_room_locked": policy.waiting_room_locked,
            "join_before_host_locked": policy.join_before_host_locked,
            "error": error,
        },
        status=400 if error else 200,
    )


def _save_from_form(user: User, meeting: Meeting, form: dict[str, Any], origin: str) -> str:
    """Returns an error message, or "" once saved. Nothing changes when anything is wrong."""
    start = None
    # Naive on purpose: the portal's date and time are read in the meeting's time zone.
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            start = datetime.strptime(f"{form['date']} {form['time']}", pattern)
            break
        except ValueError:
            continue
    if start is None:
        return "Enter the date as YYYY-MM-DD and the time as HH:MM."
    local = _local(meeting)
    if start == local.replace(second=0, microsecond=0, tzinfo=None):
        # The form shows minutes only: an untouched time must not move a start that has seconds.
        start = None
    try:
        duration = int(form["duration"])
    except ValueError:
        return "Enter the duration in minutes."
    try:
        meetings.portal_edit(
            meeting,
            start=start,
            duration=duration,
            settings={
                "waiting_room": form["waiting_room"],
                "join_before_host": form["join_before_host"],
                "alternative_hosts": form["alternative_hosts"],
            },
            by=user,
            origin=origin,
        )
    except meetings.PortalError as exc:
        return str(exc)
    return ""
