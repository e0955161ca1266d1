from __future__ import annotations

from typing import Literal, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from herp import notifications as bell
from herp.forms import EmailAuthenticationForm, PreferencesForm
from herp.navigation import entries_for
from herp.tenancy import MemberRequest, company_member_required, get_scoped_or_404


@require_GET
@company_member_required
def home(request: MemberRequest) -> HttpResponse:
    return render(request, "herp/home.html", {"pages": entries_for(request.user)})


class LoginView(auth_views.LoginView):
    template_name = "herp/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Sign in")}


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's set_language (the cookie, a safe ``next``), and for a
    signed-in person their stored language too, which e-mails written in the background follow."""
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    supported = {code for code, _name in settings.LANGUAGES}
    if user.is_authenticated and language in supported and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    # The cookie follows the stored choice, so the sign-in page speaks it after signing out.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=cast(Literal["Lax"], settings.LANGUAGE_COOKIE_SAMESITE),
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@require_http_methods(["GET", "POST"])
@company_member_required
def preferences(request: MemberRequest) -> HttpResponse:
    """Language and time zone: the pages, and every e-mail HERP writes to this person, use them."""
    user = request.user
    form = PreferencesForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        user.language = form.cleaned_data["language"]
        user.timezone = form.cleaned_data["timezone"]
        user.save(update_fields=["language", "timezone"])
        with translation.override(user.language):
            messages.success(request, _("Your language and time zone were saved."))
        return _remember_language(redirect("preferences"), user.language)
    return render(request, "herp/preferences.html", {"form": form})


@require_GET
@company_member_required
def notifications(request: MemberRequest) -> HttpResponse:
    page = Paginator(bell.for_user(request.user), bell.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "herp/notifications.html", {"page": page, "title": _("Notifications")})


@require_POST
@company_member_required
def notification_read(request: MemberRequest, pk: int) -> HttpResponse:
    """Marks the line read and follows its link (a page of ours), so one click both reads and acts."""
    line = get_scoped_or_404(bell.for_user(request.user), request.user.tenant, pk=pk)
    bell.mark_read(user=request.user, notification_id=line.pk)
    if request.POST.get("go") and url_has_allowed_host_and_scheme(line.url, allowed_hosts=None):
        return HttpResponseRedirect(line.url)
    return redirect("notifications")


@require_POST
@company_member_required
def notifications_read_all(request: MemberRequest) -> HttpResponse:
    bell.mark_read(user=request.user)
    return redirect("notifications")
