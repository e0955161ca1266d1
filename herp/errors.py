"""Error pages in the product's look and the person's language, with nothing from the request echoed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"title": _("Bad request"), "message": _("The request could not be understood.")},
        status=400,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": _("You do not have access to this page.")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"title": _("Page not found"), "message": _("This page does not exist, or you do not have access to it.")},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the failure may sit in a context processor or the session.
    body = loader.get_template("500.html").render({})
    return HttpResponse(body, status=500)
