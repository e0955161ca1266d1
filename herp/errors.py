"""Error pages in the product's look and the person's language, with nothing from the request echoed."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("The request could not be understood.")
    if isinstance(exception, TooManyFieldsSent):
        # Only a form with a huge list of choices gets here, such as an interview's participants (herp
        # sits below scheduling, so its limit is said where the form is: scheduling.rules).
        message = _(
            "The form sent more values than HERP accepts at once, for example more participants than an "
            "interview may have. Go back, choose fewer, and save again."
        )
    elif isinstance(exception, RequestDataTooBig):
        message = _(
            "The form sent more data than HERP accepts at once. Go back, shorten what you entered, and try again."
        )
    return render(request, "error.html", {"title": _("Bad request"), "message": message}, status=400)


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
