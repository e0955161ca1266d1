"""The schedule's page tells what was sent to whom, when, which version, and how it went; 「再送」 sends
one person's current version again; 「招待文をコピー」 gives the candidate's text; the form carries the
candidate's language, time zone and the switch that turns their mail off."""

from __future__ import annotations

import re
import smtplib

from django.core import mail
from django.urls import reverse

from scheduling.invitations.models import InvitationMessage
from scheduling.models import Candidate, InterviewSchedule
from scheduling.services import schedule_create
from tests import flows
from tests.helpers import in_days, in_english
from tests.unit.invitations import backends
from tests.unit.invitations.mailbox import read_outbox

CANDIDATE = "taro@candidate.example"


def page_of(client, schedule) -> str:
    return client.get(reverse("scheduling:detail", args=[schedule.pk])).content.decode()


def row_of(html: str, key: str) -> str:
    match = re.search(rf'<tr data-recipient="{key}".*?</tr>', html, re.S)
    assert match, f"no row for {key}"
    return match.group(0)


def test_the_page_lists_each_person_with_the_version_sent_and_when(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    flows.update(django_capture_on_commit_callbacks, schedule, participants=[alice, bob], starts_at=in_days(12))

    html = page_of(in_english(client_for(alice)), schedule)

    candidate = row_of(html, f"candidate:{schedule.candidate_id}")
    assert 'data-status="sent"' in candidate
    assert 'data-kind="update"' in candidate
    assert 'data-sequence="1"' in candidate
    assert CANDIDATE in candidate
    assert "date and time" in candidate
    for person in (alice, bob):
        assert 'data-status="sent"' in row_of(html, f"user:{person.pk}")
    sent_at = InvitationMessage.objects.filter(schedule=schedule).latest("sequence").sent_at
    assert sent_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M") in candidate
    assert 'id="invitation-history"' in html
    assert html.count("data-message=") == 6


def test_a_failed_message_shows_why_and_what_to_do_and_resend_sends_it(
    company, connected, alice, zoom, client_for, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = backends.PATH
    backends.ScriptedBackend.script = [smtplib.SMTPRecipientsRefused({CANDIDATE: (550, b"5.1.1 No such user")})]
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    client = in_english(client_for(alice))

    html = page_of(client, schedule)

    key = f"candidate:{schedule.candidate_id}"
    row = row_of(html, key)
    assert 'data-status="failed"' in row
    assert "refused the address. Check the address" in row
    assert "550 5.1.1 No such user" in row
    assert 'data-failed="1"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scheduling:invitation_resend", args=[schedule.pk]), {"recipient": key})

    assert response.status_code == 302
    assert response.url.endswith("#invitations")
    assert [m.to for m in read_outbox(mail.outbox) if m.to == CANDIDATE] == [CANDIDATE]
    assert 'data-status="sent"' in row_of(page_of(client, schedule), key)


def test_resend_for_someone_without_a_message_says_so_and_sends_nothing(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent = len(mail.outbox)
    client = in_english(client_for(alice))

    response = client.post(
        reverse("scheduling:invitation_resend", args=[schedule.pk]), {"recipient": "user:999999"}, follow=True
    )

    assert "There is nothing to send again to this person right now." in response.content.decode()
    assert len(mail.outbox) == sent


def test_another_companys_person_cannot_resend(
    company, connected, alice, zoom, user_factory, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    sent = len(mail.outbox)

    response = client_for(user_factory()).post(
        reverse("scheduling:invitation_resend", args=[schedule.pk]), {"recipient": f"user:{alice.pk}"}
    )

    assert response.status_code == 404
    assert len(mail.outbox) == sent


def test_the_candidates_invitation_can_be_copied_in_their_language(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    Candidate.objects.filter(pk=schedule.candidate_id).update(language="en")

    html = page_of(client_for(alice), schedule)  # the page in Japanese, the copy in the candidate's English

    assert 'id="invitation-copy"' in html
    text = re.search(r'<textarea[^>]*id="invitation-copy-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert text.startswith("Subject: ")
    assert "Dear 候補 太郎," in text
    assert schedule.meeting.join_url.replace("&", "&amp;") in text


def test_a_candidate_without_an_address_is_told_about_and_offered_the_copy(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(
        django_capture_on_commit_callbacks, company, alice, participants=[alice], new_candidate_email=""
    )

    html = page_of(in_english(client_for(alice)), schedule)

    assert 'id="candidate-no-email"' in html
    assert "HERP sends them nothing" in html
    assert 'id="invitation-copy"' in html
    assert 'data-status="none"' in row_of(html, f"candidate:{schedule.candidate_id}")


def test_before_zoom_made_the_meeting_the_page_says_the_invitations_will_follow(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        schedule = schedule_create(company=company, by=alice, data=flows.data(participants=[alice]))

    html = page_of(in_english(client_for(alice)), schedule)

    assert 'id="invitations-waiting"' in html
    assert 'id="invitation-copy"' not in html


def test_a_new_url_is_announced_on_the_page_and_in_the_list(
    company, connected, alice, bob, zoom, client_for, django_capture_on_commit_callbacks
):
    from zoom import services as zoom_services

    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice, bob])
    client = in_english(client_for(bob))
    assert 'id="url-changed"' not in page_of(client, schedule)

    with django_capture_on_commit_callbacks(execute=True):
        zoom_services.zoom_user_unlink(user=alice)

    html = page_of(client, schedule)
    assert 'id="url-changed"' in html
    assert "HERP sent the new URL to everyone concerned" in html
    assert "URL changed" in client.get(reverse("scheduling:list")).content.decode()


def test_the_form_saves_the_candidates_language_time_zone_and_the_mail_switch(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    data = {
        "new_candidate_name": "Jane Doe",
        "new_candidate_email": "jane@candidate.example",
        "candidate_language": "en",
        "candidate_timezone": "Europe/London",
        "candidate_mail_off": "on",
        "title": "First interview",
        "starts_at": in_days(10).strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Asia/Tokyo",
        "duration_minutes": "60",
        "location": "zoom",
        "participants": [str(alice.pk)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scheduling:new"), data)

    assert response.status_code == 302
    schedule = InterviewSchedule.objects.get()
    assert (schedule.candidate.language, schedule.candidate.timezone) == ("en", "Europe/London")
    assert schedule.candidate_mail_enabled is False
    assert [m.to for m in read_outbox(mail.outbox) if m.ics] == [alice.email]
    html = page_of(in_english(client), schedule)
    assert 'id="candidate-mail-off"' in html
    edit = client.get(reverse("scheduling:edit", args=[schedule.pk])).content.decode()
    assert re.search(r'name="candidate_mail_off"[^>]*checked', edit)
    assert re.search(r'<option value="en" selected>', edit)


def test_an_existing_candidate_keeps_their_language_when_the_form_does_not_say(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    candidate = Candidate.objects.create(company=company, name="Jane", email="jane@x.example", language="en")
    data = {
        "candidate": str(candidate.pk),
        "title": "First interview",
        "starts_at": in_days(10).strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Asia/Tokyo",
        "duration_minutes": "60",
        "location": "zoom",
        "participants": [str(alice.pk)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(reverse("scheduling:new"), data)

    candidate.refresh_from_db()
    assert candidate.language == "en"
    assert InterviewSchedule.objects.get().candidate_mail_enabled is True
    page = client_for(alice).get(reverse("scheduling:new")).content.decode()
    assert f'<option value="{candidate.pk}" data-language="en" data-timezone="">' in page


def test_the_cancel_page_says_who_gets_a_cancellation(
    company, connected, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    schedule = flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])
    client = client_for(alice)

    html = client.get(reverse("scheduling:cancel", args=[schedule.pk])).content.decode()
    assert "候補者には別途お知らせください" not in html
    assert 'id="cancel-notice"' in html

    InterviewSchedule.objects.filter(pk=schedule.pk).update(candidate_mail_enabled=False)
    english = in_english(client).get(reverse("scheduling:cancel", args=[schedule.pk])).content.decode()
    assert "HERP does not e-mail this candidate: let them know yourself." in english
