from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def test_it_speaks_japanese_by_default_whatever_the_browser_asks(user_factory, client_for):
    client = client_for(user_factory())
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "ja"
    assert "ホーム" in response.content.decode()


def test_it_switches_to_english_and_remembers_it(user_factory, client_for):
    client = client_for(user_factory())
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja")
    assert page["Content-Language"] == "en"
    assert "Home" in page.content.decode()


def test_it_ignores_an_unknown_language_cookie(user_factory, client_for):
    client = client_for(user_factory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("home"))["Content-Language"] == "ja"


def test_it_refuses_an_offsite_next_after_switching(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response.url.startswith("https://evil.example")
