"""Zoom's web portal: the signed-in user's profile (with Sign out), the apps they added (with Remove) and,
for owners and admins, 「管理者」 › 「ユーザー管理」 › 「ユーザー」 (list, add, remove from the account, delete,
activate/deactivate)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zoom_emulator import accounts, browser, oauth
from zoom_emulator.calllog import logged
from zoom_emulator.models import User
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
