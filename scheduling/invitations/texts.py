"""HERP's own words in the invitations: the default candidate template (a company may replace it), and
the texts no company edits (the participants' mails, cancellations, an interview leaving Zoom, the
lead of an update). Each is read in the recipient's language (``translation.override`` by the caller).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The default candidate template. It uses the same placeholders as a company's (placeholders.py).
DEFAULT_SUBJECT = gettext_lazy("[{company}] Interview invitation: {title}")
DEFAULT_BODY = gettext_lazy(
    "Dear {candidate_name},\n"
    "\n"
    "Thank you for your interest in {company}.\n"
    "We would like to invite you to an online interview on Zoom, as follows.\n"
    "\n"
    "Interview:\n"
    "{title}\n"
    "\n"
    "Date and time:\n"
    "{date_time}\n"
    "\n"
    "How to join:\n"
    "At the start time, please join from the link below.\n"
    "{join_url}\n"
    "\n"
    "Meeting ID: {meeting_id}\n"
    "Passcode: {passcode}\n"
    "\n"
    "Interviewers:\n"
    "{interviewers}\n"
    "\n"
    "The interview is attached as a calendar event.\n"
    "If you have any questions, please reply to this e-mail.\n"
    "\n"
    "We look forward to speaking with you.\n"
    "\n"
    "{company} Recruiting Team\n"
)


def change_names(changes: list[str]) -> str:
    names = {
        "time": _("the date and time"),
        "location": _("the place"),
        "url": _("the Zoom URL"),
        "interviewers": _("the interviewers"),
    }
    listed = [str(names[change]) for change in changes if change in names]
    return _(", ").join(listed) if listed else str(_("the details"))


def update_subject(subject: str) -> str:
    return _("Updated: %(subject)s") % {"subject": subject}


def candidate_update_lead(*, title: str, changes: list[str]) -> str:
    lead = _("Please note: there is a change to your %(title)s (%(changes)s). This e-mail has the latest details.") % {
        "changes": change_names(changes),
        "title": title,
    }
    if "url" in changes:
        lead += "\n" + _("The Zoom link we sent earlier no longer works: please join from the link below.")
    return lead + "\n\n"


def candidate_cancel_subject(*, company: str, title: str) -> str:
    return _("[%(company)s] Cancelled: %(title)s") % {"company": company, "title": title}


def candidate_cancel_body(*, candidate_name: str, company: str, title: str, when: str) -> str:
    return _(
        "Dear %(candidate_name)s,\n"
        "\n"
        "This is the %(company)s Recruiting Team.\n"
        "We are sorry to let you know that your %(title)s, scheduled as below, has been cancelled.\n"
        "\n"
        "Date and time (cancelled):\n"
        "%(when)s\n"
        "\n"
        "This e-mail removes the event from your calendar.\n"
        "We will contact you separately about the next steps.\n"
        "\n"
        "%(company)s Recruiting Team\n"
    ) % {"candidate_name": candidate_name, "company": company, "title": title, "when": when}


def candidate_off_zoom_subject(*, company: str, title: str) -> str:
    return _("[%(company)s] Change of place: %(title)s") % {"company": company, "title": title}


def candidate_off_zoom_body(*, candidate_name: str, company: str, title: str, when: str, place: str) -> str:
    return _(
        "Dear %(candidate_name)s,\n"
        "\n"
        "This is the %(company)s Recruiting Team.\n"
        "Your %(title)s will no longer be held on Zoom: it will be held %(place)s.\n"
        "The Zoom link we sent earlier no longer works. We will contact you separately with the details of "
        "the place.\n"
        "\n"
        "Date and time:\n"
        "%(when)s\n"
        "\n"
        "%(company)s Recruiting Team\n"
    ) % {"candidate_name": candidate_name, "company": company, "title": title, "when": when, "place": place}


def place_name(location: str) -> str:
    return str(_("in person") if location == "onsite" else _("by another means"))


# --- The participants' mails ---------------------------------------------------------------------


def participant_subject(*, candidate_name: str, title: str, short_when: str) -> str:
    return _("Interview: %(candidate_name)s, %(title)s (%(when)s)") % {
        "candidate_name": candidate_name,
        "title": title,
        "when": short_when,
    }


def participant_cancel_subject(*, candidate_name: str, title: str, short_when: str) -> str:
    return _("Cancelled: %(candidate_name)s, %(title)s (%(when)s)") % {
        "candidate_name": candidate_name,
        "title": title,
        "when": short_when,
    }


def participant_body(
    *,
    recipient_name: str,
    candidate_name: str,
    title: str,
    when: str,
    join_url: str,
    meeting_id: str,
    passcode: str,
    host: str,
    detail_url: str,
    changes: list[str] | None,
) -> str:
    values = {"recipient_name": recipient_name, "candidate_name": candidate_name, "title": title}
    if changes is None:
        lead = _("You are an interviewer of %(candidate_name)s's %(title)s.") % values
    else:
        lead = _("There is a change to %(candidate_name)s's %(title)s: %(changes)s.") % {
            **values,
            "changes": change_names(changes),
        }
        if "url" in changes:
            lead += "\n" + _("The earlier Zoom URL no longer works.")
    return _(
        "%(recipient_name)s,\n"
        "\n"
        "%(lead)s\n"
        "\n"
        "Date and time:\n"
        "%(when)s\n"
        "\n"
        "Zoom:\n"
        "%(join_url)s\n"
        "Meeting ID: %(meeting_id)s\n"
        "Passcode: %(passcode)s\n"
        "Host: %(host)s\n"
        "\n"
        "The interview in HERP: %(detail_url)s\n"
        "The interview is attached as a calendar event.\n"
    ) % {
        **values,
        "lead": lead,
        "when": when,
        "join_url": join_url,
        "meeting_id": meeting_id,
        "passcode": passcode,
        "host": host,
        "detail_url": detail_url,
    }


def participant_off_zoom_body(
    *, recipient_name: str, candidate_name: str, title: str, when: str, place: str, detail_url: str
) -> str:
    return _(
        "%(recipient_name)s,\n"
        "\n"
        "%(candidate_name)s's %(title)s will no longer be held on Zoom: it will be held %(place)s. "
        "The earlier Zoom URL no longer works.\n"
        "\n"
        "Date and time:\n"
        "%(when)s\n"
        "\n"
        "The interview in HERP: %(detail_url)s\n"
    ) % {
        "recipient_name": recipient_name,
        "candidate_name": candidate_name,
        "title": title,
        "when": when,
        "place": place,
        "detail_url": detail_url,
    }


def participant_cancel_body(
    *, recipient_name: str, candidate_name: str, title: str, when: str, removed: bool, detail_url: str
) -> str:
    values = {"recipient_name": recipient_name, "candidate_name": candidate_name, "title": title}
    if removed:
        lead = _("You are no longer an interviewer of %(candidate_name)s's %(title)s.") % values
    else:
        lead = _("%(candidate_name)s's %(title)s was cancelled.") % values
    return _(
        "%(recipient_name)s,\n"
        "\n"
        "%(lead)s\n"
        "This e-mail removes the event from your calendar.\n"
        "\n"
        "Date and time:\n"
        "%(when)s\n"
        "\n"
        "The interview in HERP: %(detail_url)s\n"
    ) % {**values, "lead": lead, "when": when, "detail_url": detail_url}
