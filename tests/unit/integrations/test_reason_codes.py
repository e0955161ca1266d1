"""The settings card explains a lost connection from its stored reason code, never from a log message;
existing rows got their code once from the old message fragments (issue 10)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from herp.models import User
from integrations.models import IntegrationEvent, LossReason, ZoomGrant, ZoomInstallation
from tests.helpers import in_english

migration = importlib.import_module("integrations.migrations.0004_reason_codes_from_messages")


@pytest.fixture
def admin_page(installation_factory, user_factory, client_for):
    def show(installation: ZoomInstallation) -> str:
        admin = user_factory(company=installation.company, role=User.Role.ADMIN)
        return in_english(client_for(admin)).get(reverse("integrations:settings")).content.decode()

    return show


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (LossReason.APP_REMOVED, "The HERP app was removed from the Zoom user&#x27;s apps in Zoom."),
        (LossReason.LEFT_ACCOUNT, "The Zoom user is no longer in the company&#x27;s Zoom account."),
        (LossReason.REFRESH_REFUSED, "Zoom no longer accepts the authorization"),
    ],
)
def test_it_explains_the_reason_code_whatever_the_stored_message_says(reason, words, installation_factory, admin_page):
    installation = installation_factory(status=ZoomInstallation.Status.NEEDS_RECONNECT)
    ZoomInstallation.objects.filter(pk=installation.pk).update(reason=reason, last_error="reworded log text (401)")

    page = admin_page(installation)

    assert words in page
    assert "reworded log text" not in page


def test_an_unknown_reason_shows_the_recorded_text(installation_factory, admin_page):
    installation = installation_factory(status=ZoomInstallation.Status.REVOKED)
    ZoomInstallation.objects.filter(pk=installation.pk).update(reason=LossReason.OTHER, last_error="Zoom said 4799.")

    assert "Zoom said 4799." in admin_page(installation)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("The installer removed the app in Zoom (app_deauthorized).", "app_removed"),
        ("The installer's Zoom user is no longer in the company's Zoom account.", "left_account"),
        ("Zoom refused the refresh token (invalid_grant: Invalid Token!).", "refresh_refused"),
        ("Zoom refused the grant's tokens (401).", "tokens_refused"),
        ("A stored token could not be decrypted during key rotation.", "token_unreadable"),
        ("Something nobody foresaw.", "other"),
    ],
)
def test_the_data_migration_codes_existing_connections_once(message, code, installation_factory):
    installation = installation_factory(status=ZoomInstallation.Status.NEEDS_RECONNECT)
    ZoomInstallation.objects.filter(pk=installation.pk).update(reason="", last_error=message)

    migration.forwards(apps, None)

    installation.refresh_from_db()
    assert installation.reason == code
    assert installation.last_error == message  # the text stays for "other" and for the record


def test_the_data_migration_codes_revoked_grants_from_their_audit_entry(grant_factory):
    unused = grant_factory(status=ZoomGrant.Status.REVOKED)
    IntegrationEvent.record(unused.company_id, IntegrationEvent.Kind.GRANT_REVOKED, grant_id=unused.pk, reason="unused")
    invalid = grant_factory(status=ZoomGrant.Status.INVALID)
    ZoomGrant.objects.filter(pk=invalid.pk).update(last_error="Zoom refused the refresh token (invalid_grant).")
    active = grant_factory()

    migration.forwards(apps, None)

    assert ZoomGrant.objects.get(pk=unused.pk).reason == "unused"
    assert ZoomGrant.objects.get(pk=invalid.pk).reason == "refresh_refused"
    assert ZoomGrant.objects.get(pk=active.pk).reason == ""
