"""When someone leaves (herp's ``user_deactivated``): their upcoming interviews are planned again
(``services.schedules_release_person``), and the interviews nobody else can host are flagged on their
page and told to whoever must act — the interview's creator, or the company's admins when the creator is
the person leaving or no longer here. One e-mail per person listing their interviews, and a line in
their bell per interview, in each person's language; sent once the deactivation committed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from herp import notifications as bell
from herp.models import User
from herp.timeformat import when_range
from scheduling.models import InterviewSchedule
from scheduling.services import host_left_key, schedules_release_person


def person_leaves(*, user: User) -> list[int]:
    if user.company_id is None:
        return []
    flagged = schedules_release_person(company_id=user.company_id, user_id=user.pk, name=user.display_name)
    if flagged:
        transaction.on_commit(lambda: unhosted_tell(schedule_ids=flagged, leaver_name=user.display_name), robust=True)
    return flagged


def _who_acts(schedule: InterviewSchedule) -> list[User]:
    creator = schedule.created_by
    if creator is not None and creator.is_active:
        return [creator]
    return list(User.objects.filter(company_id=schedule.company_id, role=User.Role.ADMIN, is_active=True))


def unhosted_tell(*, schedule_ids: list[int], leaver_name: str) -> int:
    """Tells each person concerned once per interview; returns how many people were e-mailed."""
    schedules = InterviewSchedule.objects.filter(pk__in=schedule_ids).select_related("created_by", "candidate")
    by_person: dict[int, tuple[User, list[InterviewSchedule]]] = {}
    for schedule in schedules.order_by("starts_at", "pk"):
        for person in _who_acts(schedule):
            by_person.setdefault(person.pk, (person, []))[1].append(schedule)
    site = settings.SITE_URL.rstrip("/")
    mailed = 0
    for person, concerned in by_person.values():
        with translation.override(person.language):
            lines = []
            for schedule in concerned:
                page = reverse("scheduling:detail", args=[schedule.pk])
                when = when_range(
                    schedule.starts_at,
                    schedule.duration_minutes,
                    schedule.timezone,
                    viewer_zone=person.timezone,
                    language=person.language,
                )
                title = _("Nobody can host %(title)s any more") % {"title": schedule.title}
                body = unhosted_text(leaver_name)
                bell.notify(
                    users=[person], key=host_left_key(schedule.pk), title=title, body=body, url=page, level="alert"
                )
                lines.append(f"- {when} {schedule.title} ({schedule.candidate.name})\n  {site}{page}")
            subject = ngettext(
                "[HERP] Nobody can host %(count)d interview any more",
                "[HERP] Nobody can host %(count)d interviews any more",
                len(concerned),
            ) % {"count": len(concerned)}
            message = unhosted_text(leaver_name) + "\n\n" + "\n".join(lines)
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[person.email], fail_silently=True)
        mailed += 1
    return mailed


def unhosted_text(leaver_name: str) -> str:
    return _(
        "%(name)s left HERP (their account was deactivated). They hosted the Zoom meeting of this interview, and "
        "nobody else can host it: no other participant has linked Zoom, and your company's Zoom connection "
        "cannot host it either. The meeting stays as it was in %(name)s's Zoom account, so the URL people have "
        "works until a Zoom admin removes that Zoom user. To give the interview a host, open it, press Edit and "
        "add a participant who linked Zoom (or ask an admin to reconnect Zoom in External service integration)."
    ) % {"name": leaver_name}
