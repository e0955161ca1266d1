from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from herp import notifications as bell
from herp.forms import EmailAuthenticationForm
from herp.navigation import entries_for
from herp.tenancy import company_member_required, get_scoped_or_404


@require_GET
@company_member_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "herp/home.html", {"pages": entries_for(request.user)})


class LoginView(auth_views.LoginView):
    template_name = "herp/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Sign in")}


@require_GET
@company_member_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(bell.for_user(request.user), bell.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "herp/notifications.html", {"page": page, "title": _("Notifications")})


@require_POST
@company_member_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks the line read and follows its link (a page of ours), so one click both reads and acts."""
    line = get_scoped_or_404(bell.for_user(request.user), request.user.company, pk=pk)
    bell.mark_read(user=request.user, notification_id=line.pk)
    if request.POST.get("go") and url_has_allowed_host_and_scheme(line.url, allowed_hosts=None):
        return HttpResponseRedirect(line.url)
    return redirect("notifications")


@require_POST
@company_member_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    bell.mark_read(user=request.user)
    return redirect("notifications")
