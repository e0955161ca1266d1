"""Call the emulator's meeting endpoints the way the product does: JSON over HTTP with a Bearer token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

API = "/zoom-emulator/v2"
FUTURE = "2099-06-01T01:00:00Z"


def call(client: Client, token: str, method: str, path: str, body: Any = None, **query: Any):
    kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    elif query:
        kwargs["data"] = query
    return getattr(client, method.lower())(f"{API}/{path}", **kwargs)


def meeting_body(**overrides: Any) -> dict[str, Any]:
    """What the product sends (issue 5, point 4)."""
    body: dict[str, Any] = {
        "topic": "Interview: Taro Yamada",
        "type": 2,
        "start_time": FUTURE,
        "duration": 45,
        "timezone": "Asia/Tokyo",
        "password": "Ab3dEf7hJ9",
        "agenda": "herp-meeting:1b2c",
        "settings": {"join_before_host": True, "jbh_time": 0, "waiting_room": False, "approval_type": 2},
    }
    settings = overrides.pop("settings", None)
    body.update(overrides)
    if settings is not None:
        body["settings"] = {**body["settings"], **settings}
    return body


def create(client: Client, token: str, body: Any = None, user: str = "me"):
    return call(client, token, "POST", f"users/{user}/meetings", meeting_body() if body is None else body)
