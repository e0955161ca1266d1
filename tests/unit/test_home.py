from __future__ import annotations

from django.urls import reverse


def test_it_says_who_you_are(user_factory, client_for):
    user = user_factory(name="山田 太郎")
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "山田 太郎" in body
    assert user.company.name in body


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_gives_staff_without_a_company_no_product_pages(user_factory, client_for):
    staff = user_factory(is_staff=True)
    response = client_for(staff).get(reverse("home"))
    assert response.status_code == 403
    assert reverse("admin:index") in response.content.decode()
