"""Who is "signed in to Zoom" in this browser: a signed cookie of the emulator's own, not Django's session,
so that signing in to Zoom and signing in to the product stay independent, as they are in real life."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from zoom_emulator.models import User

COOKIE_NAME = "zoom_emulator_session"
_SALT = "zoom_emulator.browser_session"
_MAX_AGE = 60 * 60 * 24 * 14


def _cookie_path() -> str:
    return reverse("zoom_emulator:index")


def signed_in_user(request: HttpRequest) -> User | None:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return None
    user_id = data.get("user_id") if isinstance(data, dict) else None
    if not isinstance(user_id, str):
        return None
    return User.objects.select_related("account").filter(user_id=user_id).first()


def sign_in(request: HttpRequest, response: HttpResponse, user: User) -> None:
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps({"user_id": user.user_id}, salt=_SALT),
        max_age=_MAX_AGE,
        path=_cookie_path(),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def sign_out(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, path=_cookie_path(), samesite="Lax")


def safe_next(value: str | None) -> str:
    """Only a path inside the emulator: ``next`` must never send the browser anywhere else."""
    home = reverse("zoom_emulator:index")
    if not value or not value.startswith(home):
        return home
    parts = urlsplit(value)
    # Browsers treat a backslash as a slash and collapse dot segments in the path, either of which could
    # leave the emulator ("/zoom-emulator/\\evil.example", "/zoom-emulator/../admin/"). The query may hold
    # anything (an authorize URL carries a redirect_uri).
    path = parts.path
    if parts.scheme or parts.netloc or "\\" in path or "//" in path or any(ord(c) < 32 for c in value):
        return home
    if ".." in path.split("/") or "%2e" in path.lower():
        return home
    return value
