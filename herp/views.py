from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from herp.forms import EmailAuthenticationForm
from herp.navigation import entries_for
from herp.tenancy import company_member_required


@require_GET
@company_member_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "herp/home.html", {"pages": entries_for(request.user)})


class LoginView(auth_views.LoginView):
    template_name = "herp/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Sign in")}
