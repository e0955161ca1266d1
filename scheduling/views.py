"""選考予定: the recruiters' pages. Every row comes through herp.tenancy, so another company's ids 404."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from herp.models import User
from herp.tenancy import (
    MemberRequest,
    company_admin_required,
    company_member_required,
    forbidden,
    get_scoped_or_404,
    scoped,
)
from integrations.zoom_api.errors import ZoomError
from scheduling import remedies, rules
from scheduling.forms import LOCAL_FORMATS, PICKER_RESULTS, ScheduleForm
from scheduling.invitations.selectors import invitation_overview, url_changed_schedule_ids
from scheduling.leavers import unhosted_text
from scheduling.models import InterviewSchedule
from scheduling.selectors import HostChoice, ListTab, host_double_booking, host_select, schedule_list_for
from scheduling.services import (
    NoHostAvailable,
    ScheduleRefused,
    schedule_cancel,
    schedule_create,
    schedule_update,
)
from zoom.diagnostics import Diagnosis, FixResult, meeting_diagnose, meeting_fix
from zoom.meetings import desired
from zoom.models import MeetingAttendance, WaitingIncident, ZoomMeeting, ZoomSideChange


def _schedule_or_404(request: MemberRequest, pk: int) -> InterviewSchedule:
    queryset = InterviewSchedule.objects.select_related("candidate", "meeting", "meeting__replaces")
    return get_scoped_or_404(queryset, request.user.tenant, pk=pk)


LIST_PAGE_SIZE = 25
SEARCH_MAX = 100


@require_GET
@company_member_required
def schedule_list(request: MemberRequest) -> HttpResponse:
    """Upcoming, past or cancelled interviews (tabs), searched by candidate name, optionally only the
    viewer's own, a page at a time."""
    company = request.user.tenant
    try:
        tab = ListTab(request.GET.get("tab") or ListTab.UPCOMING)
    except ValueError:
        tab = ListTab.UPCOMING
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX]
    mine = request.GET.get("mine") == "1"
    rows = schedule_list_for(company=company, tab=tab, candidate_name=query, person=request.user if mine else None)
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    schedules = list(page.object_list)
    changed = url_changed_schedule_ids(company=company, schedule_ids=[s.pk for s in schedules])
    for schedule in schedules:
        schedule.url_changed = schedule.pk in changed  # read by the template
    context = {
        "schedules": schedules,
        "page": page,
        "tab": tab,
        "tabs": [
            (ListTab.UPCOMING, _("Upcoming")),
            (ListTab.PAST, _("Past")),
            (ListTab.CANCELLED, _("Cancelled")),
        ],
        "query": query,
        "mine": mine,
        "Status": ZoomMeeting.Status,
    }
    return render(request, "scheduling/list.html", context)


@require_http_methods(["GET", "POST"])
@company_member_required
def schedule_new(request: MemberRequest) -> HttpResponse:
    if _searching_again(request):
        return _form_page(request, _form_again(request, None), None)
    form = ScheduleForm(request.POST or None, company=request.user.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = schedule_create(company=request.user.tenant, by=request.user, data=form.schedule_data())
        except NoHostAvailable:
            form.add_error("participants", _("Nobody can host this Zoom interview any more. Check the participants."))
        except ScheduleRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The interview schedule was saved."))
            return redirect("scheduling:detail", pk=schedule.pk)
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
@company_member_required
def schedule_edit(request: MemberRequest, pk: int) -> HttpResponse:
    schedule = _schedule_or_404(request, pk)
    if schedule.is_cancelled:
        messages.error(request, _("A cancelled schedule cannot be changed."))
        return redirect("scheduling:detail", pk=schedule.pk)
    if _searching_again(request):
        return _form_page(request, _form_again(request, schedule), schedule)
    form = ScheduleForm(request.POST or None, company=request.user.tenant, instance=schedule)
    if request.method == "POST" and form.is_valid():
        try:
            schedule_update(schedule=schedule, data=form.schedule_data())
        except NoHostAvailable:
            form.add_error("participants", _("Nobody can host this Zoom interview any more. Check the participants."))
        except ScheduleRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The interview schedule was saved."))
            return redirect("scheduling:detail", pk=schedule.pk)
    return _form_page(request, form, schedule)


def _searching_again(request: MemberRequest) -> bool:
    """One of the form's "Search" buttons (participants, or candidates in a large company; they work
    without JavaScript): show the form again with the matches, keeping what was typed, and save nothing."""
    return request.method == "POST" and ("_people" in request.POST or "_candidates" in request.POST)


def _form_again(request: MemberRequest, schedule: InterviewSchedule | None) -> ScheduleForm:
    typed = {
        key: request.POST.getlist(key) if key == "participants" else request.POST.get(key)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "_people", "people_q", "_candidates", "candidate_q")
    }
    return ScheduleForm(
        initial=typed,
        company=request.user.tenant,
        instance=schedule,
        people_search=request.POST.get("people_q", "") if "_people" in request.POST else None,
        candidate_search=request.POST.get("candidate_q", "") if "_candidates" in request.POST else None,
    )


@require_GET
@company_member_required
def people_search(request: MemberRequest) -> JsonResponse:
    """The participant picker's search as you type: the company's active people matching ``q``."""
    query = (request.GET.get("q") or "").strip()[:100]
    if not query or "\x00" in query:
        return JsonResponse({"people": []})
    people = (
        scoped(User, request.user.tenant)
        .filter(is_active=True)
        .filter(Q(name__icontains=query) | Q(email__icontains=query))
        .order_by("name", "email")[:PICKER_RESULTS]
    )
    return JsonResponse({"people": [{"id": user.pk, "name": user.display_name} for user in people]})


def _form_page(request: MemberRequest, form: ScheduleForm, schedule: InterviewSchedule | None) -> HttpResponse:
    participant_ids = form["participants"].value() or []
    if not isinstance(participant_ids, list | tuple):
        participant_ids = [participant_ids]
    preview = _preview_context(
        request,
        participant_ids=[str(pk) for pk in participant_ids],
        starts_at=_aware(form["starts_at"].value(), form["timezone"].value()),
        duration=_int(form["duration_minutes"].value()),
        location=form["location"].value(),
        schedule=schedule,
    )
    context = {"form": form, "schedule": schedule, "preview": preview}
    return render(request, "scheduling/form.html", context)


@require_GET
@company_member_required
def host_preview(request: MemberRequest) -> JsonResponse:
    """The form's "who will host" panel, rendered for the participants chosen so far (static JS calls
    it as they change; CSP allows no inline script)."""
    schedule = None
    if request.GET.get("schedule"):
        schedule = _schedule_or_404(request, _int(request.GET.get("schedule")) or 0)
    context = _preview_context(
        request,
        participant_ids=request.GET.getlist("participants"),
        starts_at=_aware(request.GET.get("starts_at"), request.GET.get("timezone")),
        duration=_int(request.GET.get("duration_minutes")),
        location=request.GET.get("location") or InterviewSchedule.Location.ZOOM,
        schedule=schedule,
    )
    html = render_to_string("scheduling/_host_preview.html", {"preview": context}, request=request)
    return JsonResponse({"html": html})


def _preview_context(
    request: MemberRequest,
    *,
    participant_ids: list[str],
    starts_at: datetime | None,
    duration: int | None,
    location: str | None,
    schedule: InterviewSchedule | None,
) -> dict[str, Any]:
    company = request.user.tenant
    too_many = rules.participants_refusal(len(set(participant_ids)))
    if too_many:
        # Said here as the form says it, and nobody is looked up.
        participant_ids = []
    choice = host_select(company=company, participant_ids=participant_ids)
    exclude = _meeting_ids(schedule)
    if duration is not None and rules.duration_refusal(duration):
        duration = None  # the form explains it on saving; no overlap is computed from it
    clash = host_double_booking(
        company=company, choice=choice, starts_at=starts_at, duration_minutes=duration, exclude_meeting_ids=exclude
    )
    return {
        "choice": choice,
        "reason_text": _reason_text(choice),
        "double_booking": clash,
        "is_zoom": location == InterviewSchedule.Location.ZOOM,
        "chosen": bool(participant_ids),
        "too_many": too_many,
    }


def _reason_text(choice: HostChoice) -> str:
    if choice.installer_lost is not None:
        text = remedies.INSTALLER_LOST if choice.installer_lost.is_active else remedies.INSTALLER_LEFT
        return str(text) % {"name": choice.installer_lost.display_name}
    name = choice.host_user.display_name if choice.host_user else ""
    return str(remedies.HOST_REASONS[choice.reason]) % {"name": name}


def _meeting_ids(schedule: InterviewSchedule | None) -> list[int]:
    ids = []
    meeting = schedule.meeting if schedule else None
    while meeting is not None and meeting.pk not in ids:
        ids.append(meeting.pk)
        meeting = meeting.replaces
    return ids


@require_GET
@company_member_required
def schedule_detail(request: MemberRequest, pk: int) -> HttpResponse:
    schedule = _schedule_or_404(request, pk)
    participants = list(schedule.participants.order_by("name", "email"))
    meeting = schedule.meeting
    context: dict[str, Any] = {
        "schedule": schedule,
        "participants": participants,
        "meeting": meeting,
        "Status": ZoomMeeting.Status,
        "Failure": ZoomMeeting.Failure,
        "invitations": (overview := invitation_overview(schedule=schedule)),
        "url_changed": overview.url_changed_at,
        "host_left": _host_left_text(schedule),
    }
    if schedule.is_zoom and not schedule.is_cancelled:
        context["preview"] = _preview_context(
            request,
            participant_ids=[str(user.pk) for user in participants],
            starts_at=schedule.starts_at,
            duration=schedule.duration_minutes,
            location=schedule.location,
            schedule=schedule,
        )
        # The interview exists: even without participants (the last one left) its host has a reason.
        context["preview"]["chosen"] = True
    if meeting is not None:
        context["status_text"] = remedies.STATUS_EXPLANATIONS.get(meeting.status, "")
        context["disconnected_remedy"] = remedies.DISCONNECTED_REMEDY
        context["changed_in_zoom_remedy"] = remedies.CHANGED_IN_ZOOM_REMEDY
        context["remedies"] = [remedies.REMEDIES[code] for code in meeting.warnings if code in remedies.REMEDIES]
        context["waiting_tip"] = str(remedies.WAITING_FOR_HOST_TIP) % {"email": meeting.host_email}
        context["is_host"] = meeting.host_user_id == request.user.pk
        context["host_name"] = _host_name(meeting)
        context["alternative_hosts"] = meeting.alternative_hosts
        context["previous"] = meeting.replaces if meeting.replaces and meeting.replaces.status != "deleted" else None
        context["zoom_changes"] = _zoom_changes(meeting)
        context.update(_attendance_context(meeting))
        context["host_change_notice"] = _host_change_notice(schedule, meeting)
    return render(request, "scheduling/detail.html", context)


def _host_left_text(schedule: InterviewSchedule) -> str:
    """The flag a departure left (scheduling.leavers), while the interview is still to come on Zoom."""
    if schedule.host_left_at is None or schedule.is_cancelled or not schedule.is_zoom:
        return ""
    if schedule.ends_at < timezone.now():
        return ""
    return unhosted_text(schedule.host_left_name)


def _host_change_notice(schedule: InterviewSchedule, meeting: ZoomMeeting) -> str:
    """What the page says about the meeting a host change replaced, while that is still true: nothing once
    the old meeting is deleted, nor when the interview left Zoom or was cancelled (then the meeting's own
    status says what happens)."""
    previous = meeting.replaces
    if previous is None or previous.status == ZoomMeeting.Status.DELETED:
        return ""
    if schedule.is_cancelled or not schedule.is_zoom or meeting.is_gone:
        return ""
    if meeting.zoom_meeting_id is None:
        return _("The host changed: the previous meeting is deleted in Zoom once the new one exists.")
    if previous.status in (ZoomMeeting.Status.FAILED, ZoomMeeting.Status.NEEDS_ATTENTION):
        return _(
            "The host changed, and the previous host's meeting could not be deleted in Zoom. It may still be in "
            "their Zoom account: they can delete it there."
        )
    return _("The host changed: the previous host's meeting is being deleted in Zoom.")


def _attendance_context(meeting: ZoomMeeting) -> dict[str, Any]:
    """The waiting guest (if one waits now), who joined and left when, and how it went."""
    attendance = MeetingAttendance.objects.filter(meeting=meeting).first()
    if attendance is None:
        return {}
    return {
        "attendance": attendance,
        "participations": list(attendance.participations.all()),
        "waits": [
            {"cause": incident.get_cause_display(), "waited": _duration_text(incident.waited_seconds or 0)}
            for incident in attendance.incidents.all()[:10]
            if not incident.is_open
        ],
        "waiting_now": next((incident for incident in attendance.incidents.all() if incident.is_open), None),
        "Cause": WaitingIncident.Cause,
    }


def _duration_text(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)d s") % {"seconds": seconds}


def _zoom_changes(meeting: ZoomMeeting) -> list[dict[str, Any]]:
    """Who changed the meeting in Zoom, what, when (as far as Zoom told), and what HERP did."""
    return [
        {
            "kind": change.kind,
            "kind_label": change.get_kind_display(),
            "when": change.changed_at or change.created_at,
            "operator": change.operator,
            "fields": ", ".join(str(remedies.ZOOM_FIELD_LABELS.get(name, name)) for name in change.fields),
            "action": change.action,
            "action_label": change.get_action_display(),
        }
        for change in ZoomSideChange.objects.filter(meeting=meeting)[:10]
    ]


def _host_name(meeting: ZoomMeeting) -> str:
    if meeting.host_user_id is None:
        return meeting.host_email
    user = User.objects.filter(pk=meeting.host_user_id).first()
    return user.display_name if user else meeting.host_email


@require_http_methods(["GET", "POST"])
@company_member_required
def schedule_cancel_view(request: MemberRequest, pk: int) -> HttpResponse:
    schedule = _schedule_or_404(request, pk)
    if schedule.is_cancelled:
        return redirect("scheduling:detail", pk=schedule.pk)
    if request.method == "POST":
        schedule_cancel(schedule=schedule)
        messages.success(
            request,
            _("The interview was cancelled. Its Zoom meeting is deleted, and the cancellations are being sent."),
        )
        return redirect("scheduling:detail", pk=schedule.pk)
    return render(request, "scheduling/cancel_confirm.html", {"schedule": schedule})


@require_POST
@company_member_required
def schedule_retry(request: MemberRequest, pk: int) -> HttpResponse:
    schedule = _schedule_or_404(request, pk)
    if schedule.meeting is None or not desired.meeting_retry(meeting=schedule.meeting):
        messages.error(request, _("There is nothing to send to Zoom for this schedule."))
    else:
        messages.success(request, _("The meeting is being sent to Zoom again."))
    return redirect("scheduling:detail", pk=schedule.pk)


@require_POST
@company_member_required
def schedule_start(request: MemberRequest, pk: int) -> HttpResponse:
    """The host's Start button: a fresh start URL from Zoom, never stored (it logs anyone in as host)."""
    schedule = _schedule_or_404(request, pk)
    meeting = schedule.meeting
    if meeting is None or meeting.host_user_id != request.user.pk:
        return forbidden(request, _("Only the host of this meeting can start it from here."))
    try:
        url = desired.meeting_start_url(meeting=meeting)
    except ZoomError:
        messages.error(request, _("Zoom could not give a start link right now. Try again, or start it in Zoom."))
        return redirect("scheduling:detail", pk=schedule.pk)
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@company_member_required
def schedule_troubleshoot(request: MemberRequest, pk: int) -> HttpResponse:
    """The "Guests see 'waiting for host'?" checklist, read from Zoom as the page opens (on demand
    only: this page is the one place that asks)."""
    schedule = _schedule_or_404(request, pk)
    diagnosis = meeting_diagnose(meeting=schedule.meeting, viewer=request.user) if schedule.meeting else None
    return _troubleshoot_page(request, schedule, diagnosis, None)


@require_POST
@company_member_required
def schedule_troubleshoot_fix(request: MemberRequest, pk: int) -> HttpResponse:
    """The "Fix what we can" button: our settings sent to Zoom again, then the checklist as Zoom has it.

    Rendered, not redirected: the page shows the reading made right after the change (a redirect would
    ask Zoom once more, and could disagree with the outcome it reports).
    """
    schedule = _schedule_or_404(request, pk)
    if schedule.meeting is None:
        return redirect("scheduling:troubleshoot", pk=schedule.pk)
    result = meeting_fix(meeting=schedule.meeting, viewer=request.user)
    return _troubleshoot_page(request, schedule, result.diagnosis, result)


def _troubleshoot_page(
    request: HttpRequest, schedule: InterviewSchedule, diagnosis: Diagnosis | None, fix: FixResult | None
) -> HttpResponse:
    meeting = schedule.meeting
    context = {
        "schedule": schedule,
        "meeting": meeting,
        "diagnosis": diagnosis,
        "fix": fix,
        "host_name": _host_name(meeting) if meeting else "",
    }
    return render(request, "scheduling/troubleshoot.html", context)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _aware(value: Any, zone: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if not isinstance(value, str) or not value:
        return None
    try:
        tz = ZoneInfo(zone) if isinstance(zone, str) and zone else ZoneInfo("Asia/Tokyo")
    except (ValueError, KeyError, OSError):
        return None
    for fmt in LOCAL_FORMATS:
        try:
            local = datetime.strptime(value, fmt)
        except ValueError:
            continue
        # Year 1 or 9999 in a zone leaves Python's calendar once compared or shifted: no overlap is
        # looked for outside the years a schedule may be in (scheduling.rules).
        if abs(local.year - timezone.now().year) > 2:
            return None
        return local.replace(tzinfo=tz)
    return None


# --- Attendance report (issue 15) ---------------------------------------------------------------------

REPORT_DAYS = 30


class GraceForm(forms.Form):
    waiting_grace_seconds = forms.IntegerField(
        label=gettext_lazy("Report a candidate left alone after (seconds after the start)"),
        min_value=0,
        max_value=3600,
    )


@require_http_methods(["GET", "POST"])
@company_admin_required
def attendance_report(request: MemberRequest) -> HttpResponse:
    """The last 30 days' interviews where a guest waited or someone did not show, and the grace period."""
    company = request.user.tenant
    form = GraceForm(request.POST or None, initial={"waiting_grace_seconds": company.waiting_grace_seconds})
    if request.method == "POST" and form.is_valid():
        company.waiting_grace_seconds = form.cleaned_data["waiting_grace_seconds"]
        company.save(update_fields=["waiting_grace_seconds"])
        messages.success(request, _("Saved."))
        return redirect("scheduling:attendance")
    since = timezone.now() - timedelta(days=REPORT_DAYS)
    troubled = (
        InterviewSchedule.objects.filter(company=company, starts_at__gte=since, meeting__attendance__isnull=False)
        .filter(
            Q(meeting__attendance__longest_wait_seconds__gt=0)
            | Q(meeting__attendance__incidents__isnull=False)
            | Q(
                meeting__attendance__outcome__in=[
                    MeetingAttendance.Outcome.CANDIDATE_ABSENT,
                    MeetingAttendance.Outcome.INTERVIEWERS_ABSENT,
                ]
            )
        )
        .distinct()
        .select_related("candidate", "meeting__attendance")
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(troubled, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "schedule": schedule,
            "outcome": schedule.meeting.attendance.get_outcome_display() if schedule.meeting else "",
            "waited": _duration_text(schedule.meeting.attendance.longest_wait_seconds or 0)
            if schedule.meeting and schedule.meeting.attendance.longest_wait_seconds
            else "",
        }
        for schedule in page.object_list
    ]
    context = {"form": form, "page": page, "rows": rows, "days": REPORT_DAYS, "title": _("Attendance")}
    return render(request, "scheduling/attendance.html", context)
