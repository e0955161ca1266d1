"""「全体設定」 > 「外部サービス連携」: the company's Zoom connection, for company admins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from herp.tenancy import MemberRequest, company_admin_required
from integrations import handshake, services
from integrations.callbacks import callback_read
from integrations.failures import failure_text
from integrations.models import IntegrationEvent, LossReason, ZoomInstallation
from integrations.services import ConnectionFailed
from integrations.zoom_api.errors import OAuthError


def _settings_page() -> HttpResponseRedirect:
    return redirect("integrations:settings")


def _no_referrer(response: HttpResponse) -> HttpResponse:
    # The callback URL carries the code and state: never let them leak through a Referer (T04).
    response["Referrer-Policy"] = "no-referrer"
    return response


def _reason_for(installation: ZoomInstallation) -> str:
    """Why the connection needs an admin, in the admin's words: the stored reason code's label, or the
    recorded text when the code is ``other``."""
    if installation.reason in ("", LossReason.OTHER):
        return installation.last_error
    return str(LossReason(installation.reason).label)


@require_GET
@company_admin_required
def integration_settings(request: MemberRequest) -> HttpResponse:
    installation = services.installation_for(request.user)
    context: dict[str, Any] = {
        "installation": installation,
        "Status": ZoomInstallation.Status,
        "zoom_configured": settings.ZOOM_CONFIGURED,
        "marketplace_url": settings.ZOOM_OAUTH_BASE_URL,
    }
    if installation.shows_reconnect:
        context["reason"] = _reason_for(installation)
    if installation.grant is not None:
        context["scopes"] = sorted(installation.grant.scopes or [])
    return render(request, "integrations/settings.html", context)


@require_POST
@company_admin_required
def connect(request: MemberRequest) -> HttpResponse:
    if not settings.ZOOM_CONFIGURED:
        messages.error(request, _("Zoom is not configured on this server. Ask the operators to set it up."))
        return _settings_page()
    services.installation_connect_start(user=request.user)
    try:
        url = handshake.start(request, handshake.Purpose.CONNECT)
    except OAuthError:
        messages.error(request, _("Zoom is not configured on this server. Ask the operators to set it up."))
        return _settings_page()
    return HttpResponseRedirect(url)


@require_POST
@company_admin_required
def pre_approval_requested(request: MemberRequest) -> HttpResponse:
    installation = services.installation_for(request.user)
    if installation.status not in (ZoomInstallation.Status.AUTHORIZING, ZoomInstallation.Status.PRE_APPROVAL_REQUESTED):
        messages.error(request, _("There is no connection attempt waiting for pre-approval."))
        return _settings_page()
    services.installation_pre_approval_requested(user=request.user)
    messages.success(request, _("Recorded. Once a Zoom admin has pre-approved the app, press Retry."))
    return _settings_page()


@require_http_methods(["GET", "POST"])
@company_admin_required
def disconnect(request: MemberRequest) -> HttpResponse:
    installation = services.installation_for(request.user)
    if installation.status == ZoomInstallation.Status.NOT_CONNECTED:
        return _settings_page()
    if request.method == "GET":
        return render(request, "integrations/disconnect_confirm.html", {"installation": installation})
    services.installation_disconnect(user=request.user)
    messages.success(request, _("Zoom was disconnected. Personal links are suspended until Zoom is connected again."))
    return _settings_page()


@require_GET
@company_admin_required
def callback(request: MemberRequest) -> HttpResponse:
    """Zoom sends the admin back here after 「認可」. Every failure is a page that says what happened
    and offers Retry; none changes the connection, and each is in the audit log."""
    try:
        pending, code = callback_read(
            request, handshake.Purpose.CONNECT, failed_kind=IntegrationEvent.Kind.CONNECT_FAILED
        )
        services.installation_complete(user=request.user, pending=pending, code=code)
    except ConnectionFailed as failure:
        return _no_referrer(_failure_page(request, failure))
    messages.success(request, _("Zoom is connected."))
    return _no_referrer(redirect(reverse("integrations:settings")))


def _failure_page(request: HttpRequest, failure: ConnectionFailed) -> HttpResponse:
    title, explanation = failure_text(failure)
    context = {
        "title": title,
        "explanation": explanation,
        "retry": failure.retry,
        "reason": failure.reason,
        "retry_url": reverse("integrations:connect"),
        "back_url": reverse("integrations:settings"),
        "back_label": _("Back to External service integration"),
    }
    return render(request, "integrations/callback_failed.html", context, status=failure.status)
