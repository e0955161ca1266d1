from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from herp.navigation import entries_for
from herp.notifications import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    """The unread count of the person's notifications, in the header of every page (one COUNT)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_product_access:
        return {}
    return {"bell_unread": unread_count(user)}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_entries": []}
    return {"nav_entries": entries_for(user)}
