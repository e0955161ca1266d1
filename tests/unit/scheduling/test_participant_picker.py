"""Issue 16, goal 4: the new-interview form does not embed a checkbox per person of a large company.
It lists the people chosen and those searched for; typing searches as you type (JSON), and without
JavaScript the "Search" button shows the form again with the matches, saving nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from herp.models import User
from scheduling.forms import PICKER_LISTS_ALL_UP_TO, PICKER_RESULTS
from scheduling.models import InterviewSchedule
from tests.unit.scheduling.test_schedule_views import form_data


def checkboxes(html: str) -> list[str]:
    return re.findall(r'name="participants" value="(\d+)"', html)


@pytest.fixture
def crowd(company, user_factory) -> list[User]:
    return [
        user_factory(company=company, name=f"社員 {n:04d}", email=f"staff{n:04d}@herp.example")
        for n in range(PICKER_LISTS_ALL_UP_TO + 30)
    ]


def test_a_small_company_sees_everyone(company, connected, alice, bob, client_for):
    html = client_for(alice).get(reverse("scheduling:new")).content.decode()

    assert sorted(checkboxes(html)) == sorted(str(user.pk) for user in User.objects.filter(company=company))


def test_a_large_company_gets_a_search_box_not_a_checkbox_per_person(company, connected, alice, crowd, client_for):
    html = client_for(alice).get(reverse("scheduling:new")).content.decode()

    assert checkboxes(html) == []
    assert 'id="people-q"' in html
    assert "js/participant-picker.js" in html


def test_without_javascript_the_search_shows_the_matches_and_keeps_what_was_typed(
    company, connected, alice, crowd, client_for
):
    data = form_data([alice], title="二次面接") | {"people_q": "社員 000", "_people": "1"}

    response = client_for(alice).post(reverse("scheduling:new"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert InterviewSchedule.objects.count() == 0  # nothing saved
    shown = checkboxes(html)
    assert str(alice.pk) in shown  # chosen before the search, still ticked
    assert re.search(rf'name="participants" value="{alice.pk}" id="[^"]*" checked', html)
    assert {str(user.pk) for user in crowd[:10]} <= set(shown)
    assert len(shown) <= 1 + PICKER_RESULTS
    assert 'value="二次面接"' in html
    assert 'id="people-searched"' in html


def test_anyone_of_the_company_can_be_saved_whoever_was_shown(company, connected, alice, crowd, client_for):
    chosen = crowd[-1]  # never rendered as a checkbox

    response = client_for(alice).post(reverse("scheduling:new"), form_data([alice, chosen]))

    assert response.status_code == 302
    assert set(InterviewSchedule.objects.get().participants.all()) == {alice, chosen}


def test_the_search_as_you_type_answers_the_companys_matches_only(
    company, connected, alice, crowd, client_for, company_factory, user_factory
):
    stranger = user_factory(company=company_factory(), name="社員 よその会社")

    people = client_for(alice).get(reverse("scheduling:people_search"), {"q": "社員"}).json()["people"]

    assert len(people) == PICKER_RESULTS
    assert stranger.pk not in {person["id"] for person in people}
    assert client_for(alice).get(reverse("scheduling:people_search"), {"q": ""}).json() == {"people": []}
