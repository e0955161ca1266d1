"""The new-interview form's candidate menu in a company with many candidates (issue 16, goal 9): it lists
the most recently added and the one chosen, a plain search (no JavaScript needed) finds the others, and
any candidate of the company is still accepted; a small company's menu lists everyone."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from scheduling.forms import CANDIDATES_LISTED
from scheduling.models import Candidate, InterviewSchedule

START = f"{date.today() + timedelta(days=30)}T10:00"


def options(page: str) -> list[str]:
    menu = page.split('name="candidate"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="(\d*)"', menu)


def onsite(alice, **overrides) -> dict:
    data = {
        "candidate": "",
        "title": "一次面接",
        "starts_at": START,
        "timezone": "Asia/Tokyo",
        "duration_minutes": "60",
        "location": "onsite",
        "participants": [str(alice.pk)],
    }
    data.update(overrides)
    return data


@pytest.fixture
def many(company) -> list[Candidate]:
    return Candidate.objects.bulk_create(
        [Candidate(company=company, name=f"候補者 {index:03d}") for index in range(CANDIDATES_LISTED + 10)]
    )


def test_a_large_companys_menu_lists_the_most_recent_candidates_and_offers_a_search(many, alice, client_for):
    page = client_for(alice).get(reverse("scheduling:new")).content.decode()

    listed = options(page)
    assert len(listed) == CANDIDATES_LISTED + 1  # and "new candidate"
    assert str(many[-1].pk) in listed
    assert str(many[0].pk) not in listed
    assert 'id="candidate-q"' in page


def test_the_search_lists_the_matching_candidates_and_saves_nothing(many, alice, client_for):
    response = client_for(alice).post(
        reverse("scheduling:new"), onsite(alice, _candidates="1", candidate_q="候補者 000")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert str(many[0].pk) in options(page)
    assert 'id="candidates-searched"' in page
    assert 'value="一次面接"' in page  # what was typed stays
    assert InterviewSchedule.objects.count() == 0


def test_a_candidate_not_in_the_menu_is_still_accepted_and_shown_when_chosen(many, alice, client_for):
    client = client_for(alice)
    oldest = many[0]

    again = client.post(reverse("scheduling:new"), onsite(alice, candidate=str(oldest.pk), _people="1"))
    saved = client.post(reverse("scheduling:new"), onsite(alice, candidate=str(oldest.pk)))

    assert str(oldest.pk) in options(again.content.decode())  # the chosen one is always listed
    assert saved.status_code == 302
    assert InterviewSchedule.objects.get().candidate == oldest


def test_a_search_for_nothing_or_junk_lists_nobody_but_answers_the_page(many, alice, client_for):
    client = client_for(alice)
    for junk in ["存在しない", "%", "x" * 500]:
        response = client.post(reverse("scheduling:new"), onsite(alice, _candidates="1", candidate_q=junk))
        assert response.status_code == 200
        assert options(response.content.decode()) == [""]


def test_a_small_companys_menu_lists_everyone_without_a_search(company, alice, client_for):
    few = Candidate.objects.bulk_create([Candidate(company=company, name=f"候補者 {index}") for index in range(3)])

    page = client_for(alice).get(reverse("scheduling:new")).content.decode()

    assert set(options(page)) == {""} | {str(candidate.pk) for candidate in few}
    assert 'id="candidate-q"' not in page
