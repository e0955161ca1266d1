"""The Zoom App Marketplace's admin page for app requests (Manage > App Requests), and the e-mail outbox."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zoom_emulator import accounts, browser
from zoom_emulator.calllog import logged
from zoom_emulator.models import App, Preapproval, PreapprovalRequest, User

NO_PRIVILEGE = (
    "Only account owners and admins with the privilege to manage Marketplace apps (Marketplace: Edit) "
    "can open App Requests. Ask one of your account's admins to pre-approve the app."
)


def forbidden(request: HttpRequest, message: str, *, zoom_user: User | None) -> HttpResponse:
    return render(
        request,
        "zoom_emulator/forbidden.html",
        {
            "zoom_user": zoom_user,
            "message": message,
            "signin_url": f"{reverse('zoom_emulator:signin')}?{urlencode({'next': request.get_full_path()})}",
        },
        status=403,
    )


@logged("pages.marketplace_requests")
@require_http_methods(["GET", "HEAD", "POST"])
def app_requests(request: HttpRequest) -> HttpResponse:
    user = browser.signed_in_user(request)
    # Members, and visitors not signed in, meet the same refusal: the page is the admins' dashboard.
    if user is None or not accounts.is_admin(user):
        return forbidden(request, NO_PRIVILEGE, zoom_user=user)
    account = user.account
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "preapprove":
            app = App.objects.filter(client_id=request.POST.get("app", "")).first()
            if app is not None:
                accounts.preapprove(account, app, by=user)
                return HttpResponseRedirect(reverse("zoom_emulator:marketplace_requests"))
            error = "That app does not exist."
        elif action == "emails":
            accounts.set_request_emails(account, request.POST.get("enabled") == "on")
            return HttpResponseRedirect(reverse("zoom_emulator:marketplace_requests"))
        else:
            error = "Choose an action."
    return render(
        request,
        "zoom_emulator/marketplace_requests.html",
        {
            "zoom_user": user,
            "account": account,
            "requests": PreapprovalRequest.objects.filter(account=account).select_related("app", "user"),
            "preapprovals": Preapproval.objects.filter(account=account).select_related("app").order_by("pk"),
            "error": error,
        },
        status=400 if error else 200,
    )


@logged("pages.outbox")
@require_http_methods(["GET", "HEAD"])
def outbox(request: HttpRequest) -> HttpResponse:
    # Every e-mail, whoever is signed in: the outbox is the emulator's window, not a Zoom page.
    to = request.GET.get("to", "").strip()
    return render(
        request,
        "zoom_emulator/outbox.html",
        {"zoom_user": browser.signed_in_user(request), "emails": accounts.outbox(to or None), "to": to},
    )
