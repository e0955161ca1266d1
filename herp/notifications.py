"""The bell: in-product notifications per person, that any app may post to (DESIGN.md section 3).

``notify`` posts one line (idempotent by ``key``: the same key for the same person is posted once, so
an incident rings each person once however often it is seen); ``resolve`` marks lines of a key as
settled (the incident closed) without deleting what people saw. The bell works without JavaScript: a
count in the header and a page listing the lines, each marked read by a POST. Everything is scoped to
the person's company.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from herp.models import Notification, User

PAGE_SIZE = 30


def notify(*, users: Iterable[User], key: str, title: str, body: str = "", url: str = "", level: str = "info") -> int:
    """Post the line to each active person of a company who does not have ``key`` yet; returns how many
    got it."""
    posted = 0
    for user in {user.pk: user for user in users}.values():
        if not user.is_active or user.company_id is None:
            continue
        try:
            with transaction.atomic():
                Notification.objects.create(
                    company_id=user.company_id,
                    user=user,
                    key=key[:120],
                    level=level,
                    title=title[:200],
                    body=body,
                    url=url[:500],
                )
        except IntegrityError:
            continue  # already told
        posted += 1
    return posted


def resolve(*, key: str) -> int:
    """The matter is settled (say, the waiting guest got in): its lines say so."""
    return Notification.objects.filter(key=key, resolved_at__isnull=True).update(resolved_at=timezone.now())


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def for_user(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, company_id=user.company_id)


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """One line, or all of them when ``notification_id`` is None, read now."""
    lines = for_user(user).filter(read_at__isnull=True)
    if notification_id is not None:
        lines = lines.filter(pk=notification_id)
    return lines.update(read_at=timezone.now())
