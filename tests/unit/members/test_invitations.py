"""全体設定 › メンバー: invitations and set-password links (issue 13).

A link is a secret in the URL, stored as its hash, single use, expiring, revoked by a newer link, a
withdrawal or a deactivation. An address of another company's account is invited exactly like any
other, and that account is never touched.
"""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from herp.members import services
from herp.models import PasswordLink, User

INVITE = reverse("members:invite")
SET_PASSWORD = reverse("set_password")
GOOD_PASSWORD = "kaigi-shitsu-2030"


@pytest.fixture
def company(company_factory):
    return company_factory(name="株式会社メンバーズ")


@pytest.fixture
def admin(company, user_factory):
    return user_factory(company=company, role=User.Role.ADMIN, name="管理 花子", email="admin@members.example")


@pytest.fixture
def admin_client(admin, client_for):
    return client_for(admin)


def invite(client, capture, email="new.person@members.example", **fields):
    data = {"email": email, "name": "", "role": User.Role.MEMBER, "language": "ja", **fields}
    with capture(execute=True):
        return client.post(INVITE, data)


def link_in(mail) -> str:
    match = re.search(r"https?://\S+/password/set/\?token=([\w-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def open_link(client, token: str):
    response = client.get(SET_PASSWORD, {"token": token})
    assert response.status_code == 302
    assert response.url == SET_PASSWORD
    return client.get(SET_PASSWORD)


def set_password(client, token: str, *, name="新人 太郎", password=GOOD_PASSWORD):
    open_link(client, token)
    return client.post(SET_PASSWORD, {"name": name, "password1": password, "password2": password})


def test_an_invitation_mails_a_link_that_makes_the_account_in_the_inviting_company(
    admin_client, company, client, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(admin_client, django_capture_on_commit_callbacks, role=User.Role.ADMIN)

    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["new.person@members.example"]
    assert "株式会社メンバーズ" in mail.subject
    assert not User.objects.filter(email="new.person@members.example").exists()  # not until they join
    page = admin_client.get(reverse("members:list")).content.decode()
    assert 'data-email="new.person@members.example"' in page

    response = set_password(client, link_in(mail))

    assert response.status_code == 302
    person = User.objects.get(email="new.person@members.example")
    assert (person.company, person.role, person.name, person.is_active) == (company, User.Role.ADMIN, "新人 太郎", True)
    assert person.check_password(GOOD_PASSWORD)
    assert get_user(client).pk == person.pk  # signed in
    assert PasswordLink.objects.get().used_at is not None


def test_a_link_works_once(admin_client, client, client_for, mailoutbox, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[0])
    set_password(client, token)

    again = Client()
    page = open_link(again, token)

    assert page.status_code == 400
    assert 'data-reason="used"' in page.content.decode()
    assert (
        again.post(
            SET_PASSWORD, {"name": "x", "password1": "other-pass-123", "password2": "other-pass-123"}
        ).status_code
        == 400
    )
    assert User.objects.get(email="new.person@members.example").check_password(GOOD_PASSWORD)


def test_a_link_stops_working_after_its_days(admin_client, client, mailoutbox, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[0])
    invitation = PasswordLink.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)

    with time_machine.travel(timezone.now() + services.INVITATION_LIFETIME + timedelta(minutes=1), tick=False):
        page = open_link(client, token)

    assert page.status_code == 400
    assert 'data-reason="expired"' in page.content.decode()
    assert not User.objects.filter(email="new.person@members.example").exists()


def test_a_resent_invitation_voids_the_earlier_link(
    admin_client, client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    first = link_in(mailoutbox[0])
    invitation = PasswordLink.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("members:invitation_resend", args=[invitation.pk]))

    assert 'data-reason="revoked"' in open_link(client, first).content.decode()
    assert set_password(client, link_in(mailoutbox[1])).status_code == 302


def test_a_withdrawn_invitation_no_longer_works(admin_client, client, mailoutbox, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks)
    invitation = PasswordLink.objects.get()

    admin_client.post(reverse("members:invitation_revoke", args=[invitation.pk]))

    assert 'data-reason="revoked"' in open_link(client, link_in(mailoutbox[0])).content.decode()
    assert 'data-email="new.person@members.example"' not in admin_client.get(reverse("members:list")).content.decode()


def test_an_address_of_another_companys_account_is_invited_like_any_other_and_never_touched(
    admin_client, client, user_factory, mailoutbox, django_capture_on_commit_callbacks
):
    elsewhere = user_factory(role=User.Role.ADMIN, email="taken@elsewhere.example", name="他社 一郎")
    before = User.objects.filter(pk=elsewhere.pk).values().get()

    fresh = invite(admin_client, django_capture_on_commit_callbacks, email="fresh@members.example")
    taken = invite(admin_client, django_capture_on_commit_callbacks, email="TAKEN@elsewhere.example")

    # The inviting admin sees the same answer and the same row for both.
    assert (taken.status_code, taken.url) == (fresh.status_code, fresh.url)
    page = admin_client.get(reverse("members:list")).content.decode()
    assert 'data-email="taken@elsewhere.example"' in page
    assert 'data-email="fresh@members.example"' in page
    assert PasswordLink.objects.filter(email="taken@elsewhere.example").count() == 1
    # The address's owner learns why, without a link; their account is as it was.
    mail = next(m for m in mailoutbox if m.to == ["taken@elsewhere.example"])
    assert "/password/set/" not in mail.body
    assert User.objects.filter(pk=elsewhere.pk).values().get() == before
    assert User.objects.filter(email__iexact="taken@elsewhere.example").count() == 1


def test_a_support_staff_address_is_invited_like_any_other(
    admin_client, user_factory, mailoutbox, django_capture_on_commit_callbacks
):
    staff = user_factory(is_staff=True, email="support@herp.example")

    response = invite(admin_client, django_capture_on_commit_callbacks, email="support@herp.example")

    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.company_id, staff.is_staff) == (None, True)
    assert "/password/set/" not in mailoutbox[0].body


def test_an_invitation_accepted_after_the_address_got_an_account_elsewhere_makes_nothing(
    admin_client, client, user_factory, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[0])
    user_factory(email="new.person@members.example")  # another company's invitation was accepted first

    page = open_link(client, token)

    assert page.status_code == 400
    assert 'data-reason="taken"' in page.content.decode()
    assert User.objects.filter(email="new.person@members.example").count() == 1


def test_a_member_of_the_company_is_not_invited_again(admin_client, admin, user_factory, company, mailoutbox):
    user_factory(company=company, email="here@members.example")
    gone = user_factory(company=company, email="gone@members.example", is_active=False)

    for address in ("here@members.example", gone.email):
        response = admin_client.post(INVITE, {"email": address, "role": "member", "language": "en"})
        assert response.status_code == 400
        [reason] = response.context["invite_form"].errors["email"]
        assert address in reason
        assert reason in response.content.decode()
    assert mailoutbox == []
    assert not PasswordLink.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ｎｅｗ＠ｍｅｍｂｅｒｓ．ｅｘａｍｐｌｅ", "new@members.example"),
        ("  New@Members.Example ", "new@members.example"),
    ],
)
def test_addresses_are_read_as_typed_by_an_hr_person(
    typed, stored, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    assert invite(admin_client, django_capture_on_commit_callbacks, email=typed).status_code == 302
    assert PasswordLink.objects.get().email == stored
    assert mailoutbox[0].to == [stored]


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "x" * 300 + "@example.com"])
def test_a_bad_address_is_refused_with_a_reason_and_nothing_is_sent(email, admin_client, mailoutbox):
    response = admin_client.post(INVITE, {"email": email, "role": "member", "language": "ja"})

    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert mailoutbox == []
    assert not PasswordLink.objects.exists()


def test_a_mail_server_that_refuses_leaves_the_reason_on_the_page_and_resend_tries_again(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    refusal = smtplib.SMTPRecipientsRefused({"new.person@members.example": (550, b"no such mailbox")})
    with mock.patch("herp.members.mails.send_mail", side_effect=refusal):
        response = invite(admin_client, django_capture_on_commit_callbacks)
    page = admin_client.get(response.url).content.decode()

    assert "SMTPRecipientsRefused" in page
    invitation = PasswordLink.objects.get()
    assert invitation.send_error

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("members:invitation_resend", args=[invitation.pk]))
    assert len(mailoutbox) == 1
    assert PasswordLink.objects.filter(used_at__isnull=True, revoked_at__isnull=True).get().send_error == ""


def test_the_secret_is_stored_as_a_hash_and_never_logged(
    admin_client, client, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    invite(admin_client, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[0])
    set_password(client, token)

    stored = PasswordLink.objects.values().get()
    assert token not in str(stored)
    assert stored["token_hash"] == services.token_hash(token)
    assert token not in caplog.text


def test_the_link_leaves_the_address_bar_and_its_redirect_sends_no_referrer(
    admin_client, client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[0])

    redirect = client.get(SET_PASSWORD, {"token": token})

    assert redirect.url == SET_PASSWORD
    assert redirect["Referrer-Policy"] == "no-referrer"
    assert "no-store" in redirect["Cache-Control"]
    page = client.get(SET_PASSWORD)
    assert token not in page.content.decode()
    assert "new.person@members.example" in page.content.decode()


def test_opening_a_link_signs_out_whoever_was_signed_in(
    admin_client, admin, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[0])

    page = open_link(admin_client, token)

    assert page.status_code == 200
    assert not get_user(admin_client).is_authenticated


def test_a_weak_or_mistyped_password_is_refused_and_makes_no_account(
    admin_client, client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(admin_client, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[0])
    open_link(client, token)

    weak = client.post(SET_PASSWORD, {"name": "新人", "password1": "12345678", "password2": "12345678"})
    mistyped = client.post(SET_PASSWORD, {"name": "新人", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"})

    assert weak.status_code == mistyped.status_code == 200
    assert weak.context["form"].errors["password1"]
    assert mistyped.context["form"].errors["password2"]
    assert not User.objects.filter(email="new.person@members.example").exists()
    assert PasswordLink.objects.get().used_at is None


def test_the_page_speaks_the_invitations_language(admin_client, client, mailoutbox, django_capture_on_commit_callbacks):
    invite(admin_client, django_capture_on_commit_callbacks, language="en")
    token = link_in(mailoutbox[0])

    assert "You were invited" in open_link(client, token).content.decode()
    set_password(client, token)
    assert User.objects.get(email="new.person@members.example").language == "en"


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 5000])
def test_a_made_up_link_opens_nothing(token, client, db):
    client.get(SET_PASSWORD, {"token": token})
    page = client.get(SET_PASSWORD)
    assert page.status_code == 400
    assert 'data-reason="unknown"' in page.content.decode()


def test_a_set_password_link_for_a_member_sets_their_password_and_a_deactivation_voids_it(
    admin_client, company, user_factory, client, mailoutbox, django_capture_on_commit_callbacks
):
    member = user_factory(company=company, email="member@members.example")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("members:password_link", args=[member.pk]))
    token = link_in(mailoutbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("members:password_link", args=[member.pk]))
    second = link_in(mailoutbox[1])

    assert 'data-reason="revoked"' in open_link(client, token).content.decode()  # the newer one replaced it
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("members:deactivate", args=[member.pk]))
    assert 'data-reason="revoked"' in open_link(client, second).content.decode()
    member.refresh_from_db()
    assert not member.check_password(GOOD_PASSWORD)


def test_only_company_admins_open_the_members_page(company, user_factory, client_for):
    member = user_factory(company=company)
    assert client_for(member).get(reverse("members:list")).status_code == 403
    assert client_for(member).post(INVITE, {"email": "x@members.example"}).status_code == 403
    assert not PasswordLink.objects.exists()


@pytest.mark.parametrize(("role", "language"), [("owner", "ja"), ("member", "fr")])
def test_the_service_refuses_a_role_or_language_the_form_never_offers(role, language, company, admin):
    with pytest.raises(services.MemberRefused):
        services.member_invite(
            company=company, by=admin, email="x@members.example", name="", role=role, language=language
        )
    assert not PasswordLink.objects.exists()
