"""全体設定 › 候補者へのメッセージ: company admins edit the candidate's invitation per language, with the
placeholders listed and a live preview; what cannot be saved says why and saves nothing; the saved
words are what the next candidate reads."""

from __future__ import annotations

from django.core import mail

from herp.models import User
from scheduling.invitations.models import CandidateMessageTemplate
from tests import flows
from tests.helpers import in_english
from tests.unit.invitations.mailbox import read_outbox

URL = "/settings/candidate-messages/"
PREVIEW = "/settings/candidate-messages/preview/"
BODY = "{candidate_name} 様\n\n{company}です。\n日時: {date_time}\nURL: {join_url}\n面接担当: {interviewers}\n"


def test_only_company_admins_open_the_page_and_its_preview(company, installer, person, client_for):
    member = client_for(person("Member"))
    assert member.get(URL).status_code == 403
    assert member.post(PREVIEW, {"subject": "x", "body": BODY}).status_code == 403

    admin = client_for(installer)
    page = admin.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for placeholder in (
        "{candidate_name}",
        "{date_time}",
        "{join_url}",
        "{meeting_id}",
        "{passcode}",
        "{interviewers}",
    ):
        assert f"<code>{placeholder}</code>" in html
    assert 'id="template-preview"' in html


def test_the_page_starts_from_herps_default_in_the_chosen_language(company, installer, client_for):
    html = in_english(client_for(installer)).get(URL, {"language": "en"}).content.decode()
    assert "HERP's default message." in html
    assert "Dear {candidate_name}," in html


def test_saving_a_good_template_is_what_the_next_candidate_reads(
    company, connected, installer, alice, zoom, client_for, django_capture_on_commit_callbacks
):
    response = client_for(installer).post(
        URL, {"language": "ja", "subject": "【{company}】{title}（{candidate_name}様）", "body": BODY, "action": "save"}
    )
    assert response.status_code == 302
    stored = CandidateMessageTemplate.objects.get(company=company, language="ja")
    assert stored.updated_by == installer

    flows.create(django_capture_on_commit_callbacks, company, alice, participants=[alice])

    [candidate] = [m for m in read_outbox(mail.outbox) if m.to == "taro@candidate.example"]
    assert candidate.subject == f"【{company.name}】一次面接（候補 太郎様）"
    assert candidate.text.startswith(f"候補 太郎 様\n\n{company.name}です。\n日時: ")
    assert "面接担当: Alice" in candidate.text


def test_a_template_that_cannot_be_saved_says_why_and_saves_nothing(company, installer, client_for):
    response = in_english(client_for(installer)).post(
        URL, {"language": "ja", "subject": "line\nbreak", "body": "{candidate_name} {secret_key}", "action": "save"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "The subject must be one line." in html
    assert "{secret_key} is not a placeholder." in html
    assert "Put {join_url} in the body" in html
    assert not CandidateMessageTemplate.objects.exists()


def test_the_preview_substitutes_sample_values_and_lists_problems_without_saving(company, installer, client_for):
    response = in_english(client_for(installer)).post(
        PREVIEW, {"language": "en", "subject": "Hi {candidate_name}", "body": "{join_url} {nope}"}
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["subject"] == "Hi Hanako Yamada"
    assert answer["text"].startswith("https://zoom.us/j/85746065432?pwd=SampleOnly {nope}")
    assert any("{nope}" in problem for problem in answer["problems"])
    assert not CandidateMessageTemplate.objects.exists()


def test_using_herps_default_again_removes_the_companys_words(company, installer, client_for):
    CandidateMessageTemplate.objects.create(company=company, language="ja", subject="s {title}", body=BODY)

    client_for(installer).post(URL, {"language": "ja", "action": "reset"})

    assert not CandidateMessageTemplate.objects.exists()


def test_each_company_edits_only_its_own_template(company, installer, user_factory, client_for):
    other_admin = user_factory(role=User.Role.ADMIN)
    CandidateMessageTemplate.objects.create(company=company, language="ja", subject="Ours {title}", body=BODY)

    html = client_for(other_admin).get(URL).content.decode()
    client_for(other_admin).post(URL, {"language": "ja", "action": "reset"})

    assert "Ours {title}" not in html
    assert CandidateMessageTemplate.objects.filter(company=company).count() == 1


def test_an_unknown_language_falls_back_to_japanese(company, installer, client_for):
    assert client_for(installer).get(URL, {"language": "xx"}).status_code == 200
