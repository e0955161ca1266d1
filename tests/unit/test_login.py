from __future__ import annotations

from django.urls import reverse

from tests.conftest import DEMO_PASSWORD


def test_it_signs_in_with_an_email_address(client, user_factory):
    user = user_factory(email="hanako@example.com")
    response = client.post(reverse("login"), {"username": "Hanako@Example.com ", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_it_refuses_a_wrong_password_with_a_message(client, user_factory):
    user = user_factory()
    response = client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_it_follows_only_same_origin_next(client, user_factory):
    user = user_factory()
    response = client.post(
        reverse("login") + "?next=//evil.example/", {"username": user.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_it_signs_out_with_a_post(client_for, user_factory):
    client = client_for(user_factory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_login_page_sends_a_content_security_policy(client):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
