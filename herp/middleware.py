from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from herp.timezones import is_timezone


class CookieLanguageMiddleware:
    """Japanese unless the person chose English: a signed-in person's stored language, else the cookie
    that the language switch sets (before sign-in).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the product deliberately
    ignores it, so a Japanese company's recruiter on an English browser still sees Japanese. The stored
    choice wins over the cookie because e-mails written in the background follow it too: what a person
    reads on the pages and in their mail must agree. It runs after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", None) if user is not None and user.is_authenticated else None
        if chosen not in self.supported:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        # Times without a zone of their own (when a mail was sent, say) show in the person's zone.
        zone = getattr(user, "timezone", "") if user is not None and user.is_authenticated else ""
        if zone and is_timezone(zone):
            timezone.activate(zone)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()  # the thread serves someone else next
        response.headers.setdefault("Content-Language", language)
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulMiddleware:
    """Refuses, with the bad-request page, a query string or form that carries a NUL character.

    No form lets a person type one, PostgreSQL cannot store one (text columns and jsonb refuse it), and
    Django's forms only check the fields they declare: a NUL in ``?error=`` of an OAuth callback, an admin
    search or a login's extra field would otherwise reach the database and answer 500 (RELIABILITY T29).
    Views exempt from CSRF (the webhook) read their own body and are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view_func, "csrf_exempt", False):
            return None
        sources = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            sources.append(request.POST)
        for source in sources:
            for key, values in source.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    from herp.errors import bad_request

                    return bad_request(request)
        return None
