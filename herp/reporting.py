"""Error reports (the 500 e-mails to ADMINS, the DEBUG page) without query strings.

Zoom's redirects carry the authorization ``code`` and ``state`` in the query string, and Django's
reporter copies query parameters, the full URL and QUERY_STRING into every report. A failed callback
must not mail a usable code to anyone (RELIABILITY T11), so reports show the parameter names only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

HIDDEN = "********************"


class QueryStringFilter(SafeExceptionReporterFilter):
    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING", "HTTP_REFERER", "REQUEST_URI", "RAW_URI"):
            if meta.get(key):
                meta[key] = HIDDEN
        return meta


class QuerylessExceptionReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = [(name, HIDDEN) for name in self.request.GET]
            data["request_insecure_uri"] = self.request.build_absolute_uri(self.request.path)
        return data
