"""The emulator's own pages: an index, the "signed in to Zoom" session, and the fault switches (the token
endpoint's, and those that delay, duplicate or reorder webhook deliveries)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zoom_emulator import browser, faults, webhooks
from zoom_emulator.calllog import logged
from zoom_emulator.models import Account, App, Call, Fault, User, WebhookDelivery


@logged("pages.index")
@require_http_methods(["GET", "HEAD"])
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "zoom_emulator/index.html",
        {
            "zoom_user": browser.signed_in_user(request),
            "accounts": Account.objects.prefetch_related("users", "preapprovals__app").order_by("pk"),
            "apps": App.objects.order_by("pk"),
            "faults": faults.active(),
            "calls": list(Call.objects.order_by("-pk")[:20]),
            "deliveries": list(WebhookDelivery.objects.order_by("-pk")[:10]),
        },
    )


@logged("pages.signin")
@require_http_methods(["GET", "HEAD", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        next_url = browser.safe_next(request.POST.get("next"))
        user = User.objects.filter(user_id=request.POST.get("user_id", "")).first()
        if user is not None:
            response = HttpResponseRedirect(next_url)
            browser.sign_in(request, response, user)
            return response
        return _signin_page(request, next_url, error="Choose one of the Zoom users below.", status=400)
    return _signin_page(request, browser.safe_next(request.GET.get("next")))


def _signin_page(request: HttpRequest, next_url: str, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "zoom_emulator/signin.html",
        {
            "zoom_user": browser.signed_in_user(request),
            "users": User.objects.select_related("account").order_by("account__pk", "pk"),
            "next": next_url,
            "error": error,
        },
        status=status,
    )


@logged("pages.signout")
@require_http_methods(["POST"])
def signout(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(browser.safe_next(request.POST.get("next")))
    browser.sign_out(response)
    return response


@logged("pages.faults")
@require_http_methods(["GET", "HEAD", "POST"])
def fault_switches(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        error = _apply_fault_form(request.POST)
        if not error:
            return HttpResponseRedirect(reverse("zoom_emulator:faults"))
    return render(
        request,
        "zoom_emulator/faults.html",
        {
            "zoom_user": browser.signed_in_user(request),
            "faults": [fault for fault in faults.active() if fault.endpoint != faults.WEBHOOKS],
            "kinds": [(value, label) for value, label in Fault.Kind.choices if value in faults.ENDPOINT_KINDS],
            "webhook_faults": faults.active(faults.WEBHOOKS),
            "held": WebhookDelivery.objects.filter(state=WebhookDelivery.State.HELD).count(),
            "error": error,
        },
        status=400 if error else 200,
    )


def _apply_fault_form(data: dict[str, str]) -> str:
    """Returns an error message, or "" once the switch is set or cleared."""
    action = data.get("action")
    if action == "clear":
        faults.clear()
        return ""
    if action in ("webhook_delay", "webhook_duplicate", "webhook_reorder", "clear_webhooks", "release_held"):
        return _apply_webhook_form(action, data)
    kind = data.get("kind", "")
    try:
        times = int(data["times"]) if data.get("times") else None
        status_code = int(data["status_code"]) if data.get("status_code") else None
        delay_ms = int(data["delay_ms"]) if data.get("delay_ms") else 0
        if kind == Fault.Kind.SERVER_ERROR:
            faults.fail_with(status_code or 500, times=times)
        elif kind == Fault.Kind.RATE_LIMIT:
            faults.rate_limit(times=times)
        elif kind == Fault.Kind.DELAY:
            faults.delay(delay_ms, times=times)
        elif kind == Fault.Kind.ROTATE_THEN_DROP:
            faults.rotate_then_drop(times=times, status_code=status_code or 500)
        else:
            return "Choose what the token endpoint should do."
    except ValueError as exc:
        return f"That switch cannot be set: {exc}"
    return ""


def _apply_webhook_form(action: str, data: dict[str, str]) -> str:
    try:
        times = int(data["times"]) if data.get("times") else None
        if action == "webhook_delay":
            faults.webhook_delay(float(data.get("seconds") or 0), times=times)
        elif action == "webhook_duplicate":
            faults.webhook_duplicate(int(data.get("copies") or 2), times=times)
        elif action == "webhook_reorder":
            faults.webhook_reorder(times=times)
        elif action == "clear_webhooks":
            faults.clear(faults.WEBHOOKS)
        else:
            webhooks.release_held()
    except ValueError as exc:
        return f"That switch cannot be set: {exc}"
    return ""
