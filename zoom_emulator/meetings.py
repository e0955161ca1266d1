"""Zoom's meeting rules: account settings and locks, passcodes, the effective settings Zoom applies, the
per-host daily limit, and the meeting payloads. The API views (api/meetings.py) and the admin page call
these, and so may tests, to put Zoom in a state without HTTP: ``set_policy``, ``set_daily_limit``,
``set_user_settings``, ``set_hosting_allowed``, ``meetings_of``, ``get_meeting``, ``mark_started``; and what
a host does on the web portal's Meetings page, events included: ``portal_delete``, ``portal_reschedule``,
``portal_change_settings``.

Reference: NOTES.md sections 5-7. Where Zoom's behaviour is undocumented the choice is written in
README.md ("Meetings").
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zoom_emulator import meeting_events, openapi, participants
from zoom_emulator.accounts import get_account, get_user
from zoom_emulator.api.base import ApiError, zoom_time
from zoom_emulator.ids import DB
from zoom_emulator.models import Account, Meeting, MeetingCounter, MeetingPolicy, User

# The user-level settings a user may set for themselves while the account leaves them unlocked.
USER_SETTINGS = ("waiting_room", "join_before_host", "embed_password_in_join_link", "require_password")
POLICY_FIELDS = tuple(
    f.name for f in MeetingPolicy._meta.get_fields() if f.concrete and f.name not in ("id", "account")
)
PASSWORD_MAX = 10
# Zoom: "Passcode may only contain the following characters: [a-z A-Z 0-9 @ - _ *]".
PASSWORD_CHARS = re.compile(r"^[A-Za-z0-9@_*-]+$")
DAILY_LIMIT_MESSAGE = (
    "You have exceeded the daily rate limit ({limit}) of Meeting Create/Update API requests permitted for this "
    "particular user. You may resume these requests at GMT 00:00:00."
)
# What a meeting's settings hold when the request says nothing (the spec's defaults).
BASE_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "cn_meeting": False,
    "in_meeting": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "audio": "both",
    "auto_recording": "none",
    "enforce_login": False,
    "enforce_login_domains": "",
    "alternative_hosts": "",
    "alternative_hosts_email_notification": True,
    "close_registration": False,
    "show_share_button": False,
    "allow_multiple_devices": False,
    "registrants_confirmation_email": True,
    "request_permission_to_unmute_participants": False,
    "registrants_email_notification": True,
    "meeting_authentication": False,
    "encryption_type": "enhanced_encryption",
    "approved_or_denied_countries_or_regions": {"enable": False},
    "breakout_room": {"enable": False},
    "participant_focused_meeting": False,
    "email_notification": True,
    "device_testing": False,
    "focus_mode": False,
    "private_meeting": False,
    "internal_meeting": False,
    "continuous_meeting_chat": {"enable": False},
    "push_change_to_calendar": False,
}
LIST_TYPES = ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings")
MAX_PAGE_SIZE = 300
MAX_DURATION = 2**31 - 1


class DailyLimitExceeded(Exception):
    def __init__(self, limit: int, retry_at: datetime | None) -> None:
        super().__init__(DAILY_LIMIT_MESSAGE.format(limit=limit))
        self.limit = limit
        self.retry_at = retry_at


def invalid(field: str, detail: str) -> ApiError:
    """Zoom's validation refusal: 400 code 300, naming the field."""
    return ApiError(400, 300, f"Validation Failed. Invalid field: {field} ({detail}).")


# ----------------------------------------------------------------------------- settings and locks


def policy_for(account: Account | str) -> MeetingPolicy:
    account = get_account(account)
    try:
        return account.meeting_policy
    except MeetingPolicy.DoesNotExist:
        pass
    try:
        with transaction.atomic(using=DB):
            return MeetingPolicy.objects.create(account=account)
    except IntegrityError:
        # Two first requests raced to create the defaults; either row is the same.
        return MeetingPolicy.objects.get(account=account)


def set_policy(account: Account | str, **values: Any) -> MeetingPolicy:
    """Change an account's meeting settings or locks, e.g. ``set_policy("demo", waiting_room=True,
    waiting_room_locked=True)`` (waiting room forced on) or ``join_before_host=False,
    join_before_host_locked=True`` (join before host locked off)."""
    policy = policy_for(account)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown meeting setting(s): {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        setattr(policy, name, value)
    if not 1 <= policy.password_min_length <= PASSWORD_MAX:
        raise ValueError(f"The minimum passcode length must be between 1 and {PASSWORD_MAX}.")
    if not 0 <= policy.daily_limit <= 1_000_000:
        raise ValueError("The daily limit must be between 0 and 1,000,000.")
    if policy.password_only_numeric and policy.password_have_letter:
        raise ValueError("A passcode cannot be both numbers only and require a letter.")
    policy.save()
    return policy


def set_daily_limit(limit: int, account: Account | str | None = None) -> None:
    """The per-host daily create+update limit of one account, or of every account when ``account`` is None."""
    targets = [get_account(account)] if account is not None else list(Account.objects.all())
    for target in targets:
        set_policy(target, daily_limit=limit)


def set_user_settings(user: User | str, **values: bool | None) -> User:
    """A user's own values for unlocked settings (``USER_SETTINGS``); None removes an override."""
    user = get_user(user)
    unknown = set(values) - set(USER_SETTINGS)
    if unknown:
        raise ValueError(f"Unknown user setting(s): {', '.join(sorted(unknown))}.")
    overrides = dict(user.setting_overrides or {})
    for name, value in values.items():
        if value is None:
            overrides.pop(name, None)
        else:
            overrides[name] = bool(value)
    user.setting_overrides = overrides
    user.save(update_fields=["setting_overrides"])
    return user


def set_hosting_allowed(user: User | str, allowed: bool = True) -> User:
    user = get_user(user)
    user.hosting_allowed = allowed
    user.save(update_fields=["hosting_allowed"])
    return user


def effective(user: User, name: str, policy: MeetingPolicy | None = None) -> bool:
    """A user's value of a setting: the account's when locked, else the user's own, else the account's."""
    policy = policy or policy_for(user.account)
    if getattr(policy, f"{name}_locked"):
        return bool(getattr(policy, name))
    overrides = user.setting_overrides or {}
    if name in overrides:
        return bool(overrides[name])
    return bool(getattr(policy, name))


def password_requirement(policy: MeetingPolicy) -> dict[str, Any]:
    return {
        "length": policy.password_min_length,
        "have_letter": policy.password_have_letter,
        "have_number": policy.password_have_number,
        "have_special_character": False,
        "only_allow_numeric": policy.password_only_numeric,
        "have_upper_and_lower_characters": False,
        "consecutive_characters_length": 0,
        "weak_enhance_detection": False,
    }


def user_settings_payload(user: User) -> dict[str, Any]:
    """``GET /users/{userId}/settings``, the parts a meeting client reads (Zoom's object is far larger)."""
    policy = policy_for(user.account)
    waiting_room = effective(user, "waiting_room", policy)
    jbh = effective(user, "join_before_host", policy)
    embed = effective(user, "embed_password_in_join_link", policy)
    require = effective(user, "require_password", policy)
    requirement = password_requirement(policy)
    return {
        "schedule_meeting": {
            "host_video": False,
            "participants_video": False,
            "audio_type": "both",
            "join_before_host": jbh,
            "force_pmi_jbh_password": False,
            "use_pmi_for_scheduled_meetings": False,
            "use_pmi_for_instant_meetings": False,
            "require_password_for_scheduling_new_meetings": require,
            "require_password_for_scheduled_meetings": require,
            "require_password_for_instant_meetings": require,
            "require_password_for_pmi_meetings": "all" if require else "none",
            "embed_password_in_join_link": embed,
            "meeting_password_requirement": requirement,
            "mute_upon_entry": False,
            "personal_meeting": True,
        },
        "in_meeting": {
            "waiting_room": waiting_room,
            "e2e_encryption": False,
            "chat": True,
            "screen_sharing": True,
            "breakout_room": False,
        },
        "meeting_security": {
            "auto_security": policy.require_security_option,
            "waiting_room": waiting_room,
            "embed_password_in_join_link": embed,
            "require_password_for_scheduled_meeting": require,
            "require_password_for_instant_meeting": require,
            "meeting_password": require,
            "meeting_password_requirement": requirement,
            "only_authenticated_can_join_from_webclient": False,
            "phone_password": False,
            "pmi_password": False,
            "encryption_type": "enhanced_encryption",
        },
        "feature": {"meeting_capacity": 100, "large_meeting": False, "webinar": False},
    }


# ------------------------------------------------------------------------------------- passcodes


def password_problem(policy: MeetingPolicy, password: str) -> str | None:
    """Why a passcode breaks the account's rules, or None."""
    if len(password) > PASSWORD_MAX:
        return f"a passcode has at most {PASSWORD_MAX} characters"
    if not PASSWORD_CHARS.match(password):
        return "a passcode may only contain letters, digits and @ - _ *"
    if len(password) < policy.password_min_length:
        return f"a passcode has at least {policy.password_min_length} characters"
    if policy.password_only_numeric and not password.isdigit():
        return "a passcode may only contain digits"
    if policy.password_have_letter and not any(c.isalpha() for c in password):
        return "a passcode must contain a letter"
    if policy.password_have_number and not any(c.isdigit() for c in password):
        return "a passcode must contain a digit"
    return None


def generate_password(policy: MeetingPolicy) -> str:
    """A passcode that satisfies the account's rules, as Zoom makes for ``default_password``."""
    length = min(PASSWORD_MAX, max(policy.password_min_length, 6))
    if policy.password_only_numeric:
        return "".join(secrets.choice(string.digits) for _ in range(length))
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        # Always one of each, so "letters and digits" rules hold whichever are on.
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate


def _encrypt(password: str) -> str:
    # Zoom's pwd is opaque (the raw passcode cannot be derived from it): random, 32 characters, ".1".
    if not password:
        return ""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32)) + ".1"


# ------------------------------------------------------------------------------------ daily limit


def utc_day(moment: datetime | None = None) -> date:
    return (moment or timezone.now()).astimezone(UTC).date()


def next_reset(moment: datetime | None = None) -> datetime:
    return datetime.combine(utc_day(moment) + timedelta(days=1), time(0, 0), tzinfo=UTC)


def writes_today(host: User | str) -> int:
    counter = MeetingCounter.objects.filter(host=get_user(host), day=utc_day()).first()
    return counter.count if counter else 0


@contextmanager
def daily_write(host: User) -> Iterator[None]:
    """Run one create or update under the host's daily limit: refuse when it is used up; count the write
    only when it succeeds (the block raising rolls both back). The row lock keeps the count exact."""
    policy = policy_for(host.account)
    day = utc_day()
    with transaction.atomic(using=DB):
        counter, _ = MeetingCounter.objects.select_for_update().get_or_create(host=host, day=day)
        if counter.count >= policy.daily_limit:
            raise DailyLimitExceeded(policy.daily_limit, None if policy.omit_retry_after else next_reset())
        yield
        MeetingCounter.objects.filter(pk=counter.pk).update(count=counter.count + 1)


# ---------------------------------------------------------------------------------- meeting writes


@dataclass(frozen=True)
class Schedule:
    start_time: datetime | None
    timezone: str


def _parse_timezone(value: Any, fallback: str) -> str:
    if value in (None, ""):
        return fallback
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name like "America" is a directory of the zone database, not a zone.
        raise invalid("timezone", f"unknown time zone {str(value)[:64]!r}") from None
    return value


def _parse_start(value: str, zone: str) -> datetime:
    """Zoom's two forms: ``yyyy-MM-ddTHH:mm:ssZ`` (GMT) or local ``yyyy-MM-ddTHH:mm:ss`` in ``timezone``;
    an explicit offset is accepted too."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid("start_time", "expected yyyy-MM-ddTHH:mm:ssZ") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    try:
        return moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        # Year 1 with a positive offset, or year 9999 with a negative one, falls off the calendar.
        raise invalid("start_time", "out of range") from None


def _duration(value: int) -> int:
    # The spec only says "integer"; the column's range is the emulator's limit, so no value can fail a save.
    if not 0 <= value <= MAX_DURATION:
        raise invalid("duration", f"must be between 0 and {MAX_DURATION} minutes")
    return value


def _alternative_hosts(host: User, value: str) -> str:
    """``a@x;b@y`` (commas too) → e-mails of active users of the host's account; anyone else → 1115."""
    if not value.strip():
        return ""
    emails: list[str] = []
    for ref in re.split(r"[;,]", value):
        ref = ref.strip()
        if not ref:
            continue
        found = (
            User.objects.filter(account=host.account, status=User.Status.ACTIVE).filter(email__iexact=ref).first()
            or User.objects.filter(account=host.account, status=User.Status.ACTIVE, user_id=ref).first()
        )
        if found is None:
            raise ApiError(400, 1115, f"Alternative host {ref[:254]} does not belong to this account.")
        # Zoom leaves the host out of their own meeting's alternative hosts.
        if found.pk != host.pk and found.email not in emails:
            emails.append(found.email)
    return ";".join(emails)


def _apply_rules(host: User, settings: dict[str, Any], *, has_password: bool) -> dict[str, Any]:
    """What Zoom makes of the asked-for settings: locks win, the waiting room turns join before host off,
    and an account requiring one security option gets a waiting room when nothing else secures it."""
    policy = policy_for(host.account)
    if policy.waiting_room_locked:
        settings["waiting_room"] = policy.waiting_room
    if policy.join_before_host_locked:
        settings["join_before_host"] = policy.join_before_host
    if (
        policy.require_security_option
        and not has_password
        and not settings.get("waiting_room")
        and not settings.get("meeting_authentication")
    ):
        settings["waiting_room"] = True
    if settings.get("waiting_room"):
        settings["join_before_host"] = False
    return settings


def _choose_password(host: User, body: dict[str, Any], current: str | None) -> str:
    """The passcode Zoom stores: the one asked for (checked against the rules), a generated one, or none."""
    policy = policy_for(host.account)
    asked = body.get("password")
    if asked:
        problem = password_problem(policy, asked)
        if problem:
            raise ApiError(400, 300, f"Invalid password: {problem}.")
        return asked
    required = effective(host, "require_password", policy)
    if current is not None and "password" not in body:
        # An update that does not mention the passcode keeps it.
        return current
    wants_default = body.get("default_password")
    if policy.require_password_locked and policy.require_password:
        # Locked requirement: a passcode is always generated, even with default_password false.
        return current or generate_password(policy)
    if wants_default is True or (wants_default is None and required and current is None):
        return generate_password(policy)
    return ""


def _new_ids() -> tuple[int, str]:
    # 11 digits: Zoom's meeting numbers are 64-bit and "can be greater than 10 digits".
    meeting_id = 10**10 + secrets.randbelow(9 * 10**10)
    return meeting_id, base64.b64encode(secrets.token_bytes(16)).decode()


def create_meeting(host: User, body: dict[str, Any]) -> Meeting:
    """Make a meeting from a spec-valid create body (``POST /users/{userId}/meetings``)."""
    policy = policy_for(host.account)
    zone = _parse_timezone(body.get("timezone"), host.timezone)
    meeting_type = body.get("type", 2)
    start = _parse_start(body["start_time"], zone) if body.get("start_time") else None
    if meeting_type == 1 or start is None:
        # An instant meeting, or a scheduled one without a time (Zoom: it behaves as instant), starts now.
        start = timezone.now().replace(microsecond=0)
    duration = _duration(body.get("duration", 60))
    password = _choose_password(host, body, None)
    requested = dict(body.get("settings") or {})
    settings = {
        **BASE_SETTINGS,
        "join_before_host": effective(host, "join_before_host", policy),
        "waiting_room": effective(host, "waiting_room", policy),
        **requested,
    }
    settings["alternative_hosts"] = _alternative_hosts(host, str(settings.get("alternative_hosts") or ""))
    settings = _apply_rules(host, settings, has_password=bool(password))
    now = timezone.now()
    for _ in range(5):
        meeting_id, uuid = _new_ids()
        try:
            with transaction.atomic(using=DB):
                return Meeting.objects.create(
                    meeting_id=meeting_id,
                    uuid=uuid,
                    host=host,
                    topic=body.get("topic", ""),
                    type=meeting_type,
                    start_time=start,
                    duration=duration,
                    timezone=zone,
                    agenda=body.get("agenda", ""),
                    password=password,
                    encrypted_password=_encrypt(password),
                    embed_password=effective(host, "embed_password_in_join_link", policy),
                    settings=settings,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            continue  # an id collision: draw again
    raise ApiError(500, 500, "Could not allocate a meeting id.")


def update_meeting(
    meeting: Meeting, body: dict[str, Any], *, operator: User | None = None, origin: str | None = None
) -> Meeting:
    """Apply a spec-valid PATCH body. A past or omitted ``start_time`` leaves the start as it was.

    Whatever changed is told to the host's apps as ``meeting.updated`` (operator: ``operator``, by default
    the host), in the same transaction; a body that changes nothing sends nothing. ``origin`` is where
    ``join_url`` points (the caller's host; by default ``SITE_URL``)."""
    origin = origin or django_settings.SITE_URL
    before = snapshot(meeting, origin)
    _apply_update(meeting, body)
    # The transaction starts with the write: on SQLite, one that reads first and then writes fails at once
    # ("database is locked") while a delivery thread writes.
    with transaction.atomic(using=DB):
        meeting.save()
        meeting_events.send_updated(meeting, operator or meeting.host, before, snapshot(meeting, origin))
    return meeting


def _apply_update(meeting: Meeting, body: dict[str, Any]) -> None:
    """Set the PATCH body's changes on the row (unsaved), by Zoom's rules."""
    host = meeting.host
    policy = policy_for(host.account)
    zone = _parse_timezone(body.get("timezone"), meeting.timezone or host.timezone)
    if body.get("start_time"):
        start = _parse_start(body["start_time"], zone)
        if start >= timezone.now():
            meeting.start_time = start
    meeting.timezone = zone
    for field in ("topic", "agenda", "type"):
        if field in body:
            setattr(meeting, field, body[field])
    if "duration" in body:
        meeting.duration = _duration(body["duration"])
    password = _choose_password(host, body, meeting.password)
    if password != meeting.password:
        meeting.password = password
        meeting.encrypted_password = _encrypt(password)
    settings = {**meeting.settings, **(body.get("settings") or {})}
    if "alternative_hosts" in (body.get("settings") or {}):
        settings["alternative_hosts"] = _alternative_hosts(host, str(settings.get("alternative_hosts") or ""))
    meeting.settings = _apply_rules(host, settings, has_password=bool(meeting.password))
    meeting.embed_password = effective(host, "embed_password_in_join_link", policy)
    meeting.updated_at = timezone.now()


def delete_meeting(meeting: Meeting, *, operator: User | None = None) -> None:
    """Delete (keep the row, mark it) and tell the host's apps ``meeting.deleted`` in the same transaction."""
    with transaction.atomic(using=DB):
        meeting.deleted_at = timezone.now()
        meeting.save(update_fields=["deleted_at"])
        start = zoom_time(meeting.start_time or meeting.created_at)
        meeting_events.send_deleted(meeting, operator or meeting.host, start)


def snapshot(meeting: Meeting, origin: str) -> dict[str, Any]:
    """The fields a ``meeting.updated`` compares, as the API answers them."""
    return {
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": zoom_time(meeting.start_time or meeting.created_at),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "join_url": join_url(meeting, origin),
        "password": meeting.password,
        "agenda": meeting.agenda,
        "settings": copy.deepcopy(meeting.settings),
    }


# ------------------------------------------------------------------------------------- web portal


class PortalError(ValueError):
    """What Zoom's web portal would refuse with a message (a time in the past, an unknown alternative host)."""


# What the portal's Meetings page changes; the helpers accept any key of a meeting's settings.
PORTAL_SETTINGS = ("waiting_room", "join_before_host", "alternative_hosts")
PORTAL_MAX_DURATION = 24 * 60


def portal_delete(meeting: Meeting | int, *, by: User | str | None = None) -> Meeting:
    """The host deletes the meeting on Zoom's web portal (Meetings › Delete): ``meeting.deleted`` goes to
    the host's apps, operator ``by`` (default: the host)."""
    found = _portal_meeting(meeting)
    delete_meeting(found, operator=_operator(found, by))
    return found


def portal_reschedule(
    meeting: Meeting | int,
    start: datetime | str,
    duration: int | None = None,
    *,
    by: User | str | None = None,
    origin: str | None = None,
) -> Meeting:
    """The host moves the meeting on the web portal (Meetings › Edit › Save): a new start (an aware
    datetime, a naive one read in the meeting's time zone, or Zoom's ``yyyy-MM-ddTHH:mm:ss[Z]``) and
    optionally a new duration in minutes. Sends ``meeting.updated`` with what changed."""
    return portal_edit(meeting, start=start, duration=duration, by=by, origin=origin)


def portal_change_settings(
    meeting: Meeting | int, *, by: User | str | None = None, origin: str | None = None, **changes: Any
) -> Meeting:
    """The host changes the meeting's settings on the web portal, e.g. ``waiting_room=True``,
    ``join_before_host=False``, ``alternative_hosts="a@x;b@y"`` (any key of a meeting's settings, with the
    spec's types). Zoom's rules then apply as on a PATCH (locks win, a waiting room turns join before host
    off), and ``meeting.updated`` carries the settings that changed."""
    return portal_edit(meeting, settings=changes, by=by, origin=origin)


def portal_edit(
    meeting: Meeting | int,
    *,
    start: datetime | str | None = None,
    duration: int | None = None,
    settings: dict[str, Any] | None = None,
    by: User | str | None = None,
    origin: str | None = None,
) -> Meeting:
    """One Save on the portal's edit page: whatever of start, duration and settings is given, applied as
    one change, so one ``meeting.updated`` carries all that changed (none when nothing did). Raises
    ``PortalError`` (and changes nothing) for a new start in the past, a duration outside 1-1440 minutes,
    an unknown setting or one of the wrong type, or an alternative host outside the host's account.
    Returns the meeting as it now is (read afresh)."""
    found = _portal_meeting(meeting)
    body: dict[str, Any] = {}
    if start is not None:
        moment = _portal_start(found, start)
        if moment != found.start_time:
            if moment < timezone.now():
                raise PortalError("Choose a time in the future: a meeting cannot be moved into the past.")
            body["start_time"] = zoom_time(moment)
    if duration is not None:
        if not 1 <= duration <= PORTAL_MAX_DURATION:
            raise PortalError(f"The duration must be between 1 and {PORTAL_MAX_DURATION} minutes.")
        body["duration"] = duration
    if settings:
        unknown = set(settings) - set(BASE_SETTINGS) - {"waiting_room", "join_before_host"}
        if unknown:
            raise PortalError(f"Unknown meeting setting(s): {', '.join(sorted(unknown))}.")
        body["settings"] = dict(settings)
    problem = openapi.first_error(openapi.UPDATE_BODY, body)
    if problem is not None:
        raise PortalError(f"Invalid {problem[0]}: {problem[1]}.")
    try:
        update_meeting(found, body, operator=_operator(found, by), origin=origin)
    except ApiError as exc:
        # 1115: an alternative host outside the host's account, refused as on the API.
        raise PortalError(exc.message) from None
    return found


def _portal_start(meeting: Meeting, start: datetime | str) -> datetime:
    zone = meeting.timezone or meeting.host.timezone
    if isinstance(start, str):
        try:
            return _parse_start(start, zone)
        except ApiError:
            raise PortalError(f"Not a date and time: {start[:40]!r}.") from None
    moment = start if start.tzinfo is not None else start.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC).replace(microsecond=0)


def _portal_meeting(meeting: Meeting | int) -> Meeting:
    # Read afresh: the caller's row may be stale (deleted since, or changed by the API).
    found = get_meeting(meeting.meeting_id if isinstance(meeting, Meeting) else meeting)
    if found is None:
        raise PortalError(f"No meeting {getattr(meeting, 'meeting_id', meeting)!r} (deleted?).")
    return found


def _operator(meeting: Meeting, by: User | str | None) -> User:
    return meeting.host if by is None else get_user(by)


# ------------------------------------------------------------------------------------- lookups


def get_meeting(meeting_id: int | str, *, include_deleted: bool = False) -> Meeting | None:
    try:
        number = int(meeting_id)
    except (TypeError, ValueError):
        return None
    if not 0 < number < 2**63:
        return None
    queryset = Meeting.objects.select_related("host__account").filter(meeting_id=number)
    if not include_deleted:
        queryset = queryset.filter(deleted_at__isnull=True)
    return queryset.first()


def meetings_of(user: User | str, *, include_deleted: bool = False) -> list[Meeting]:
    queryset = Meeting.objects.filter(host=get_user(user)).order_by("start_time", "pk")
    if not include_deleted:
        queryset = queryset.filter(deleted_at__isnull=True)
    return list(queryset)


def mark_started(meeting: Meeting | int) -> Meeting:
    """The host started the meeting (what opening ``start_url`` does): ``participants.host_join``, with
    its events. Returns the meeting as it now is."""
    found = meeting if isinstance(meeting, Meeting) else get_meeting(meeting)
    if found is None:
        raise ValueError(f"No meeting {meeting!r}.")
    visit = participants.host_join(found)
    return visit.meeting


def end_time(meeting: Meeting) -> datetime:
    return (meeting.start_time or meeting.created_at) + timedelta(minutes=meeting.duration)


def listed(user: User, kind: str, now: datetime | None = None) -> list[Meeting]:
    now = now or timezone.now()
    meetings = meetings_of(user)
    if kind == "live":
        return [m for m in meetings if m.started_at is not None]
    if kind in ("upcoming", "upcoming_meetings"):
        return [m for m in meetings if end_time(m) >= now]
    if kind == "previous_meetings":
        return [m for m in meetings if end_time(m) < now]
    return meetings


# ------------------------------------------------------------------------------------- payloads


def join_url(meeting: Meeting, origin: str) -> str:
    url = origin.rstrip("/") + reverse("zoom_emulator:join", args=[meeting.meeting_id])
    if meeting.embed_password and meeting.encrypted_password:
        url += f"?pwd={meeting.encrypted_password}"
    return url


def start_url(meeting: Meeting, origin: str) -> str:
    """A fresh ``?zak=`` each time, as Zoom's start_url (valid for two hours) is re-issued on every read."""
    meeting.zak = secrets.token_urlsafe(48)
    meeting.save(update_fields=["zak"])
    return origin.rstrip("/") + reverse("zoom_emulator:start", args=[meeting.meeting_id]) + f"?zak={meeting.zak}"


def meeting_payload(meeting: Meeting, origin: str) -> dict[str, Any]:
    """The create (201) and get (200) answer."""
    host = meeting.host
    return {
        "uuid": meeting.uuid,
        "id": meeting.meeting_id,
        "host_id": host.user_id,
        "host_email": host.email,
        "assistant_id": "",
        "topic": meeting.topic,
        "type": meeting.type,
        "status": "started" if meeting.started_at else "waiting",
        "start_time": zoom_time(meeting.start_time or meeting.created_at),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "created_at": zoom_time(meeting.created_at),
        "start_url": start_url(meeting, origin),
        "join_url": join_url(meeting, origin),
        "password": meeting.password,
        "h323_password": meeting.password if meeting.password.isdigit() else "",
        "pstn_password": meeting.password if meeting.password.isdigit() else "",
        "encrypted_password": meeting.encrypted_password,
        "settings": meeting.settings,
        "pre_schedule": False,
        "creation_source": "open_api",
    }


def list_item(meeting: Meeting, origin: str) -> dict[str, Any]:
    return {
        "uuid": meeting.uuid,
        "id": meeting.meeting_id,
        "host_id": meeting.host.user_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": zoom_time(meeting.start_time or meeting.created_at),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "created_at": zoom_time(meeting.created_at),
        "join_url": join_url(meeting, origin),
    }


def guest_outcome(meeting: Meeting, pwd: str = "", now: datetime | None = None) -> str:
    """What a guest opening the join URL meets: ``passcode`` (asked for it), ``waiting_room``,
    ``waiting_for_host``, or ``joined``."""
    now = now or timezone.now()
    if meeting.password and pwd != meeting.encrypted_password:
        return "passcode"
    if meeting.settings.get("waiting_room"):
        return "waiting_room"
    if meeting.started_at:
        return "joined"
    if not meeting.settings.get("join_before_host"):
        return "waiting_for_host"
    jbh_minutes = int(meeting.settings.get("jbh_time") or 0)
    if jbh_minutes and meeting.start_time and now < meeting.start_time - timedelta(minutes=jbh_minutes):
        return "waiting_for_host"
    return "joined"
