from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from herp.models import Company, User
from integrations.models import ZoomInstallation

pytestmark = pytest.mark.django_db(databases=["default", "zoom_emulator"])


def test_it_seeds_the_demo_company_and_its_people(capsys):
    call_command("seed_demo")

    company = Company.objects.get(name="株式会社デモ")
    people = {user.email: user for user in User.objects.filter(company=company)}
    assert set(people) == {
        "admin@demo.example",
        "recruiter1@demo.example",
        "recruiter2@demo.example",
        "recruiter3@demo.example",
    }
    assert people["admin@demo.example"].role == User.Role.ADMIN
    assert all(user.check_password("herp-demo") for user in people.values())
    support = User.objects.get(email="support@demo.example")
    assert support.is_staff
    assert support.company is None
    printed = capsys.readouterr().out
    assert "admin@demo.example" in printed
    assert "herp-demo" in printed


def test_it_is_idempotent():
    call_command("seed_demo")
    call_command("seed_demo")
    assert Company.objects.filter(name="株式会社デモ").count() == 1
    assert User.objects.filter(email="recruiter1@demo.example").count() == 1


def test_reset_restores_the_initial_state():
    call_command("seed_demo")
    company = Company.objects.get(name="株式会社デモ")
    installation = ZoomInstallation.objects.for_company(company)
    installation.start_connect(by=User.objects.get(email="admin@demo.example"))
    User.objects.create_user(email="extra@demo.example", password="x", company=company)

    call_command("seed_demo", reset=True)

    assert not User.objects.filter(email="extra@demo.example").exists()
    assert not ZoomInstallation.objects.filter(status=ZoomInstallation.Status.AUTHORIZING).exists()
    assert User.objects.get(email="admin@demo.example").check_password("herp-demo")


def test_it_seeds_the_emulated_zoom_with_the_products_app(settings):
    from zoom_emulator.models import App
    from zoom_emulator.models import User as ZoomEmulatorUser

    call_command("seed_demo")

    app = App.objects.get()
    assert app.client_id == settings.ZOOM_CLIENT_ID
    assert f"{settings.SITE_URL}/integrations/zoom/callback/" in app.redirect_uris
    assert f"{settings.SITE_URL}/accounts/zoom/callback/" in app.redirect_uris
    emails = set(ZoomEmulatorUser.objects.values_list("email", flat=True))
    assert {"admin@demo.example", "recruiter1@demo.example", "recruiter2@demo.example"} <= emails
    assert "recruiter3@personal.example" in emails


def test_it_refuses_to_run_without_the_emulator(settings):
    settings.ZOOM_EMULATOR_ENABLED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
