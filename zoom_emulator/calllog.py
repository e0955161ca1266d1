"""The call log: one row per request the emulator answered, so tests can count what the product did.

Only the method, the path (never the query string, which may carry a token), the endpoint name and the
status are kept.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from zoom_emulator.models import Call

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def logged(endpoint: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            record(request, endpoint, response.status_code)
            return response

        return wrapper

    return decorate


def record(request: HttpRequest, endpoint: str, status_code: int) -> None:
    try:
        Call.objects.create(
            method=request.method or "",
            path=request.path[:500],
            endpoint=endpoint,
            status_code=status_code,
        )
    except DatabaseError:
        # The log serves tests and curious developers; losing a row must not fail Zoom's answer.
        logger.warning("zoom_emulator: could not record a call to %s", endpoint, exc_info=True)


def calls(endpoint: str | None = None) -> list[Call]:
    queryset = Call.objects.all()
    if endpoint is not None:
        queryset = queryset.filter(endpoint=endpoint)
    return list(queryset)


def clear_calls() -> None:
    Call.objects.all().delete()
