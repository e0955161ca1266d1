"""The schedule list one can find interviews in (issue 13): upcoming, past and cancelled tabs, search by
candidate name, only one's own, pages, dates as 「12月16日(水) 14:00–15:00」."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from herp.models import User
from scheduling.models import Candidate, InterviewSchedule
from tests.helpers import in_days

LIST = reverse("scheduling:list")


@pytest.fixture
def viewer(company, user_factory) -> User:
    return user_factory(company=company, name="閲覧 花子")


def make(company, *, title: str, starts_at, candidate: str = "候補 太郎", minutes: int = 60, **fields):
    person = Candidate.objects.create(company=company, name=candidate)
    participants = fields.pop("participants", [])
    schedule = InterviewSchedule.objects.create(
        company=company,
        candidate=person,
        title=title,
        starts_at=starts_at,
        duration_minutes=minutes,
        location=InterviewSchedule.Location.ONSITE,
        **fields,
    )
    schedule.participants.set(participants)
    return schedule


def titles(response) -> list[str]:
    return [schedule.title for schedule in response.context["schedules"]]


def test_each_tab_lists_its_interviews_in_the_order_one_looks_for_them(company, viewer, client_for):
    now = timezone.now()
    make(company, title="来週", starts_at=now + timedelta(days=7))
    make(company, title="明日", starts_at=now + timedelta(days=1))
    make(company, title="進行中", starts_at=now - timedelta(minutes=30), minutes=60)
    # Started after the one in progress and already over: past, though it starts inside the upcoming range.
    make(company, title="終わった", starts_at=now - timedelta(minutes=20), minutes=10)
    make(company, title="昨日", starts_at=now - timedelta(days=1))
    make(company, title="先月", starts_at=now - timedelta(days=30))
    make(company, title="中止", starts_at=now + timedelta(days=2), status=InterviewSchedule.Status.CANCELLED)
    client = client_for(viewer)

    assert titles(client.get(LIST)) == ["進行中", "明日", "来週"]
    assert titles(client.get(LIST, {"tab": "past"})) == ["終わった", "昨日", "先月"]
    assert titles(client.get(LIST, {"tab": "cancelled"})) == ["中止"]


def test_a_saved_past_interview_can_be_found(company, viewer, client_for):
    make(company, title="電話面接", starts_at=timezone.now() - timedelta(days=3))
    page = client_for(viewer).get(LIST, {"tab": "past"}).content.decode()
    assert "電話面接" in page


def test_search_by_candidate_name_and_only_mine(company, viewer, user_factory, client_for):
    other = user_factory(company=company)
    make(company, title="鈴木さん", starts_at=in_days(2), candidate="鈴木 一郎", participants=[viewer])
    make(company, title="佐藤さん", starts_at=in_days(3), candidate="佐藤 花子", participants=[other])
    make(company, title="作成した", starts_at=in_days(4), candidate="佐藤 次郎", created_by=viewer)
    client = client_for(viewer)

    assert titles(client.get(LIST, {"q": "佐藤"})) == ["佐藤さん", "作成した"]
    assert titles(client.get(LIST, {"mine": "1"})) == ["鈴木さん", "作成した"]
    assert titles(client.get(LIST, {"q": "佐藤", "mine": "1"})) == ["作成した"]
    assert titles(client.get(LIST, {"q": "山田"})) == []


def test_the_list_comes_in_pages_that_keep_the_tab_and_search(company, viewer, client_for):
    for number in range(30):
        make(company, title=f"面接{number:02d}", starts_at=in_days(1 + number), candidate="候補 一覧")
    client = client_for(viewer)

    first = client.get(LIST, {"q": "一覧"})
    second = client.get(LIST, {"q": "一覧", "page": "2"})

    assert len(titles(first)) == 25
    assert titles(second) == [f"面接{number:02d}" for number in range(25, 30)]
    assert "q=%E4%B8%80%E8%A6%A7" in first.content.decode()
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"tab": "nonsense"}, {"page": "-1"}, {"page": "x" * 500}, {"q": "x" * 10_000}, {"mine": "yes"}, {"tab": ""}],
)
def test_any_query_answers_the_list(query, company, viewer, client_for):
    make(company, title="面接", starts_at=in_days(2))
    assert client_for(viewer).get(LIST, query).status_code == 200


def test_dates_read_in_the_interviews_zone_named_when_the_viewers_clock_differs(company, viewer, client_for):
    starts = timezone.now().replace(month=12, day=16, hour=5, minute=0, second=0, microsecond=0)
    if starts < timezone.now():
        starts = starts.replace(year=starts.year + 1)
    make(company, title="東京", starts_at=starts, timezone="Asia/Tokyo")
    make(company, title="ロンドン", starts_at=starts + timedelta(hours=1), timezone="Europe/London")
    client = client_for(viewer)

    page = client.get(LIST).content.decode()

    assert "14:00–15:00</td>" in page  # Tokyo, as the viewer's clock reads: no zone named
    assert "(Europe/London)" in page
    User.objects.filter(pk=viewer.pk).update(timezone="Europe/London")
    assert "(日本時間)" in client.get(LIST).content.decode()


def test_another_companys_interviews_never_show(company, viewer, company_factory, client_for):
    other = company_factory()
    make(other, title="他社の面接", starts_at=in_days(2), candidate="他社 候補")
    for tab in ("upcoming", "past", "cancelled"):
        assert "他社の面接" not in client_for(viewer).get(LIST, {"tab": tab, "q": "他社"}).content.decode()
