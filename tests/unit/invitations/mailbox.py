"""Reads invitation e-mails as a mail client and a calendar would: the MIME parts, and the calendar
object parsed with the icalendar library. Works on Django's locmem outbox and on raw bytes from a
real SMTP server (the integration tier)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage as MimeMessage
from email.utils import getaddresses

import icalendar


@dataclass(frozen=True)
class Received:
    to: str  # the address
    to_header: str
    from_header: str
    reply_to: str
    subject: str
    text: str
    html: str
    mime_method: str  # the text/calendar part's method= parameter
    attachment_ics: bytes
    ics: bytes
    raw: bytes

    @property
    def calendar(self) -> icalendar.Calendar:
        return icalendar.Calendar.from_ical(self.ics)

    @property
    def event(self) -> icalendar.Event:
        events = [c for c in self.calendar.walk("VEVENT")]
        assert len(events) == 1
        return events[0]

    @property
    def method(self) -> str:
        return str(self.calendar["METHOD"])

    @property
    def uid(self) -> str:
        return str(self.event["UID"])

    @property
    def sequence(self) -> int:
        return int(self.event["SEQUENCE"])

    @property
    def start(self) -> datetime:
        return self.event.decoded("DTSTART")

    @property
    def end(self) -> datetime:
        return self.event.decoded("DTEND")

    @property
    def location(self) -> str:
        return str(self.event.get("LOCATION", ""))

    @property
    def attendees(self) -> list[str]:
        value = self.event.get("ATTENDEE")
        values = value if isinstance(value, list) else [value] if value is not None else []
        return [str(v).removeprefix("mailto:") for v in values]

    @property
    def organizer(self) -> str:
        return str(self.event["ORGANIZER"]).removeprefix("mailto:")


def parse(raw: bytes) -> Received:
    message: MimeMessage = email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[assignment]
    text = html = ics = ""
    attachment = b""
    mime_method = ""
    for part in message.walk():
        content_type = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            continue
        if part.get_content_disposition() == "attachment":
            attachment = part.get_payload(decode=True) or b""
        elif content_type == "text/plain":
            text = part.get_content().replace("\r\n", "\n")
        elif content_type == "text/html":
            html = part.get_content().replace("\r\n", "\n")
        elif content_type == "text/calendar":
            ics = part.get_content()
            mime_method = part.get_param("method") or ""
    to_header = str(message["To"])
    return Received(
        to=getaddresses([to_header])[0][1],
        to_header=to_header,
        from_header=str(message["From"]),
        reply_to=str(message.get("Reply-To", "")),
        subject=str(message["Subject"]).strip(),
        text=text,
        html=html,
        mime_method=mime_method,
        attachment_ics=attachment,
        ics=ics.encode() if isinstance(ics, str) else ics,
        raw=raw,
    )


def read_outbox(outbox: list) -> list[Received]:
    """Django's locmem outbox, as the recipients' mail clients would read it."""
    return [parse(message.message().as_bytes(linesep="\r\n")) for message in outbox]


def to(received: list[Received], address: str) -> list[Received]:
    return [mail for mail in received if mail.to == address]


def final_events(received: list[Received]) -> dict[str, dict[str, Received | None]]:
    """What each recipient's calendar holds after applying every message in the order received, as
    iTIP says: a message with a lower SEQUENCE than the one held is ignored; CANCEL removes the event.
    Returns {address: {uid: the REQUEST held, or None after a CANCEL}}."""
    held: dict[str, dict[str, tuple[int, Received | None]]] = {}
    for mail in received:
        events = held.setdefault(mail.to, {})
        previous = events.get(mail.uid)
        if previous is not None and mail.sequence < previous[0]:
            continue
        events[mail.uid] = (mail.sequence, None if mail.method == "CANCEL" else mail)
    return {address: {uid: value for uid, (_seq, value) in events.items()} for address, events in held.items()}
