"""Reads of scheduling: the host rule (DESIGN.md section 1, point 3), double booking, upcoming schedules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from herp.models import Company, User
from herp.timebounds import add_minutes
from integrations.models import ZoomGrant, ZoomInstallation
from scheduling.models import InterviewSchedule
from zoom.models import ZoomMeeting, ZoomUser


class HostReason(StrEnum):
    SINGLE_LINKED = "single_linked"
    SMALLEST_LINK_ID = "smallest_link_id"
    INSTALLER_FALLBACK = "installer_fallback"
    NONE_AVAILABLE = "none_available"


@dataclass(frozen=True)
class HostChoice:
    """Who hosts, why, who else could (Zoom's alternative hosts), and who cannot because they are not
    linked. ``host_grant_id`` is the grant whose token creates the meeting."""

    reason: HostReason
    host_user: User | None = None
    host_link: ZoomUser | None = None
    host_zoom_user_id: str = ""
    host_email: str = ""
    host_grant_id: int | None = None
    alternatives: list[ZoomUser] = field(default_factory=list)
    unlinked: list[User] = field(default_factory=list)
    # Nobody can host, and the person who connected the company is why: the company is still attached
    # to its Zoom account (links keep working) but their own authorization ended. None otherwise.
    installer_lost: User | None = None

    @property
    def available(self) -> bool:
        return self.reason != HostReason.NONE_AVAILABLE

    @property
    def alternative_host_emails(self) -> list[str]:
        return [link.email for link in self.alternatives if link.email]

    @property
    def alternative_users(self) -> list[User]:
        return [link.user for link in self.alternatives]


MAX_ID = 2**63 - 1


def as_id(value: object) -> int | None:
    """A primary key typed as ASCII digits within 64 bits, or None. ``str.isdigit`` also says yes to
    "²" and "١٢٣", which ``int`` then refuses or reads, so the check is by character."""
    text = str(value).strip()
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def host_select(*, company: Company, participant_ids: Iterable[int | str]) -> HostChoice:
    """The host rule, in one SQL query whatever the number of participants.

    One participant with a usable link → that one; two or more → the smallest ``ZoomUser.pk``; none →
    the installer of a *connected* company (their grant). "Usable" is ``ZoomUser.objects.usable()``:
    active, and of the Zoom account the company is attached to now. Other companies' people never
    count: the query is scoped to ``company``.

    The query reads the participants and the installer together, each with their link and whether it
    is usable, plus the company's installation and its grant, so nothing is left to lazy loading.
    """
    # Ids beyond a 64-bit key cannot exist (and the database would refuse them with an error).
    ids = sorted({pk for pk in map(as_id, participant_ids) if pk is not None})
    usable_link = ZoomUser.objects.usable().filter(pk=OuterRef("zoom_user__pk"), company=company)
    installation = "company__zoom_installation"
    rows = list(
        # Active people only: someone who left hosts nothing, neither as a participant nor as the installer.
        User.objects.filter(company=company, is_active=True)
        .filter(
            Q(pk__in=ids)
            | Q(**{f"{installation}__installer": F("pk")})
            & Q(**{f"{installation}__status": ZoomInstallation.Status.CONNECTED})
        )
        .annotate(link_usable=Exists(usable_link))
        .select_related("zoom_user", f"{installation}__grant")
        .defer(f"{installation}__grant__access_token", f"{installation}__grant__refresh_token")
        .order_by("pk")
    )
    participants: list[User] = [row for row in rows if row.pk in ids]
    usable = [row for row in participants if getattr(row, "link_usable", False)]
    linked = sorted((row.zoom_user for row in usable), key=lambda link: link.pk)
    unlinked = [row for row in participants if row not in usable]
    for link, row in ((row.zoom_user, row) for row in usable):
        link.user = row  # already loaded: keeps templates from querying again
    if linked:
        host, *alternatives = linked
        return HostChoice(
            reason=HostReason.SINGLE_LINKED if len(linked) == 1 else HostReason.SMALLEST_LINK_ID,
            host_user=host.user,
            host_link=host,
            host_zoom_user_id=host.zoom_user_id,
            host_email=host.email,
            host_grant_id=host.grant_id,
            alternatives=alternatives,
            unlinked=unlinked,
        )
    fallback = _installer_fallback(list(rows))
    if fallback is not None:
        user, inst, grant = fallback
        return HostChoice(
            reason=HostReason.INSTALLER_FALLBACK,
            host_user=user,
            host_zoom_user_id=grant.zoom_user_id,
            host_email=inst.installer_zoom_email,
            host_grant_id=inst.grant_id,
            # The installer hosts with the company's connection, so they are not "unable to host" here
            # even without a link of their own.
            unlinked=[person for person in unlinked if person.pk != user.pk],
        )
    return HostChoice(reason=HostReason.NONE_AVAILABLE, unlinked=unlinked, installer_lost=_installer_lost(company))


def _installer_lost(company: Company) -> User | None:
    """The installer, when the company is still attached to its Zoom account but they cannot host (their
    authorization ended, or they left: then the connection needs a reconnect)."""
    inst = (
        ZoomInstallation.objects.filter(company=company)
        .exclude(zoom_account_id="")
        .select_related("installer", "grant")
        .defer("grant__access_token", "grant__refresh_token")
        .first()
    )
    if inst is None or inst.installer is None:
        return None
    usable = inst.status == ZoomInstallation.Status.CONNECTED and inst.grant is not None and inst.grant.is_active
    return None if usable else inst.installer


def _installer_fallback(rows: list[User]) -> tuple[User, ZoomInstallation, ZoomGrant] | None:
    for row in rows:
        try:
            inst = row.tenant.zoom_installation
        except ZoomInstallation.DoesNotExist:
            return None
        grant = inst.grant
        connected = inst.status == ZoomInstallation.Status.CONNECTED
        if inst.installer_id == row.pk and connected and grant is not None and grant.is_active:
            return row, inst, grant
    return None


# --- Double booking ---------------------------------------------------------------------------------

# No interview lasts longer than this; it bounds the overlap query without SQL date arithmetic.
LONGEST_MEETING = timedelta(hours=24)


def host_conflicts(
    *,
    company: Company,
    host_zoom_user_id: str,
    starts_at: datetime,
    ends_at: datetime,
    exclude_meeting_ids: Iterable[int] = (),
) -> list[ZoomMeeting]:
    """Our meetings that the same Zoom user already hosts during [starts_at, ends_at) and that are not
    deleted or being deleted. Most Zoom plans let a user host one meeting at a time."""
    return _conflicts_by_host(
        company=company,
        zoom_user_ids=[host_zoom_user_id],
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_meeting_ids=exclude_meeting_ids,
    ).get(host_zoom_user_id, [])


def _conflicts_by_host(
    *,
    company: Company,
    zoom_user_ids: Iterable[str],
    starts_at: datetime,
    ends_at: datetime,
    exclude_meeting_ids: Iterable[int] = (),
) -> dict[str, list[ZoomMeeting]]:
    """``host_conflicts`` for several hosts in one query, by host (issue 16: constant queries)."""
    hosts = [zoom_user_id for zoom_user_id in zoom_user_ids if zoom_user_id]
    if not hosts:
        return {}
    candidates = (
        ZoomMeeting.objects.filter(
            company=company,
            host_zoom_user_id__in=hosts,
            start_time__lt=ends_at,
            start_time__gt=add_minutes(starts_at, -int(LONGEST_MEETING.total_seconds() // 60)),
            delete_requested=False,
        )
        .exclude(status=ZoomMeeting.Status.DELETED)
        .exclude(pk__in=list(exclude_meeting_ids))
        .order_by("start_time")
    )
    found: dict[str, list[ZoomMeeting]] = {}
    for meeting in candidates:
        if meeting.end_time > starts_at:
            found.setdefault(meeting.host_zoom_user_id, []).append(meeting)
    return found


@dataclass(frozen=True)
class DoubleBooking:
    conflicts: list[ZoomMeeting]
    free_alternatives: list[ZoomUser]


def host_double_booking(
    *,
    company: Company,
    choice: HostChoice,
    starts_at: datetime | None,
    duration_minutes: int | None,
    exclude_meeting_ids: Iterable[int] = (),
) -> DoubleBooking | None:
    """When the chosen host already hosts an overlapping meeting of ours: those meetings, and the
    other linked participants who are free then (to suggest). None when there is no clash. One
    query, whatever the number of participants."""
    if not choice.available or starts_at is None or not duration_minutes:
        return None
    ends_at = add_minutes(starts_at, duration_minutes)
    exclude = list(exclude_meeting_ids)
    by_host = _conflicts_by_host(
        company=company,
        zoom_user_ids=[choice.host_zoom_user_id, *(link.zoom_user_id for link in choice.alternatives)],
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_meeting_ids=exclude,
    )
    conflicts = by_host.get(choice.host_zoom_user_id, [])
    if not conflicts:
        return None
    free = [link for link in choice.alternatives if link.zoom_user_id not in by_host]
    return DoubleBooking(conflicts=conflicts, free_alternatives=free)


# --- Lists ------------------------------------------------------------------------------------------


class ListTab(StrEnum):
    UPCOMING = "upcoming"
    PAST = "past"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class _Started:
    """Scheduled interviews that started within the longest meeting's length: those still running
    (``running``, earliest start ``since``) and those already over (``ended``). Bounded by the longest
    meeting, so the end is compared in Python (no date arithmetic in SQL, and rows at the calendar's
    edge saturate)."""

    running: list[int]
    ended: list[int]
    since: datetime | None


def _started_recently(company: Company, now: datetime) -> _Started:
    started = InterviewSchedule.objects.filter(
        company=company,
        status=InterviewSchedule.Status.SCHEDULED,
        starts_at__lt=now,
        starts_at__gt=now - LONGEST_MEETING,
    ).only("pk", "starts_at", "duration_minutes")
    running, ended, since = [], [], None
    for schedule in started:
        if schedule.ends_at > now:
            running.append(schedule.pk)
            since = schedule.starts_at if since is None else min(since, schedule.starts_at)
        else:
            ended.append(schedule.pk)
    return _Started(running=running, ended=ended, since=since)


def schedule_list_for(
    *,
    company: Company,
    tab: ListTab = ListTab.UPCOMING,
    candidate_name: str = "",
    person: User | None = None,
    now: datetime | None = None,
) -> QuerySet[InterviewSchedule]:
    """The schedule list's rows: upcoming (not ended yet, soonest first), past (ended, latest first) or
    cancelled (latest first); optionally only those whose candidate's name contains ``candidate_name``,
    and only those ``person`` takes part in or created."""
    now = now or timezone.now()
    rows = InterviewSchedule.objects.filter(company=company)
    if candidate_name:
        rows = rows.filter(candidate__name__icontains=candidate_name)
    if person is not None:
        rows = rows.filter(Q(participants=person) | Q(created_by=person)).distinct()
    if tab == ListTab.CANCELLED:
        rows = rows.filter(status=InterviewSchedule.Status.CANCELLED).order_by("-starts_at", "-id")
    else:
        started = _started_recently(company, now)
        rows = rows.filter(status=InterviewSchedule.Status.SCHEDULED)
        if tab == ListTab.UPCOMING:
            # A range on the start (from the earliest interview still running), less the few in it that
            # are over: one index range, where "starts later OR is running" made the database read all.
            since = started.since or now
            rows = rows.filter(starts_at__gte=since).exclude(pk__in=started.ended).order_by("starts_at", "id")
        else:
            rows = rows.filter(starts_at__lt=now).exclude(pk__in=started.running).order_by("-starts_at", "-id")
    return rows.select_related("candidate", "meeting").prefetch_related("participants")
