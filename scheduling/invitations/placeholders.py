"""Named placeholders in the company's candidate template: ``{candidate_name}`` and its kin.

Admin-written text never reaches Django's template engine (nor ``str.format``, which reaches
attributes): it is cut into literal text and known names, and only the values below are put in.
Anything else in braces is refused when saving, so a template can run no code, read no other data and
break no page. The HTML part escapes every piece and links only the join URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "candidate_name": _("The candidate's name"),
    "company": _("Your company's name"),
    "title": _("The interview's title"),
    "date_time": _("Date and time: weekday, start and end (also in the candidate's time zone when it differs)"),
    "join_url": _("Zoom join URL (passcode included)"),
    "meeting_id": _("Zoom meeting ID"),
    "passcode": _("Zoom passcode"),
    "interviewers": _("Interviewers' names"),
}
# Without these an invitation cannot be used: the candidate would not know when, or how to join.
REQUIRED_IN_BODY = ("date_time", "join_url")
SUBJECT_MAX = 200
BODY_MAX = 5000
LINKED = frozenset({"join_url"})

_BRACED = re.compile(r"\{([^{}\n]{0,60})\}")


@dataclass(frozen=True)
class Piece:
    text: str
    placeholder: str = ""  # the name when this piece was a placeholder


class TemplateError(ValueError):
    """A template that cannot be saved; ``messages`` say why, in the reader's language."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def unknown_placeholders(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in _BRACED.finditer(text) if m.group(1).strip() not in PLACEHOLDERS))


def used_placeholders(text: str) -> set[str]:
    return {m.group(1).strip() for m in _BRACED.finditer(text) if m.group(1).strip() in PLACEHOLDERS}


def validate(subject: str, body: str) -> None:
    """Raises TemplateError with every reason a subject and body cannot be saved."""
    problems: list[str] = []
    if not subject.strip():
        problems.append(str(_("Enter a subject.")))
    if "\n" in subject or "\r" in subject:
        problems.append(str(_("The subject must be one line.")))
    if len(subject) > SUBJECT_MAX:
        problems.append(str(_("The subject is too long (at most %(max)d characters).") % {"max": SUBJECT_MAX}))
    if not body.strip():
        problems.append(str(_("Enter a body.")))
    if len(body) > BODY_MAX:
        problems.append(str(_("The body is too long (at most %(max)d characters).") % {"max": BODY_MAX}))
    for text in (subject, body):
        for unknown in unknown_placeholders(text):
            problems.append(
                str(
                    _("%(placeholder)s is not a placeholder. Use only the placeholders listed.")
                    % {"placeholder": unknown}
                )
            )
    missing = [name for name in REQUIRED_IN_BODY if name not in used_placeholders(body)]
    for name in missing:
        problems.append(str(_("Put {%(name)s} in the body: the candidate needs it to join.") % {"name": name}))
    if problems:
        raise TemplateError(list(dict.fromkeys(problems)))


def pieces(text: str, values: dict[str, str]) -> list[Piece]:
    """The text cut into literal pieces and substituted placeholders. Unknown names stay as written
    (a stored template was validated; the default templates are ours)."""
    out: list[Piece] = []
    position = 0
    for match in _BRACED.finditer(text):
        name = match.group(1).strip()
        if name not in PLACEHOLDERS:
            continue
        if match.start() > position:
            out.append(Piece(text[position : match.start()]))
        out.append(Piece(values.get(name, ""), placeholder=name))
        position = match.end()
    if position < len(text):
        out.append(Piece(text[position:]))
    return out


def render_text(text: str, values: dict[str, str]) -> str:
    return "".join(piece.text for piece in pieces(text, values))


def render_subject(text: str, values: dict[str, str]) -> str:
    # A value never breaks the subject into a second header line.
    one_line = {name: " ".join(value.split()) for name, value in values.items()}
    return " ".join(render_text(text, one_line).split())


def render_html(text: str, values: dict[str, str]) -> str:
    """Every piece escaped, the join URL a link, line breaks kept."""
    html = []
    for piece in pieces(text, values):
        escaped = escape(piece.text)
        if piece.placeholder in LINKED and piece.text.startswith(("https://", "http://")):
            html.append(f'<a href="{escaped}">{escaped}</a>')
        else:
            html.append(escaped)
    return "".join(html).replace("\r\n", "\n").replace("\n", "<br>\n")
