"""Login throttling (RELIABILITY T31), with django-axes: the hooks its settings name.

Failures are counted per e-mail address *and* client address together, so one client guessing one
account is stopped while that person's other devices, and everybody else behind the same office
proxy, still sign in. Unknown and known addresses are counted and refused alike: the lockout says
nothing about whether an account exists.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# AccessAttempt.username holds 255 characters.
USERNAME_LENGTH = 255


def _valid_ip(value: str | None) -> bool:
    if not value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the outermost of ``TRUSTED_PROXY_COUNT`` proxies saw it.

    Every proxy appends the address it received the request from to ``X-Forwarded-For``, so of that
    list only the last ``TRUSTED_PROXY_COUNT`` entries were written by our proxies: the one they put
    there first is the client. Anything further left was written by the client and can be anything
    (trusting it would let an attacker pick a fresh address per guess). With no proxy configured the
    header is ignored: the peer address is the client.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count and _valid_ip(forwarded[-count]):
            address: str = forwarded[-count]
            return address
    return remote if _valid_ip(remote) else None


def login_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The e-mail address as the login form reads it (trimmed, lower case), so ``A@x`` and ``a@x `` count
    as one account; characters no database column can hold are dropped."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field)
    if value is None and request is not None:
        value = request.POST.get(field, "")
    text = str(value or "").strip().lower()
    text = "".join(char for char in text if char != "\x00" and not 0xD800 <= ord(char) <= 0xDFFF)
    return text[:USERNAME_LENGTH]


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None) -> HttpResponse:
    """The page both login forms (/login/ and /admin/login/) answer while the lockout lasts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "title": _("Sign-in paused"),
        "message": _(
            "Too many failed sign-in attempts. For your security, signing in with this e-mail address from "
            "this device is paused for %(minutes)d minutes. Try again later. If you cannot wait, ask HERP "
            "support to lift the pause."
        )
        % {"minutes": minutes},
    }
    return render(request, "herp/locked_out.html", context, status=429)
