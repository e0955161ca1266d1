"""Onboarding without a shell (issue 13): ``create_company`` makes a company and its first admin and hands
over their set-password link; ``password_link`` gives a new one."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from herp.models import Company, PasswordLink, User


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def token_of(output: str) -> str:
    match = re.search(r"/password/set/\?token=([\w-]+)", output)
    assert match, output
    return match.group(1)


def test_it_creates_the_company_and_its_admin_who_sets_a_password_with_the_printed_link(db, client):
    output = run("create_company", "株式会社サンプル", "Hanako@Sample.example", name="管理 花子")

    company = Company.objects.get(name="株式会社サンプル")
    admin = User.objects.get(email="hanako@sample.example")
    assert (admin.company, admin.role, admin.name, admin.has_usable_password()) == (
        company,
        User.Role.ADMIN,
        "管理 花子",
        False,
    )
    assert "http://testserver/password/set/?token=" in output
    client.get(reverse("set_password"), {"token": token_of(output)})
    response = client.post(
        reverse("set_password"), {"name": "管理 花子", "password1": "sample-herp-2030", "password2": "sample-herp-2030"}
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password("sample-herp-2030")
    assert client.get(reverse("members:list")).status_code == 200


def test_it_can_mail_the_link_instead(db, mailoutbox):
    output = run("create_company", "Sample Inc.", "admin@sample.example", name="Admin", language="en", send_email=True)

    assert "/password/set/" not in output
    [mail] = mailoutbox
    assert mail.to == ["admin@sample.example"]
    assert "/password/set/?token=" in mail.body
    assert User.objects.get(email="admin@sample.example").language == "en"


@pytest.mark.parametrize(
    ("args", "options", "words"),
    [
        (("株式会社サンプル", "taken@sample.example"), {"name": "x"}, "already exists"),
        (("株式会社既存", "new@sample.example"), {"name": "x"}, "already exists"),
        (("  ", "new@sample.example"), {"name": "x"}, "must not be empty"),
        (("株式会社サンプル2", "new@sample.example"), {"name": " "}, "must not be empty"),
        (("株式会社サンプル2", "new@sample.example"), {"name": "x", "timezone": "Mars/Base"}, "Unknown time zone"),
        (("株式会社サンプル2", "not-an-address"), {"name": "x"}, "valid"),
    ],
)
def test_it_refuses_with_a_reason_and_creates_nothing(args, options, words, user_factory, company_factory):
    user_factory(email="taken@sample.example")
    company_factory(name="株式会社既存")
    before = (Company.objects.count(), User.objects.count())

    with pytest.raises(CommandError, match=words):
        run("create_company", *args, **options)

    assert (Company.objects.count(), User.objects.count()) == before


def test_a_second_company_of_the_same_name_needs_saying_so(db):
    run("create_company", "株式会社同名", "one@sample.example", name="一")
    run("create_company", "株式会社同名", "two@sample.example", name="二", allow_same_name=True)
    assert Company.objects.filter(name="株式会社同名").count() == 2


def test_password_link_prints_a_new_link_and_the_old_one_stops_working(db, client):
    first = token_of(run("create_company", "株式会社サンプル", "hanako@sample.example", name="管理 花子"))
    second = token_of(run("password_link", "HANAKO@sample.example"))

    client.get(reverse("set_password"), {"token": first})
    assert 'data-reason="revoked"' in client.get(reverse("set_password")).content.decode()
    client.get(reverse("set_password"), {"token": second})
    assert client.get(reverse("set_password")).status_code == 200
    assert PasswordLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_password_link_refuses_unknown_staff_and_deactivated_accounts(user_factory):
    user_factory(is_staff=True, email="support@herp.example")
    user_factory(email="gone@sample.example", is_active=False)
    for email, words in (
        ("nobody@sample.example", "No account"),
        ("support@herp.example", "No account"),
        ("gone@sample.example", "deactivated"),
    ):
        with pytest.raises(CommandError, match=words):
            run("password_link", email)
    assert not PasswordLink.objects.exists()


def test_a_mail_that_cannot_be_sent_says_so_and_how_to_print_the_link(db):
    from unittest import mock

    with (
        mock.patch("herp.members.mails.send_mail", side_effect=OSError("connection refused")),
        pytest.raises(CommandError, match="password_link"),
    ):
        run("create_company", "株式会社サンプル", "hanako@sample.example", name="管理 花子", send_email=True)
    assert User.objects.filter(
        email="hanako@sample.example"
    ).exists()  # the account stays; a new link is one command away
