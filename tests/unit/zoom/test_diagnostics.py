"""The "Guests see 'waiting for host'?" check and "Fix what we can" against the fake Zoom: each line
passing and failing, read with the host's token; Zoom's failures as readable messages; the fix's PATCH,
its re-read, and a lock that keeps a line failing."""

from __future__ import annotations

import pytest
from django.utils import translation

from integrations.models import ZoomGrant
from integrations.zoom_api.client import ZoomUserSettings
from tests import flows
from tests.helpers import in_days
from zoom.diagnostics import Check, CheckStatus, FixLevel, meeting_diagnose, meeting_fix
from zoom.meetings.bodies import MeetingWarning
from zoom.models import ZoomMeeting

DAILY_LIMIT = {
    "code": 429,
    "message": "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for "
    "this particular user. You may resume these requests at GMT 00:00:00.",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def token_of(user) -> str:
    return f"access-{user.pk}"


@pytest.fixture
def interview(company, connected, alice, bob, zoom, django_capture_on_commit_callbacks):
    """Alice hosts (smallest link id), Bob is the alternative host."""

    def make(participants=None):
        return flows.create(
            django_capture_on_commit_callbacks, company, alice, participants=participants or [alice, bob]
        )

    return make


def status_of(diagnosis) -> dict[str, str]:
    return {line.check: line.status for line in diagnosis.lines}


# --- Every line passing ---------------------------------------------------------------------------------------


def test_every_line_passes_for_the_host_of_a_guest_friendly_meeting(interview, alice, zoom):
    meeting = interview().meeting
    zoom.calls.clear()

    diagnosis = meeting_diagnose(meeting=meeting, viewer=alice)

    assert status_of(diagnosis) == dict.fromkeys(Check, CheckStatus.PASSED)
    assert diagnosis.all_passed
    assert diagnosis.error == ""
    assert not diagnosis.offers_fix
    # Read now, both with the HOST's own token.
    get_meeting, get_settings = zoom.calls
    assert (get_meeting.method, get_meeting.path) == ("GET", f"/meetings/{meeting.zoom_meeting_id}")
    assert (get_settings.method, get_settings.path) == ("GET", "/users/me/settings")
    assert get_meeting.token == get_settings.token == token_of(alice)
    host = diagnosis.line(Check.HOST)
    assert alice.zoom_user.email in host.finding
    assert f"sign in to Zoom as {alice.zoom_user.email}" in host.remedy


def test_the_check_uses_the_hosts_token_even_when_another_participant_asks(interview, bob, alice, zoom):
    meeting = interview().meeting
    zoom.calls.clear()

    meeting_diagnose(meeting=meeting, viewer=bob)

    assert {call.token for call in zoom.calls} == {token_of(alice)}


# --- Each line failing ----------------------------------------------------------------------------------------


def test_a_participant_who_is_not_the_host_is_told_who_hosts_and_how_to_start(interview, bob, alice):
    meeting = interview().meeting

    line = meeting_diagnose(meeting=meeting, viewer=bob).line(Check.HOST)

    assert line.status == CheckStatus.FAILED
    assert "Alice hosts this meeting" in line.finding
    assert bob.zoom_user.email in line.finding
    assert "You are an alternative host" in line.finding
    assert f"sign in to Zoom with the linked user {alice.zoom_user.email}" in line.remedy
    assert line.who == "The host, Alice."
    assert not line.fixable


def test_someone_without_a_zoom_link_is_told_so_and_who_hosts(interview, person, alice):
    meeting = interview().meeting
    carol = person("Carol")

    line = meeting_diagnose(meeting=meeting, viewer=carol).line(Check.HOST)

    assert line.status == CheckStatus.FAILED
    assert line.finding.startswith("You have not linked a Zoom user. Alice hosts")
    assert alice.zoom_user.email in line.remedy


def test_the_installer_hosting_as_fallback_is_the_host(
    company, connected, installer, person, zoom, django_capture_on_commit_callbacks
):
    # Nobody linked: the person who connected Zoom hosts with the connection's Zoom user.
    zoom.host_ids[f"inst-{company.pk}"] = connected.grant.zoom_user_id
    carol = person("Carol")
    meeting = flows.create(django_capture_on_commit_callbacks, company, carol, participants=[carol]).meeting

    assert meeting_diagnose(meeting=meeting, viewer=installer).line(Check.HOST).status == CheckStatus.PASSED
    assert meeting_diagnose(meeting=meeting, viewer=carol).line(Check.HOST).status == CheckStatus.FAILED


def test_a_waiting_room_that_zoom_kept_on_fails_with_its_remedy(interview, alice, zoom):
    # Zoom's waiting room also turns join before host off (zoom/NOTES.md section 7).
    zoom.forced_settings = {"waiting_room": True, "join_before_host": False}
    meeting = interview().meeting

    diagnosis = meeting_diagnose(meeting=meeting, viewer=alice)

    line = diagnosis.line(Check.WAITING_ROOM)
    assert line.status == CheckStatus.FAILED
    assert "guests wait until the host lets them in" in line.finding
    assert "It is on in the host's Zoom settings too." in line.finding
    assert "Turn off “Waiting room” in Zoom" in line.remedy
    assert "If the setting is greyed out, a Zoom admin must change it." in line.remedy
    assert "a Zoom admin" in line.who
    assert line.fixable
    jbh = diagnosis.line(Check.JOIN_BEFORE_HOST)
    assert jbh.status == CheckStatus.FAILED
    assert "A waiting room turns it off as well" in jbh.finding
    assert diagnosis.offers_fix


def test_join_before_host_kept_off_fails_and_says_a_lock_overrides_us(interview, alice, zoom):
    zoom.forced_settings = {"join_before_host": False}
    meeting = interview().meeting

    diagnosis = meeting_diagnose(meeting=meeting, viewer=alice)

    assert status_of(diagnosis) == {
        Check.HOST: CheckStatus.PASSED,
        Check.WAITING_ROOM: CheckStatus.PASSED,
        Check.PASSCODE_IN_URL: CheckStatus.PASSED,
        Check.JOIN_BEFORE_HOST: CheckStatus.FAILED,
        Check.ALTERNATIVE_HOSTS: CheckStatus.PASSED,
    }
    line = diagnosis.line(Check.JOIN_BEFORE_HOST)
    assert "It is off in the host's Zoom settings too." in line.finding
    assert "Turn on “Allow participants to join before host”" in line.remedy
    assert "a lock overrides us" in line.remedy


def test_a_url_without_the_passcode_fails_and_names_the_zoom_admin(interview, alice, zoom):
    zoom.embed_passcode = False
    meeting = interview().meeting

    line = meeting_diagnose(meeting=meeting, viewer=alice).line(Check.PASSCODE_IN_URL)

    assert line.status == CheckStatus.FAILED
    assert "guests must type it" in line.finding
    assert "“Embed passcode in invite link for one-click join” is off" in line.finding
    assert "A Zoom admin turns on “Embed passcode in invite link for one-click join”" in line.remedy
    assert line.who == "A Zoom admin of your company's account."


def test_a_meeting_only_the_host_can_start_asks_for_a_linked_participant(interview, alice):
    meeting = interview(participants=[alice]).meeting

    line = meeting_diagnose(meeting=meeting, viewer=alice).line(Check.ALTERNATIVE_HOSTS)

    assert line.status == CheckStatus.FAILED
    assert "only the host can start" in line.finding
    assert "Add another participant who has linked Zoom" in line.remedy
    assert not line.fixable  # sending again changes nothing: the schedule must change


def test_alternative_hosts_zoom_refused_fail_with_the_zoom_admins_remedy(interview, alice, bob, zoom):
    zoom.reject_alternative_hosts = True
    meeting = interview().meeting
    assert meeting.warnings == [MeetingWarning.ALTERNATIVE_HOSTS_REJECTED]

    line = meeting_diagnose(meeting=meeting, viewer=alice).line(Check.ALTERNATIVE_HOSTS)

    assert line.status == CheckStatus.FAILED
    assert bob.zoom_user.email in line.finding
    assert "Admin › User Management › Users" in line.remedy
    assert line.fixable


def test_the_check_reads_zoom_now_not_the_stored_warnings(interview, alice, zoom):
    meeting = interview().meeting
    assert meeting.warnings == []
    # Someone turned the waiting room on in Zoom after we made the meeting.
    zoom.meetings[meeting.zoom_meeting_id]["settings"]["waiting_room"] = True

    assert meeting_diagnose(meeting=meeting, viewer=alice).line(Check.WAITING_ROOM).status == CheckStatus.FAILED


def test_support_staff_get_who_hosts_instead_of_you(interview, alice):
    meeting = interview().meeting

    line = meeting_diagnose(meeting=meeting, viewer=None).line(Check.HOST)

    assert line.status == CheckStatus.PASSED
    assert line.title == "Who hosts"
    assert f"Alice hosts this meeting with the linked Zoom user {alice.zoom_user.email}" in line.finding


# --- Zoom's failures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (503, {"code": 503, "message": "Service Unavailable"}, {}, "Zoom did not answer in time."),
        (0, {}, {}, "Zoom did not answer in time."),  # a timeout
        (429, {"code": 429, "message": "Too many requests."}, {}, "Zoom asks us to slow down."),
        (404, {"code": 3001, "message": "Meeting does not exist."}, {}, "Zoom has no such meeting any more"),
        (400, {"code": 4711, "message": "Invalid access token, does not contain scopes."}, {}, "lacks a permission"),
        (400, {"code": 300, "message": "Something odd."}, {}, "Zoom refused the request: Zoom refused GET"),
    ],
)
def test_zoom_errors_become_a_readable_message_and_unknown_lines(
    interview, alice, zoom, status, body, headers, expected
):
    meeting = interview().meeting
    zoom.fail_next("GET", "/meetings/", status, body, **headers)

    diagnosis = meeting_diagnose(meeting=meeting, viewer=alice)

    assert expected in diagnosis.error
    assert "access-" not in diagnosis.error  # never a token
    statuses = status_of(diagnosis)
    assert statuses.pop(Check.HOST) == CheckStatus.PASSED  # from our own records
    assert set(statuses.values()) == {CheckStatus.UNKNOWN}
    assert not diagnosis.offers_fix
    assert diagnosis.line(Check.WAITING_ROOM).finding == "Zoom could not be asked (see above)."


def test_a_revoked_host_grant_says_who_must_link_again(interview, alice, zoom):
    meeting = interview().meeting
    ZoomGrant.objects.filter(pk=meeting.host_grant_id).update(status=ZoomGrant.Status.REVOKED)
    zoom.calls.clear()

    diagnosis = meeting_diagnose(meeting=meeting, viewer=alice)

    assert "The host links Zoom again in External service accounts" in diagnosis.error
    assert zoom.calls == []


def test_unreadable_host_settings_leave_the_meetings_lines_standing(interview, alice, zoom):
    zoom.forced_settings = {"waiting_room": True}
    meeting = interview().meeting
    zoom.fail_next("GET", "/users/me/settings", 400, {"code": 4711, "message": "Missing scope user:read:settings."})

    diagnosis = meeting_diagnose(meeting=meeting, viewer=alice)

    assert diagnosis.error == ""
    assert diagnosis.notes == ["Zoom did not give the host's settings, so the lines below show the meeting only."]
    line = diagnosis.line(Check.WAITING_ROOM)
    assert line.status == CheckStatus.FAILED
    assert "host's Zoom settings" not in line.finding


def test_a_meeting_not_in_zoom_yet_is_not_asked_about(company, alice, zoom):
    meeting = ZoomMeeting.objects.create(
        company=company,
        host_zoom_user_id=alice.zoom_user.zoom_user_id,
        host_email=alice.zoom_user.email,
        host_user=alice,
        host_grant=alice.zoom_user.grant,
        topic="一次面接",
        start_time=in_days(3),
        duration=60,
    )

    diagnosis = meeting_diagnose(meeting=meeting, viewer=alice)

    assert "not in Zoom yet" in diagnosis.error
    assert zoom.calls == []


def test_the_settings_answer_is_parsed_with_missing_sections_as_unknown():
    parsed = ZoomUserSettings.from_json(
        {"schedule_meeting": {"join_before_host": True}, "meeting_security": {"embed_password_in_join_link": False}}
    )

    assert parsed == ZoomUserSettings(
        waiting_room=None,
        join_before_host=True,
        embed_password_in_join_link=False,
        require_password_for_scheduling_new_meetings=None,
    )


# --- Fix what we can ------------------------------------------------------------------------------------------


def test_fix_sends_our_settings_with_the_hosts_token_and_reads_zoom_back(interview, alice, bob, zoom):
    zoom.forced_settings = {"waiting_room": True, "join_before_host": False}
    meeting = interview().meeting
    zoom.forced_settings = {}  # a Zoom admin lifted the lock meanwhile
    zoom.calls.clear()

    result = meeting_fix(meeting=meeting, viewer=alice)

    [patch] = zoom.calls_to("PATCH")
    assert patch.path == f"/meetings/{meeting.zoom_meeting_id}"
    assert patch.token == token_of(alice)
    assert patch.body["settings"] == {
        "join_before_host": True,
        "jbh_time": 0,
        "waiting_room": False,
        "approval_type": 2,
        "alternative_hosts": bob.zoom_user.email,
    }
    # Read back after the PATCH: by the reconcile, then by the check.
    after = zoom.calls[zoom.calls.index(patch) + 1 :]
    assert [(call.method, call.path) for call in after] == [
        ("GET", f"/meetings/{meeting.zoom_meeting_id}"),
        ("GET", f"/meetings/{meeting.zoom_meeting_id}"),
        ("GET", "/users/me/settings"),
    ]
    assert {call.token for call in after} == {token_of(alice)}
    assert result.level == FixLevel.SUCCESS
    assert result.message == "HERP sent its settings to Zoom again, and Zoom applied them."
    assert result.still_failing == []
    assert result.diagnosis.all_passed
    # The row follows: the schedule page's remedies go away.
    meeting.refresh_from_db()
    assert meeting.status == ZoomMeeting.Status.CREATED
    assert meeting.warnings == []
    assert meeting.synced_revision == meeting.revision == 2


def test_fix_reports_a_locked_setting_as_still_failing(interview, alice, zoom):
    zoom.forced_settings = {"waiting_room": True, "join_before_host": False}  # locked in the account
    meeting = interview().meeting

    result = meeting_fix(meeting=meeting, viewer=alice)

    assert len(zoom.calls_to("PATCH")) == 1
    assert result.level == FixLevel.WARNING
    assert [line.check for line in result.still_failing] == [Check.WAITING_ROOM, Check.JOIN_BEFORE_HOST]
    assert "Zoom kept these as they were, so a lock overrides them: Waiting room off, Join before host on" in (
        result.message
    )
    assert result.diagnosis.line(Check.WAITING_ROOM).status == CheckStatus.FAILED
    meeting.refresh_from_db()
    assert MeetingWarning.WAITING_ROOM_ON in meeting.warnings


def test_fix_at_zooms_daily_limit_says_so_and_leaves_the_change_to_the_sweeper(interview, alice, zoom):
    zoom.forced_settings = {"waiting_room": True}
    meeting = interview().meeting
    zoom.fail_next("PATCH", "/meetings/", 429, DAILY_LIMIT)

    result = meeting_fix(meeting=meeting, viewer=alice)

    assert result.level == FixLevel.ERROR
    assert "Zoom's limit of meeting changes for this host is reached for now, so nothing was changed" in result.message
    assert "HERP sends the settings again by itself after" in result.message
    assert result.diagnosis.line(Check.WAITING_ROOM).status == CheckStatus.FAILED  # still read from Zoom
    meeting.refresh_from_db()
    assert meeting.status == ZoomMeeting.Status.PENDING
    assert meeting.not_before is not None
    assert meeting.claim_token == ""


def test_fix_when_zoom_does_not_answer_leaves_a_retry_to_the_sweeper(interview, alice, zoom):
    meeting = interview().meeting
    zoom.fail_next("PATCH", "/meetings/", 503, {"code": 503, "message": "Service Unavailable"})

    result = meeting_fix(meeting=meeting, viewer=alice, wait=0)

    assert result.level == FixLevel.ERROR
    assert "Zoom did not answer, so nothing was changed yet" in result.message
    meeting.refresh_from_db()
    assert meeting.status == ZoomMeeting.Status.PENDING
    assert meeting.not_before is not None
    assert meeting.claim_token == ""  # the lease is released for the sweeper


def test_fix_refuses_a_meeting_that_is_not_at_rest_in_zoom(interview, alice, zoom, django_capture_on_commit_callbacks):
    schedule = interview()
    schedule = flows.cancel(django_capture_on_commit_callbacks, schedule)
    zoom.calls.clear()

    result = meeting_fix(meeting=ZoomMeeting.objects.get(pk=schedule.meeting_id), viewer=alice)

    assert result.level == FixLevel.ERROR
    assert "cannot be sent to Zoom again right now" in result.message
    assert zoom.calls_to("PATCH") == []
