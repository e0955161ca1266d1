"""Each person has a stored language and time zone (issue 12): Japanese and Asia/Tokyo unless they chose
otherwise; the stored choice wins over the browser cookie, and the language switch writes both."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from herp.models import User


def test_a_new_person_reads_japanese_in_tokyo_time(user_factory):
    person = user_factory()
    assert (person.language, person.timezone) == ("ja", "Asia/Tokyo")


def test_the_stored_language_wins_over_the_cookie(user_factory, client_for):
    client = client_for(user_factory(language="en"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"

    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja")

    assert response["Content-Language"] == "en"
    assert "Home" in response.content.decode()


def test_before_sign_in_the_cookie_decides(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("login"))["Content-Language"] == "en"


def test_the_language_switch_writes_the_cookie_and_the_stored_choice(user_factory, client_for):
    person = user_factory()
    client = client_for(person)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    person.refresh_from_db()
    assert person.language == "en"
    # Even without the cookie, the person now reads English.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_the_language_switch_refuses_an_unknown_language_and_changes_nothing(user_factory, client_for):
    person = user_factory()

    client_for(person).post(reverse("set_language"), {"language": "xx", "next": reverse("home")})

    person.refresh_from_db()
    assert person.language == "ja"


def test_the_preferences_page_saves_language_and_time_zone(user_factory, client_for):
    person = user_factory()
    client = client_for(person)
    assert client.get(reverse("preferences")).status_code == 200

    response = client.post(reverse("preferences"), {"language": "en", "timezone": "Europe/London"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    person.refresh_from_db()
    assert (person.language, person.timezone) == ("en", "Europe/London")
    page = client.get(reverse("preferences"))
    assert "Your language and time zone were saved." in page.content.decode()


def test_the_preferences_page_refuses_an_unknown_time_zone_and_saves_nothing(user_factory, client_for):
    person = user_factory()

    response = client_for(person).post(reverse("preferences"), {"language": "ja", "timezone": "Mars/Base"})

    assert response.status_code == 200
    assert "timezone" in response.context["form"].errors
    person.refresh_from_db()
    assert person.timezone == "Asia/Tokyo"


def test_the_persons_zone_does_not_outlive_their_request(user_factory, client_for):
    from django.utils import timezone

    client_for(user_factory(timezone="America/New_York")).get(reverse("home"))

    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_staff_without_a_company_get_no_preferences_page(user_factory, client_for):
    staff = user_factory(is_staff=True)
    assert client_for(staff).get(reverse("preferences")).status_code == 403
    assert User.objects.get(pk=staff.pk).language == "ja"
