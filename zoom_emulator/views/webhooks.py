"""The webhooks page: every delivery with its attempts and body, Resend, the url_validation challenge per app,
and each app's "app_deauthorized when a user is deleted" switch."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from zoom_emulator import browser, webhooks
from zoom_emulator.calllog import logged
from zoom_emulator.models import App, WebhookDelivery

# The page shows the newest deliveries; older ones stay in the table for deliveries() and the shell.
PAGE_SIZE = 200


@logged("pages.webhooks")
@require_http_methods(["GET", "HEAD", "POST"])
def webhooks_page(request: HttpRequest) -> HttpResponse:
    error = ""
    validation: tuple[App, bool, webhooks.UrlValidation] | None = None
    if request.method == "POST":
        action = request.POST.get("action")
        app = App.objects.filter(client_id=request.POST.get("client_id", "")).first()
        if action == "url_validation":
            if app is None:
                error = "That app does not exist."
            else:
                # Shown on this very response: the person pressed the button to read the verdict.
                ok, result = webhooks.send_url_validation(app)
                validation = (app, ok, result)
        else:
            error = _apply(request.POST.get("action", ""), app, request.POST)
            if not error:
                return HttpResponseRedirect(reverse("zoom_emulator:webhooks"))
    return render(
        request,
        "zoom_emulator/webhooks.html",
        {
            "zoom_user": browser.signed_in_user(request),
            "apps": App.objects.order_by("pk"),
            "deliveries": WebhookDelivery.objects.prefetch_related("attempt_log").order_by("-pk")[:PAGE_SIZE],
            "retry_delays": webhooks.RETRY_DELAYS,
            "validation": validation,
            "error": error,
        },
        status=400 if error else 200,
    )


def _apply(action: str, app: App | None, data: dict[str, str]) -> str:
    """Returns an error message, or "" once done."""
    if action == "resend":
        try:
            delivery = WebhookDelivery.objects.filter(pk=int(data.get("delivery_id", ""))).first()
        except ValueError:
            delivery = None
        if delivery is None:
            return "That delivery does not exist."
        if webhooks.resend(delivery) is None:
            return "The app is gone or has no event URL: nothing to resend to."
        return ""
    if action == "deauthorize_on_delete":
        if app is None:
            return "That app does not exist."
        webhooks.set_deauthorize_on_delete(app, data.get("enabled") == "1")
        return ""
    return "Choose what to do."
