"""A version of a person's invitation as they read it: subject, text and HTML, the calendar object, and
the e-mail that carries them (iMIP, RFC 6047).

Everything is written in the recipient's language and shows times in their zone too. The candidate's
invitations and updates use the company's template (``CandidateMessageTemplate``) or HERP's default;
cancellations, an interview leaving Zoom and the participants' mails are HERP's own words (texts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from herp.timebounds import in_zone
from herp.timeformat import same_clock
from scheduling.invitations import content, ics, placeholders, texts
from scheduling.invitations.models import CandidateMessageTemplate, InvitationMessage

Kind = InvitationMessage.Kind
Recipient = InvitationMessage.Recipient


@dataclass(frozen=True)
class Draft:
    """One version for one person, whether stored (a message row) or not yet (the copy, the preview)."""

    company_id: int
    schedule_id: int
    recipient_kind: str
    name: str
    email: str
    language: str
    timezone: str
    kind: str
    event: dict[str, Any]
    changes: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def method(self) -> str:
        return "CANCEL" if self.kind == Kind.CANCELLATION else "REQUEST"

    @property
    def on_zoom(self) -> bool:
        return self.event.get("location") == "zoom" and bool(self.event.get("join_url"))

    @classmethod
    def of(cls, message: InvitationMessage) -> Draft:
        return cls(
            company_id=message.company_id,
            schedule_id=message.schedule_id,
            recipient_kind=message.recipient_kind,
            name=message.name,
            email=message.email,
            language=message.language,
            timezone=message.timezone,
            kind=message.kind,
            event=message.event,
            changes=list(message.changes or []),
            reason=message.reason,
        )


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    summary: str
    description: str


def render(draft: Draft, *, template: tuple[str, str] | None = None) -> Rendered:
    """``template`` (subject, body) overrides the company's stored one (the settings page's preview)."""
    with translation.override(draft.language):
        if draft.recipient_kind == Recipient.CANDIDATE:
            return _candidate(draft, template)
        return _participant(draft)


# --- The candidate -----------------------------------------------------------------------------------


def candidate_template(company_id: int, language: str) -> tuple[str, str]:
    stored = CandidateMessageTemplate.objects.filter(company_id=company_id, language=language).first()
    if stored is not None:
        return stored.subject, stored.body
    with translation.override(language):
        return str(texts.DEFAULT_SUBJECT), str(texts.DEFAULT_BODY)


def placeholder_values(draft: Draft) -> dict[str, str]:
    event = draft.event
    names = [name for name in event.get("interviewers", []) if name]
    return {
        "candidate_name": event.get("candidate_name", ""),
        "company": event.get("company", ""),
        "title": event.get("title", ""),
        "date_time": "\n".join(content.when_lines(event, draft.timezone, draft.language)),
        "join_url": event.get("join_url", ""),
        "meeting_id": meeting_id_text(event.get("meeting_id", "")),
        "passcode": event.get("passcode") or "—",
        "interviewers": ("、" if draft.language == "ja" else ", ").join(names) or "—",
    }


def _candidate(draft: Draft, template: tuple[str, str] | None) -> Rendered:
    event = draft.event
    values = placeholder_values(draft)
    when = values["date_time"]
    summary = _("%(title)s (%(company)s)") % {"title": event.get("title", ""), "company": event.get("company", "")}
    if draft.method == "CANCEL":
        subject = texts.candidate_cancel_subject(company=values["company"], title=values["title"])
        text = texts.candidate_cancel_body(
            candidate_name=values["candidate_name"], company=values["company"], title=values["title"], when=when
        )
        return Rendered(subject, text, text_to_html(text), summary, _cancel_description(when))
    if not draft.on_zoom:
        place = texts.place_name(event.get("location", ""))
        subject = texts.candidate_off_zoom_subject(company=values["company"], title=values["title"])
        text = texts.candidate_off_zoom_body(
            candidate_name=values["candidate_name"],
            company=values["company"],
            title=values["title"],
            when=when,
            place=place,
        )
        return Rendered(subject, text, text_to_html(text), summary, when)
    subject_template, body_template = template or candidate_template(draft.company_id, draft.language)
    subject = placeholders.render_subject(subject_template, values)
    text = placeholders.render_text(body_template, values)
    html = placeholders.render_html(body_template, values)
    if draft.kind == Kind.UPDATE:
        subject = texts.update_subject(subject)
        lead = texts.candidate_update_lead(title=values["title"], changes=draft.changes)
        text = lead + text
        html = escape(lead).replace("\n", "<br>\n") + html
    return Rendered(subject, text, _wrap(html), summary, _join_description(values))


# --- The participants --------------------------------------------------------------------------------


def _participant(draft: Draft) -> Rendered:
    event = draft.event
    values = placeholder_values(draft)
    when = values["date_time"]
    short = short_when(event, draft.timezone, draft.language)
    names = {"candidate_name": values["candidate_name"], "title": values["title"]}
    summary = _("%(title)s: %(candidate_name)s") % names
    detail_url = settings.SITE_URL.rstrip("/") + reverse("scheduling:detail", args=[draft.schedule_id])
    if draft.method == "CANCEL":
        subject = texts.participant_cancel_subject(**names, short_when=short)
        text = texts.participant_cancel_body(
            recipient_name=draft.name, **names, when=when, removed=draft.reason != "cancelled", detail_url=detail_url
        )
        return Rendered(subject, text, text_to_html(text, (detail_url,)), summary, _cancel_description(when))
    subject = texts.participant_subject(**names, short_when=short)
    if draft.kind == Kind.UPDATE:
        subject = texts.update_subject(subject)
    if not draft.on_zoom:
        text = texts.participant_off_zoom_body(
            recipient_name=draft.name,
            **names,
            when=when,
            place=texts.place_name(event.get("location", "")),
            detail_url=detail_url,
        )
        return Rendered(subject, text, text_to_html(text, (detail_url,)), summary, when)
    text = texts.participant_body(
        recipient_name=draft.name,
        **names,
        when=when,
        join_url=values["join_url"],
        meeting_id=values["meeting_id"],
        passcode=values["passcode"],
        host=event.get("host", "") or "—",
        detail_url=detail_url,
        changes=draft.changes if draft.kind == Kind.UPDATE else None,
    )
    return Rendered(
        subject, text, text_to_html(text, (values["join_url"], detail_url)), summary, _join_description(values)
    )


# --- Pieces ------------------------------------------------------------------------------------------


def meeting_id_text(meeting_id: str) -> str:
    """Zoom writes meeting IDs in groups: 857 4606 5432 (11 digits), 857 460 6543 (10)."""
    digits = str(meeting_id or "")
    if not digits.isdigit():
        return digits or "—"
    if len(digits) == 11:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) == 10:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def short_when(event: dict[str, Any], zone: str, language: str) -> str:
    """The start for a subject line, on the recipient's clock; named with their zone when that clock reads
    otherwise than the interview's (the body gives both), so "03:00" is never mistaken for Japan time."""
    moment = content.starts_at(event)
    shown = zone or event["timezone"]
    start: datetime = in_zone(moment, shown)
    with translation.override(language):
        text = dateformat.format(start, "n/j（D）G:i" if language == "ja" else "D j M, H:i")
    if not same_clock(moment, shown, event["timezone"]):
        text = f"{text} {shown}"
    return text


def _join_description(values: dict[str, str]) -> str:
    return "\n".join(
        [
            values["date_time"],
            "",
            values["join_url"],
            _("Meeting ID: %(id)s") % {"id": values["meeting_id"]},
            _("Passcode: %(passcode)s") % {"passcode": values["passcode"]},
        ]
    )


def _cancel_description(when: str) -> str:
    return _("Cancelled.") + "\n" + when


def text_to_html(text: str, links: tuple[str, ...] = ()) -> str:
    """HERP's own text as HTML: every character escaped, line breaks kept, and only the links named
    (the join URL, the schedule's page) made links: a name that looks like a URL stays text."""
    html: str = escape(text)
    for link in sorted({link for link in links if link.startswith(("https://", "http://"))}, key=len, reverse=True):
        target = escape(link)
        html = html.replace(target, f'<a href="{target}">{target}</a>')
    return _wrap(html.replace("\n", "<br>\n"))


def _wrap(html: str) -> str:
    if html.startswith("<div"):
        return html
    return f'<div style="font-family: sans-serif; line-height: 1.6">{html}</div>'


# --- The e-mail --------------------------------------------------------------------------------------


def sender(company_name: str) -> tuple[str, str]:
    """(display name, address): DEFAULT_FROM_EMAIL's address under the company's name. The same is the
    calendar's ORGANIZER, since clients apply updates that come from the event's organizer."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return " ".join(company_name.split()), address


def mail_for(message: InvitationMessage, *, uid: str, reply_to: str = "") -> EmailMultiAlternatives:
    draft = Draft.of(message)
    rendered = render(draft)
    organizer = sender(message.event.get("company", ""))
    calendar = ics.calendar_bytes(
        method=draft.method,
        uid=uid,
        sequence=message.sequence,
        stamp=message.created_at,
        event=message.event,
        summary=rendered.summary,
        description=rendered.description,
        organizer=organizer,
        attendee=(message.name, message.email),
    )
    mail = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=formataddr(organizer),
        to=[formataddr((message.name, message.email)) if message.name else message.email],
        reply_to=[reply_to] if reply_to else None,
    )
    mail.attach_alternative(rendered.html, "text/html")
    # The calendar part's method must equal the object's METHOD, or Outlook calls a cancel "not
    # supported" (NOTES section 13); the same object as a file serves clients that only open attachments.
    mail.attach_alternative(calendar.decode(), f"text/calendar; method={draft.method}")
    mail.attach("invite.ics", calendar, "application/ics")
    return mail
