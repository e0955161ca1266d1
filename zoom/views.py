"""外部サービスアカウント (every person's Zoom link) and the admins' "who is linked" page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from herp.models import User
from herp.tenancy import MemberRequest, company_admin_required, company_member_required, scoped
from integrations import handshake
from integrations.callbacks import callback_read
from integrations.failures import failure_text
from integrations.models import IntegrationEvent
from integrations.services import ConnectionFailed
from integrations.zoom_api.errors import OAuthError
from zoom import services
from zoom.models import ZoomUser

# Refusals particular to a personal link (the token and state failures are shared with Connect).
MEMBERS_PAGE_SIZE = 50

LINK_TEXTS = {
    "company_not_connected": (
        gettext_lazy("Your company has not connected Zoom yet"),
        gettext_lazy(
            "A company admin must connect the company's Zoom account first, in Settings › External service "
            "integration. Then link your Zoom user here."
        ),
    ),
    "other_account": (
        gettext_lazy("This Zoom user is not in your company's Zoom account"),
        gettext_lazy(
            "Zoom signed you in as %(email)s, which does not belong to the Zoom account your company connected. "
            "Nothing was linked."
        ),
    ),
    "zoom_user_pending": (
        gettext_lazy("This Zoom user has not accepted its invitation"),
        gettext_lazy(
            "Your Zoom user is still pending in your company's Zoom account. Accept the invitation e-mail from "
            "Zoom first, then link again."
        ),
    ),
    "zoom_user_inactive": (
        gettext_lazy("This Zoom user is deactivated"),
        gettext_lazy(
            "The Zoom user %(email)s is deactivated in your company's Zoom account. Ask a Zoom admin to activate "
            "it, then link again."
        ),
    ),
    "zoom_user_linked_elsewhere": (
        gettext_lazy("This Zoom user is already linked to someone else"),
        gettext_lazy(
            "The Zoom user %(email)s is already linked to another person in HERP. Each Zoom user can be linked "
            "by one person only. Sign in to Zoom with your own Zoom user and link again."
        ),
    ),
}


def _account_page() -> HttpResponseRedirect:
    return redirect("zoom:account")


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@company_member_required
def account(request: MemberRequest) -> HttpResponse:
    link = ZoomUser.objects.filter(user=request.user).first()
    installation = services.company_zoom_account(request.user.tenant)
    context: dict[str, Any] = {
        "link": link,
        "Status": ZoomUser.Status,
        "installation": installation,
        "suspended": link is not None and link.is_suspended(installation),
        "zoom_configured": settings.ZOOM_CONFIGURED,
        "zoom_portal_url": settings.ZOOM_OAUTH_BASE_URL,
    }
    return render(request, "zoom/account.html", context)


@require_POST
@company_member_required
def link(request: MemberRequest) -> HttpResponse:
    if not settings.ZOOM_CONFIGURED:
        messages.error(request, _("Zoom is not configured on this server. Ask the operators to set it up."))
        return _account_page()
    if services.company_zoom_account(request.user.tenant) is None:
        # Say so now rather than after a trip to Zoom that could not end in a link.
        return _refusal_page(request, ConnectionFailed("company_not_connected", retry=False))
    try:
        url = handshake.start(request, handshake.Purpose.LINK)
    except OAuthError:
        messages.error(request, _("Zoom is not configured on this server. Ask the operators to set it up."))
        return _account_page()
    return HttpResponseRedirect(url)


@require_POST
@company_member_required
def unlink(request: MemberRequest) -> HttpResponse:
    current = ZoomUser.objects.filter(user=request.user).exclude(status=ZoomUser.Status.UNLINKED).first()
    if current is None:
        return _account_page()
    services.zoom_user_unlink(user=request.user)
    messages.success(request, _("Your Zoom user was unlinked."))
    return _account_page()


@require_GET
@company_member_required
def callback(request: MemberRequest) -> HttpResponse:
    try:
        pending, code = callback_read(
            request, handshake.Purpose.LINK, failed_kind=IntegrationEvent.Kind.ZOOM_USER_LINK_REFUSED
        )
        services.zoom_user_link(user=request.user, pending=pending, code=code)
    except ConnectionFailed as failure:
        return _no_referrer(_refusal_page(request, failure))
    messages.success(request, _("Your Zoom user is linked."))
    return _no_referrer(_account_page())


def _refusal_page(request: MemberRequest, failure: ConnectionFailed) -> HttpResponse:
    title, explanation = failure_text(failure, LINK_TEXTS)
    installation = services.company_zoom_account(request.user.tenant)
    context = {
        "title": title,
        "explanation": explanation,
        "reason": failure.reason,
        "retry": True,
        "retry_url": reverse("zoom:link"),
        "back_url": reverse("zoom:account"),
        "back_label": _("Back to External service accounts"),
        "found_email": failure.context.get("zoom_email", ""),
        "installer": failure.context.get("installer", "")
        or (installation.installer.display_name if installation and installation.installer else ""),
        "zoom_portal_url": settings.ZOOM_OAUTH_BASE_URL,
    }
    return render(request, "zoom/link_refused.html", context, status=failure.status)


@require_GET
@company_admin_required
def members(request: MemberRequest) -> HttpResponse:
    installation = services.company_zoom_account(request.user.tenant)
    people = scoped(User, request.user.tenant).filter(is_active=True)
    # A page at a time (issue 16); the count of the people the reminder would reach is one query.
    page = Paginator(people.select_related("zoom_user").order_by("pk"), MEMBERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for person in page.object_list:
        link: ZoomUser | None = getattr(person, "zoom_user", None)
        rows.append({"person": person, "link": link, "suspended": link is not None and link.is_suspended(installation)})
    unlinked = services.people_without_link(request.user.tenant).count()
    return render(
        request,
        "zoom/members.html",
        {"rows": rows, "page": page, "Status": ZoomUser.Status, "unlinked": unlinked, "installation": installation},
    )


@require_POST
@company_admin_required
def remind(request: MemberRequest) -> HttpResponse:
    sent = services.members_remind_unlinked(company=request.user.tenant, actor=request.user)
    IntegrationEvent.record(request.user.tenant, IntegrationEvent.Kind.MEMBERS_REMINDED, actor=request.user, sent=sent)
    text = ngettext("Sent a reminder to %(count)d person.", "Sent a reminder to %(count)d people.", sent)
    messages.success(request, text % {"count": sent})
    return redirect("zoom:members")


@require_GET
@company_member_required
def help_page(request: MemberRequest) -> HttpResponse:
    return render(request, "zoom/help.html")
