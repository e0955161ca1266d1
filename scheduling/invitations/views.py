"""Pages of the invitations: 「再送」 on the schedule's page, and the candidate template in 全体設定 with
its live preview (company admins only). Every row comes through herp.tenancy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from herp.models import Language
from herp.tenancy import MemberRequest, company_admin_required, company_member_required, get_scoped_or_404
from scheduling.invitations import placeholders, texts
from scheduling.invitations.forms import CandidateTemplateForm
from scheduling.invitations.models import CandidateMessageTemplate, InvitationMessage
from scheduling.invitations.render import Draft
from scheduling.invitations.render import render as render_message
from scheduling.invitations.services import (
    NothingToResend,
    candidate_template_reset,
    candidate_template_save,
    invitation_resend,
)
from scheduling.models import InterviewSchedule


@require_POST
@company_member_required
def invitation_resend_view(request: MemberRequest, pk: int) -> HttpResponse:
    schedule = get_scoped_or_404(InterviewSchedule, request.user.tenant, pk=pk)
    key = str(request.POST.get("recipient", ""))[:40]
    try:
        message = invitation_resend(schedule=schedule, recipient_key=key)
    except NothingToResend:
        messages.error(request, _("There is nothing to send again to this person right now."))
    else:
        messages.success(request, _("The current version is being sent again to %(name)s.") % {"name": message.name})
    return redirect(reverse("scheduling:detail", args=[schedule.pk]) + "#invitations")


def _language(request: MemberRequest) -> str:
    value = request.GET.get("language") or request.POST.get("language") or request.LANGUAGE_CODE
    return value if value in Language.values else Language.JA


@require_http_methods(["GET", "POST"])
@company_admin_required
def candidate_messages(request: MemberRequest) -> HttpResponse:
    company = request.user.tenant
    language = _language(request)
    stored = CandidateMessageTemplate.objects.filter(company=company, language=language).first()
    if request.method == "POST" and request.POST.get("action") == "reset":
        candidate_template_reset(company=company, language=language)
        messages.success(request, _("HERP's default message is used again."))
        return redirect(f"{reverse('scheduling:candidate_messages')}?language={language}")
    form = CandidateTemplateForm(request.POST or None, initial=_initial(company.pk, language, stored))
    if request.method == "POST" and form.is_valid():
        candidate_template_save(
            company=company,
            language=language,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            by=request.user,
        )
        messages.success(request, _("The message to candidates was saved. New invitations and updates use it."))
        return redirect(f"{reverse('scheduling:candidate_messages')}?language={language}")
    shown = form.data if form.is_bound else _initial(company.pk, language, stored)
    subject, body = str(shown.get("subject", "")), str(shown.get("body", "")).replace("\r\n", "\n")
    context: dict[str, Any] = {
        "form": form,
        "language": language,
        "languages": Language.choices,
        "stored": stored,
        "placeholders": [(f"{{{name}}}", label) for name, label in placeholders.PLACEHOLDERS.items()],
        "preview": _preview(company, language, subject, body),
        "subject_max": placeholders.SUBJECT_MAX,
        "body_max": placeholders.BODY_MAX,
    }
    return render(request, "scheduling/candidate_messages.html", context)


@require_POST
@company_admin_required
def candidate_messages_preview(request: MemberRequest) -> JsonResponse:
    """The editor's live preview: the text as a candidate would read it, with sample values, and what
    saving would refuse. Nothing is saved."""
    subject = str(request.POST.get("subject", ""))[: placeholders.SUBJECT_MAX * 4]
    body = str(request.POST.get("body", ""))[: placeholders.BODY_MAX * 4].replace("\r\n", "\n")
    return JsonResponse(_preview(request.user.tenant, _language(request), subject, body))


def _initial(company_id: int, language: str, stored: CandidateMessageTemplate | None) -> dict[str, str]:
    if stored is not None:
        return {"subject": stored.subject, "body": stored.body}
    with translation.override(language):
        return {"subject": str(texts.DEFAULT_SUBJECT), "body": str(texts.DEFAULT_BODY)}


def _preview(company: Any, language: str, subject: str, body: str) -> dict[str, Any]:
    try:
        placeholders.validate(subject, body)
        problems: list[str] = []
    except placeholders.TemplateError as exc:
        problems = exc.messages
    start = (timezone.localtime() + timedelta(days=7)).replace(hour=10, minute=0, second=0, microsecond=0)
    with translation.override(language):
        sample = Draft(
            company_id=company.pk,
            schedule_id=0,
            recipient_kind=InvitationMessage.Recipient.CANDIDATE,
            name=_("Hanako Yamada"),
            email="candidate@example.com",
            language=language,
            timezone="Asia/Tokyo",
            kind=InvitationMessage.Kind.INVITATION,
            event={
                "title": _("First interview"),
                "company": company.name,
                "candidate_name": _("Hanako Yamada"),
                "starts_at": start.isoformat(),
                "duration": 60,
                "timezone": "Asia/Tokyo",
                "location": "zoom",
                "join_url": "https://zoom.us/j/85746065432?pwd=SampleOnly",
                "meeting_id": "85746065432",
                "passcode": "a1B2c3D4e5",
                "interviewers": [_("Ichiro Sato"), _("Jiro Suzuki")],
            },
        )
    rendered = render_message(sample, template=(subject, body))
    return {"subject": rendered.subject, "text": rendered.text, "problems": problems}
