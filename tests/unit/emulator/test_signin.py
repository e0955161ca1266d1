from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.unit.emulator.helpers import emulator_db, sign_in
from zoom_emulator.browser import COOKIE_NAME

pytestmark = emulator_db


def test_it_lists_the_seeded_zoom_users(client, seeded):
    response = client.get(reverse("zoom_emulator:signin"))
    assert response.status_code == 200
    body = response.content.decode()
    for email in ("zoom-owner@demo.example", "admin@demo.example", "recruiter3@personal.example"):
        assert email in body
    assert "Demo Inc." in body
    assert "Personal" in body
    assert "Owner" in body


def test_it_signs_in_with_its_own_signed_cookie_not_the_django_session(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    assert COOKIE_NAME in client.cookies
    assert "sessionid" not in client.cookies
    response = client.get(reverse("zoom_emulator:index"))
    assert "recruiter1@demo.example" in response.content.decode()


def test_it_ignores_a_tampered_cookie(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    client.cookies[COOKIE_NAME] = client.cookies[COOKIE_NAME].value + "x"
    response = client.get(reverse("zoom_emulator:index"))
    assert "Not signed in to Zoom" in response.content.decode()


def test_it_returns_to_a_safe_next_after_sign_in(client, seeded):
    user = seeded.users["recruiter2@demo.example"]
    next_url = "/zoom-emulator/oauth/authorize?client_id=x&redirect_uri=http://example.com/cb"
    response = client.post(reverse("zoom_emulator:signin"), {"user_id": user.user_id, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


def test_it_refuses_a_next_that_leaves_the_emulator(client, seeded):
    user = seeded.users["recruiter2@demo.example"]
    for next_url in (
        "https://evil.example/",
        "//evil.example/",
        "/admin/",
        "/zoom-emulator/../admin/",
        "/zoom-emulator//evil.example",
        "/zoom-emulator/\\evil.example",
    ):
        response = client.post(reverse("zoom_emulator:signin"), {"user_id": user.user_id, "next": next_url})
        assert response["Location"] == "/zoom-emulator/", next_url


def test_it_rejects_an_unknown_user(client, seeded):
    response = client.post(reverse("zoom_emulator:signin"), {"user_id": "nobody"})
    assert response.status_code == 400
    assert COOKIE_NAME not in client.cookies or not client.cookies[COOKIE_NAME].value


def test_it_signs_out(client, seeded):
    sign_in(client, "recruiter1@demo.example")
    response = client.post(reverse("zoom_emulator:signout"))
    assert response.status_code == 302
    page = client.get(reverse("zoom_emulator:index"))
    assert "Not signed in to Zoom" in page.content.decode()


def test_it_protects_sign_in_with_csrf(seeded):
    client = Client(enforce_csrf_checks=True)
    user = seeded.users["recruiter1@demo.example"]
    response = client.post(reverse("zoom_emulator:signin"), {"user_id": user.user_id})
    assert response.status_code == 403


def test_the_index_shows_accounts_and_links(client, seeded):
    response = client.get(reverse("zoom_emulator:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("zoom_emulator:signin") in body
    assert reverse("zoom_emulator:faults") in body
    assert seeded.accounts["demo"].account_id in body
    assert "HERP ATS" in body
