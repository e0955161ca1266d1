"""Flow helpers for the schedule and meeting tests: save schedules through the services with the on_commit
callbacks run (eager tasks reach the fake Zoom, tests/fakes/zoom.py), and read what happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herp.models import Company, User
from scheduling.models import Candidate, InterviewSchedule
from scheduling.services import ScheduleData, schedule_cancel, schedule_create, schedule_update
from tests.helpers import in_days


def data(*, participants: list[User], starts_at: datetime | None = None, **overrides: Any) -> ScheduleData:
    values: dict[str, Any] = {
        "title": "一次面接",
        "starts_at": starts_at or in_days(10),
        "duration_minutes": 60,
        "timezone": "Asia/Tokyo",
        "location": InterviewSchedule.Location.ZOOM,
        "participants": participants,
        "new_candidate_name": "候補 太郎",
        "new_candidate_email": "taro@candidate.example",
    }
    values.update(overrides)
    return ScheduleData(**values)


def create(capture: Any, company: Company, by: User, **kwargs: Any) -> InterviewSchedule:
    with capture(execute=True):
        schedule = schedule_create(company=company, by=by, data=data(**kwargs))
    schedule.refresh_from_db()
    return schedule


def update(capture: Any, schedule: InterviewSchedule, **kwargs: Any) -> InterviewSchedule:
    kwargs.setdefault("candidate", Candidate.objects.get(pk=schedule.candidate_id))
    kwargs.setdefault("new_candidate_name", "")
    kwargs.setdefault("new_candidate_email", "")
    with capture(execute=True):
        schedule_update(schedule=schedule, data=data(**kwargs))
    schedule.refresh_from_db()
    return schedule


def cancel(capture: Any, schedule: InterviewSchedule) -> InterviewSchedule:
    with capture(execute=True):
        schedule_cancel(schedule=schedule)
    schedule.refresh_from_db()
    return schedule
