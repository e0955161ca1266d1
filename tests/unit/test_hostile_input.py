"""No view answers 500 to what a person can type: every route with an id, given ids no database can
hold, and the forms' id fields given the same, answer 4xx or a form with errors."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from herp.models import User

HUGE = "9" * 30


def routes_with_ids() -> list[str]:
    found = []

    def walk(patterns, prefix: str = "") -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and "<" in text and not text.startswith(("admin/", "zoom-emulator/")):
                found.append("/" + re.sub(r"<(?:int:|path:|str:)?\w+>", HUGE, text).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns)
    return sorted(set(found))


def test_it_finds_the_routes_with_ids():
    assert any(path.startswith("/schedules/") for path in routes_with_ids())


@pytest.mark.parametrize("path", routes_with_ids())
@pytest.mark.parametrize("method", ["get", "post"])
def test_ids_no_database_can_hold_answer_4xx(path, method, user_factory, client_for):
    client = client_for(user_factory(role=User.Role.ADMIN))
    assert getattr(client, method)(path).status_code < 500


@pytest.mark.parametrize(
    "query",
    [
        f"participants={HUGE}",
        f"schedule={HUGE}",
        "participants=-1&participants=abc",
        "starts_at=nonsense&timezone=Mars/Base",
    ],
)
def test_the_host_preview_takes_any_query(query, user_factory, client_for):
    client = client_for(user_factory())
    assert client.get(f"/schedules/host-preview/?{query}").status_code < 500


def test_the_schedule_form_refuses_ids_no_database_can_hold(user_factory, client_for):
    client = client_for(user_factory())
    response = client.post("/schedules/new/", {"participants": [HUGE], "candidate": HUGE, "title": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["participants"]
