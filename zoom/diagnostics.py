"""The "Guests see 'waiting for host'?" checklist of one meeting, read from Zoom now (DESIGN.md 1.4).

``meeting_diagnose`` asks Zoom, with the host's own token, for the meeting (``GET /meetings/{id}``) and
the host's effective settings (``GET /users/me/settings``), and returns one line per known cause of
"waiting for the host": passed, failed or unknown, each with what we saw, its remedy and who acts.
The stored ``ZoomMeeting.warnings`` say what Zoom did at the last write; this says what Zoom has now
(someone may have changed a setting in Zoom since, or a lock may have been lifted).

``meeting_fix`` ("Fix what we can") sends our settings again through the reconcile (a new revision:
``PATCH`` then ``GET``, under the row's lease, so the row, its warnings and a changed join URL stay
right), then reads Zoom again: the setting lines that still fail are the ones Zoom keeps, i.e. locked.

Neither raises for Zoom's or the grant's failures: they become a readable ``error``. Both call Zoom,
so they run on demand only (a button, a page), never while rendering a list.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from herp.models import User
from integrations.models import ZoomInstallation
from integrations.tokens import call_with_token
from integrations.zoom_api import client
from integrations.zoom_api.client import ZoomMeetingInfo, ZoomUserSettings
from integrations.zoom_api.errors import (
    GrantUnavailable,
    TokenRefreshRetryable,
    ZoomAuthError,
    ZoomClientRejected,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomScopeError,
    ZoomUnavailable,
)
from zoom.meetings import desired, reconcile
from zoom.meetings.reconcile import Outcome
from zoom.models import ZoomMeeting, ZoomUser

logger = logging.getLogger(__name__)

# How long "Fix what we can" waits for a worker that took the re-sent meeting before we could (the
# queued task and our own run race for the lease; whoever loses skips). Bounded: the page must answer.
FIX_WAIT = 5.0
POLL_INTERVAL = 0.25


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # Zoom could not be read, or its answer did not say


class Check(StrEnum):
    HOST = "host"
    WAITING_ROOM = "waiting_room"
    PASSCODE_IN_URL = "passcode_in_url"
    JOIN_BEFORE_HOST = "join_before_host"
    ALTERNATIVE_HOSTS = "alternative_hosts"


@dataclass(frozen=True)
class CheckLine:
    """One cause of "waiting for the host". ``remedy`` may be set on a passed line too (advice);
    ``fixable``: re-sending our settings to Zoom may change it."""

    check: Check
    status: CheckStatus
    title: str
    finding: str
    remedy: str = ""
    who: str = ""
    fixable: bool = False

    @property
    def passed(self) -> bool:
        return self.status == CheckStatus.PASSED

    @property
    def failed(self) -> bool:
        return self.status == CheckStatus.FAILED


@dataclass(frozen=True)
class Diagnosis:
    meeting_id: int
    lines: list[CheckLine]
    checked_at: datetime
    # Why Zoom could not be read (the Zoom lines are then unknown); empty when it was.
    error: str = ""
    # Something worth saying that did not stop the check (the host's settings could not be read).
    notes: list[str] = field(default_factory=list)
    # The meeting is in Zoom and at rest, so "Fix what we can" may re-send it.
    may_fix: bool = False

    @property
    def failing(self) -> list[CheckLine]:
        return [line for line in self.lines if line.failed]

    @property
    def all_passed(self) -> bool:
        return all(line.passed for line in self.lines)

    @property
    def offers_fix(self) -> bool:
        return self.may_fix and any(line.failed and line.fixable for line in self.lines)

    def line(self, check: Check) -> CheckLine:
        return next(line for line in self.lines if line.check == check)


class FixLevel(StrEnum):
    # Named after django.contrib.messages' levels, so the page styles them alike.
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"
    INFO = "info"


@dataclass(frozen=True)
class FixResult:
    level: FixLevel
    message: str
    diagnosis: Diagnosis
    # The setting lines Zoom kept failing after we re-sent our settings: locked for the account.
    still_failing: list[CheckLine] = field(default_factory=list)


# --- The check --------------------------------------------------------------------------------------


def meeting_diagnose(*, meeting: ZoomMeeting, viewer: User | None) -> Diagnosis:
    """The checklist for ``meeting`` as Zoom has it now. ``viewer`` is the person asking (the host
    line is about them); None for support staff, who get "who hosts" instead."""
    info: ZoomMeetingInfo | None = None
    user_settings: ZoomUserSettings | None = None
    notes: list[str] = []
    error = _not_in_zoom(meeting)
    zoom_id, grant_id = meeting.zoom_meeting_id, meeting.host_grant_id
    if not error and zoom_id is not None and grant_id is not None:
        try:
            info = call_with_token(grant_id, lambda token: client.get_meeting(token, zoom_id))
        except ZoomError as exc:
            logger.info("Diagnosing Zoom meeting row %s: the meeting could not be read (%s).", meeting.pk, exc)
            error = error_message(exc)
        else:
            try:
                user_settings = call_with_token(grant_id, client.get_user_settings)
            except ZoomError as exc:
                # The settings only explain the meeting's values (a grant made before we asked for
                # user:read:settings lacks the scope): the check goes on without them.
                logger.info(
                    "Diagnosing Zoom meeting row %s: the host's settings could not be read (%s).", meeting.pk, exc
                )
                notes.append(_("Zoom did not give the host's settings, so the lines below show the meeting only."))
    lines = [
        _host_line(meeting, info, viewer),
        _waiting_room_line(info, user_settings),
        _passcode_line(info, user_settings),
        _join_before_host_line(info, user_settings),
        _alternative_hosts_line(meeting, info),
    ]
    return Diagnosis(
        meeting_id=meeting.pk,
        lines=lines,
        checked_at=timezone.now(),
        error=error,
        notes=notes,
        may_fix=info is not None and _may_resend(meeting),
    )


def _not_in_zoom(meeting: ZoomMeeting) -> str:
    if meeting.is_gone:
        return _("This meeting was deleted in Zoom (the interview was cancelled or no longer uses Zoom).")
    if meeting.zoom_meeting_id is None:
        return _(
            "This meeting is not in Zoom yet (%(status)s), so there is nothing to check. Its page says what is "
            "happening."
        ) % {"status": meeting.get_status_display()}
    if meeting.host_grant_id is None:
        return error_message(GrantUnavailable("The meeting has no host grant."))
    return ""


def _may_resend(meeting: ZoomMeeting) -> bool:
    # A busy row is already being sent; a failed one has its own Retry on the interview's page.
    return meeting.status == ZoomMeeting.Status.CREATED and meeting.zoom_meeting_id is not None and not meeting.is_gone


def error_message(exc: Exception) -> str:
    """A readable sentence for what stopped us from asking Zoom (never a token: our exceptions carry
    none, and Zoom's own text is at most quoted)."""
    if isinstance(exc, GrantUnavailable | ZoomAuthError):
        return _(
            "The host's Zoom authorization no longer works, so Zoom cannot be asked. The host links Zoom again in "
            "External service accounts (or a company admin reconnects Zoom)."
        )
    if isinstance(exc, ZoomScopeError):
        return _(
            "The host's Zoom authorization lacks a permission this needs. The host links Zoom again in External "
            "service accounts."
        )
    if isinstance(exc, ZoomRateLimited):
        if exc.daily_limit and exc.retry_at is not None:
            return _("Zoom's daily limit for this host is reached. Try again after %(when)s.") % {
                "when": _local(exc.retry_at)
            }
        return _("Zoom asks us to slow down. Try again in a minute.")
    if isinstance(exc, ZoomNotFound):
        return _(
            "Zoom has no such meeting any more (was it deleted in Zoom?). Press “Send to Zoom again” on the "
            "interview's page to make it again."
        )
    if isinstance(exc, ZoomUnavailable | TokenRefreshRetryable):
        return _("Zoom did not answer in time. Try again in a minute.")
    if isinstance(exc, ZoomClientRejected):
        return _("Zoom refused HERP's app credentials. Support has been alerted; try again later.")
    if isinstance(exc, ZoomError):
        return _("Zoom refused the request: %(error)s") % {"error": exc.message}
    return _("Zoom could not be asked: %(error)s") % {"error": str(exc)}


def _local(when: datetime) -> str:
    return f"{timezone.localtime(when):%Y-%m-%d %H:%M}"


# --- The lines --------------------------------------------------------------------------------------


def _host_or_admin() -> str:
    return _("The host; a Zoom admin of your company's account if the setting is greyed out.")


def _host_line(meeting: ZoomMeeting, info: ZoomMeetingInfo | None, viewer: User | None) -> CheckLine:
    # Zoom's answer is the truth about who hosts now; our row says whom the host rule chose.
    host_id = (info.host_id if info else "") or meeting.host_zoom_user_id
    host_email = meeting.host_email or (info.host_email if info else "")
    host_name = _host_name(meeting)
    values = {"name": host_name, "email": host_email}
    sign_in = _("To start it as host, sign in to Zoom with the linked user %(email)s.") % values
    if viewer is None:
        title = _("Who hosts")
        if info is not None and info.host_id and info.host_id != meeting.host_zoom_user_id:
            return CheckLine(
                Check.HOST,
                CheckStatus.FAILED,
                title,
                _("Zoom names %(zoom)s as host, but the host rule chose %(email)s.")
                % {"zoom": info.host_email or info.host_id, "email": host_email},
                _("The host was changed in Zoom. Whoever starts the meeting signs in to Zoom as its host in Zoom."),
                _("The host, in Zoom."),
            )
        return CheckLine(
            Check.HOST,
            CheckStatus.PASSED if info is not None else CheckStatus.UNKNOWN,
            title,
            _("%(name)s hosts this meeting with the linked Zoom user %(email)s.") % values,
            sign_in + " " + _("Zoom treats any other Zoom user as a guest."),
            _("The host."),
        )

    title = _("You are the host")
    mine = _viewer_zoom_users(viewer)
    if any(zoom_user_id == host_id for zoom_user_id, _email in mine):
        return CheckLine(
            Check.HOST,
            CheckStatus.PASSED,
            title,
            _("You host this meeting with the Zoom user %(email)s.") % values,
            _(
                "Before you start, sign in to Zoom as %(email)s: Zoom treats any other Zoom user as a guest, who "
                "waits too. “Start (as host)” on the interview's page starts it as the host."
            )
            % values,
            _("You."),
        )
    if mine:
        finding = _("%(name)s hosts this meeting with the Zoom user %(email)s; your linked Zoom user is %(yours)s.") % {
            **values,
            "yours": mine[0][1] or mine[0][0],
        }
        alternates = {email.lower() for email in _zoom_alternative_hosts(meeting, info)}
        your_emails = {email.lower() for _id, email in mine if email}
        if alternates & your_emails:
            finding += " " + _("You are an alternative host: signed in to Zoom as %(yours)s you can start it too.") % {
                "yours": mine[0][1]
            }
    else:
        finding = (
            _("You have not linked a Zoom user. %(name)s hosts this meeting with the Zoom user %(email)s.") % values
        )
    return CheckLine(
        Check.HOST,
        CheckStatus.FAILED,
        title,
        finding,
        sign_in + " " + _("Signed in as another Zoom user, Zoom lets them in as a guest, who waits too."),
        _("The host, %(name)s.") % values,
    )


def _host_name(meeting: ZoomMeeting) -> str:
    if meeting.host_user_id is not None:
        user = User.objects.filter(pk=meeting.host_user_id).first()
        if user is not None:
            return user.display_name
    return meeting.host_email


def _viewer_zoom_users(viewer: User) -> list[tuple[str, str]]:
    """(Zoom user id, e-mail) the viewer may host as: their active link, and the company connection's
    Zoom user when they installed it (the host rule's fallback hosts with that one)."""
    found: list[tuple[str, str]] = []
    link = ZoomUser.objects.filter(user=viewer, status=ZoomUser.Status.ACTIVE).first()
    if link is not None:
        found.append((link.zoom_user_id, link.email))
    installed = (
        ZoomInstallation.objects.filter(installer=viewer, grant__isnull=False)
        .values_list("grant__zoom_user_id", "installer_zoom_email")
        .first()
    )
    if installed is not None:
        found.append(installed)
    return found


def _waiting_room_line(info: ZoomMeetingInfo | None, user_settings: ZoomUserSettings | None) -> CheckLine:
    title = _("Waiting room off")
    value = _meeting_flag(info, "waiting_room")
    if value is None:
        return _unknown(Check.WAITING_ROOM, title, info)
    if not value:
        return CheckLine(
            Check.WAITING_ROOM,
            CheckStatus.PASSED,
            title,
            _("The waiting room is off: nobody has to let guests in."),
        )
    finding = _("The waiting room is on, so guests wait until the host lets them in.")
    if user_settings is not None and user_settings.waiting_room:
        finding += " " + _("It is on in the host's Zoom settings too.")
    return CheckLine(
        Check.WAITING_ROOM,
        CheckStatus.FAILED,
        title,
        finding,
        _(
            "Turn off “Waiting room” in Zoom (Settings › Meeting › Security), then press “Fix what we can”. If the "
            "setting is greyed out, a Zoom admin must change it."
        ),
        _host_or_admin(),
        fixable=True,
    )


def _passcode_line(info: ZoomMeetingInfo | None, user_settings: ZoomUserSettings | None) -> CheckLine:
    title = _("Passcode in the URL")
    if info is None or not info.join_url:
        return _unknown(Check.PASSCODE_IN_URL, title, info)
    if not info.password:
        return CheckLine(
            Check.PASSCODE_IN_URL, CheckStatus.PASSED, title, _("The meeting has no passcode: guests need none.")
        )
    # Zoom embeds the passcode as ``pwd`` (its encrypted form) when the account allows it (NOTES.md 5).
    if parse_qs(urlsplit(info.join_url).query).get("pwd"):
        return CheckLine(
            Check.PASSCODE_IN_URL,
            CheckStatus.PASSED,
            title,
            _("The URL carries the passcode: guests join in one click."),
        )
    finding = _("The URL does not carry the passcode, so guests must type it.")
    if user_settings is not None and user_settings.embed_password_in_join_link is False:
        finding += " " + _("“Embed passcode in invite link for one-click join” is off in the host's Zoom settings.")
    return CheckLine(
        Check.PASSCODE_IN_URL,
        CheckStatus.FAILED,
        title,
        finding,
        _(
            "A Zoom admin turns on “Embed passcode in invite link for one-click join” (Settings › Meeting › "
            "Security); then press “Fix what we can” for a URL with the passcode. Meanwhile send the passcode "
            "with the URL."
        ),
        _("A Zoom admin of your company's account."),
        fixable=True,
    )


def _join_before_host_line(info: ZoomMeetingInfo | None, user_settings: ZoomUserSettings | None) -> CheckLine:
    title = _("Join before host on")
    value = _meeting_flag(info, "join_before_host")
    if value is None:
        return _unknown(Check.JOIN_BEFORE_HOST, title, info)
    if value:
        return CheckLine(
            Check.JOIN_BEFORE_HOST,
            CheckStatus.PASSED,
            title,
            _("“Allow participants to join before host” is on: guests can begin without the host."),
        )
    finding = _("“Allow participants to join before host” is off, so guests see “waiting for the host”.")
    if _meeting_flag(info, "waiting_room"):
        # Zoom: a waiting room disables join before host (NOTES.md section 7).
        finding += " " + _("A waiting room turns it off as well: turn the waiting room off first.")
    elif user_settings is not None and user_settings.join_before_host is False:
        finding += " " + _("It is off in the host's Zoom settings too.")
    return CheckLine(
        Check.JOIN_BEFORE_HOST,
        CheckStatus.FAILED,
        title,
        finding,
        _(
            "Turn on “Allow participants to join before host” in Zoom (Settings › Meeting › Schedule Meeting), "
            "then press “Fix what we can”. HERP asks for it on every meeting, so when Zoom keeps it off a lock "
            "overrides us: if the setting is greyed out, a Zoom admin must change it."
        ),
        _host_or_admin(),
        fixable=True,
    )


def _alternative_hosts_line(meeting: ZoomMeeting, info: ZoomMeetingInfo | None) -> CheckLine:
    title = _("Alternative hosts present")
    if info is None:
        return _unknown(Check.ALTERNATIVE_HOSTS, title, info)
    present = _zoom_alternative_hosts(meeting, info)
    if present:
        return CheckLine(
            Check.ALTERNATIVE_HOSTS,
            CheckStatus.PASSED,
            title,
            _("Alternative hosts: %(emails)s. Each can start the meeting when the host cannot.")
            % {"emails": ", ".join(present)},
        )
    if meeting.alternative_hosts:
        # We asked for some, Zoom holds none: it refused them (not users of the host's account).
        return CheckLine(
            Check.ALTERNATIVE_HOSTS,
            CheckStatus.FAILED,
            title,
            _("Zoom has no alternative hosts, though HERP asked for %(emails)s.")
            % {"emails": ", ".join(meeting.alternative_hosts)},
            _(
                "Alternative hosts must be users of your company's Zoom account: check them in Zoom's Admin › User "
                "Management › Users, then press “Fix what we can”."
            ),
            _("A Zoom admin of your company's account."),
            fixable=True,
        )
    return CheckLine(
        Check.ALTERNATIVE_HOSTS,
        CheckStatus.FAILED,
        title,
        _("No alternative hosts: only the host can start this meeting."),
        _("Add another participant who has linked Zoom to the interview (Edit): they become alternative hosts."),
        _("Whoever edits this interview."),
    )


def _zoom_alternative_hosts(meeting: ZoomMeeting, info: ZoomMeetingInfo | None) -> list[str]:
    raw = info.settings.get("alternative_hosts") if info is not None else ";".join(meeting.alternative_hosts)
    if not isinstance(raw, str):
        return []
    # Zoom answers ";"-separated; "," is accepted on the way in, so read both.
    return [part.strip() for part in raw.replace(",", ";").split(";") if part.strip()]


def _meeting_flag(info: ZoomMeetingInfo | None, key: str) -> bool | None:
    if info is None:
        return None
    value = info.settings.get(key)
    return value if isinstance(value, bool) else None


def _unknown(check: Check, title: str, info: ZoomMeetingInfo | None) -> CheckLine:
    finding = _("Zoom's answer did not say.") if info is not None else _("Zoom could not be asked (see above).")
    return CheckLine(check, CheckStatus.UNKNOWN, title, finding)


# --- Fix what we can --------------------------------------------------------------------------------


def meeting_fix(*, meeting: ZoomMeeting, viewer: User | None, wait: float = FIX_WAIT) -> FixResult:
    """Send our settings to Zoom again (join before host, no waiting room, the alternative hosts), read
    Zoom back, and say what stayed as it was.

    The re-send is a new revision of the meeting, reconciled here and now so that the person sees the
    outcome; the task ``meeting_retry`` queues races us for the lease and skips when we hold it (or we
    skip and wait up to ``wait`` seconds for it). Zoom's daily limit defers the row as it would any
    update: nothing is lost, the sweeper sends it later.
    """
    if not _may_resend(meeting) or not desired.meeting_retry(meeting=meeting):
        return FixResult(
            FixLevel.ERROR,
            _("This meeting cannot be sent to Zoom again right now. The interview's page says what is happening."),
            meeting_diagnose(meeting=meeting, viewer=viewer),
        )
    result = reconcile.meeting_reconcile(meeting_id=meeting.pk)
    if result.outcome == Outcome.RETRY:
        # As the task does without a broker: leave the row to the sweeper instead of retrying in a request.
        reconcile.meeting_defer(
            meeting_id=meeting.pk, claim_token=result.claim_token, seconds=result.retry_in or reconcile.BACKOFF_BASE
        )
    row = _settled(meeting.pk, wait) if result.outcome == Outcome.SKIPPED else ZoomMeeting.objects.get(pk=meeting.pk)
    diagnosis = meeting_diagnose(meeting=row, viewer=viewer)
    logger.info("Fix what we can on Zoom meeting row %s: %s, now %s.", row.pk, result.outcome, row.status)
    return _fix_result(row, result.outcome, diagnosis)


def _settled(meeting_id: int, wait: float) -> ZoomMeeting:
    """The row once no worker is on it (or after ``wait`` seconds, as it is then)."""
    deadline = time.monotonic() + wait
    while True:
        row = ZoomMeeting.objects.get(pk=meeting_id)
        if _at_rest(row) or time.monotonic() >= deadline:
            return row
        time.sleep(POLL_INTERVAL)


def _at_rest(row: ZoomMeeting) -> bool:
    deferred = row.not_before is not None and row.claimed_until is None
    return row.status in ZoomMeeting.RESTING or deferred


def _fix_result(row: ZoomMeeting, outcome: Outcome, diagnosis: Diagnosis) -> FixResult:
    if row.status == ZoomMeeting.Status.CREATED and row.synced_revision >= row.revision:
        if diagnosis.error:
            return FixResult(
                FixLevel.WARNING,
                _("HERP sent its settings to Zoom again, but could not read them back: %(error)s")
                % {"error": diagnosis.error},
                diagnosis,
            )
        still = [line for line in diagnosis.failing if line.fixable]
        if still:
            return FixResult(
                FixLevel.WARNING,
                _(
                    "HERP sent its settings to Zoom again. Zoom kept these as they were, so a lock overrides them: "
                    "%(checks)s. Follow their remedies below."
                )
                % {"checks": ", ".join(line.title for line in still)},
                diagnosis,
                still_failing=still,
            )
        return FixResult(FixLevel.SUCCESS, _("HERP sent its settings to Zoom again, and Zoom applied them."), diagnosis)
    if row.not_before is not None and row.status == ZoomMeeting.Status.PENDING:
        values = {"when": _local(row.not_before), "error": row.last_error}
        if outcome == Outcome.DEFERRED:
            # Our own run was told to wait: Zoom's daily limit of meeting changes for this host.
            message = _(
                "Zoom's limit of meeting changes for this host is reached for now, so nothing was changed. HERP "
                "sends the settings again by itself after %(when)s."
            )
        elif outcome == Outcome.RETRY:
            message = _("Zoom did not answer, so nothing was changed yet. HERP tries again by itself after %(when)s.")
        else:
            message = _("Zoom could not take the change now (%(error)s). HERP tries again by itself after %(when)s.")
        return FixResult(FixLevel.ERROR, message % values, diagnosis)
    if row.status in (ZoomMeeting.Status.FAILED, ZoomMeeting.Status.NEEDS_ATTENTION):
        return FixResult(
            FixLevel.ERROR,
            _("Zoom refused the change: %(error)s The interview's page offers Retry.") % {"error": row.last_error},
            diagnosis,
        )
    return FixResult(FixLevel.INFO, _("The settings are on their way to Zoom. Check again in a moment."), diagnosis)
