"""manage.py rotate_token_keys (RELIABILITY T10): re-encrypts under the first key, idempotent,
reports, and marks unreadable rows invalid without stopping."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from integrations.crypto import is_under_first_key
from integrations.models import IntegrationEvent, LossReason, ZoomGrant


def run() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_token_keys", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def keys(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    return settings, old, new


def test_T10_it_re_encrypts_every_token_and_the_old_key_can_then_be_removed(keys, grant_factory):
    settings, old, new = keys
    grants = [grant_factory(access_token=f"a{i}", refresh_token=f"r{i}") for i in range(3)]
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]

    out, err = run()

    assert "Re-encrypted 3 grant(s), 0 already under the first key, 0 failed." in out
    assert err == ""
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    for i, grant in enumerate(grants):
        grant.refresh_from_db()
        assert is_under_first_key(grant.access_token)
        assert grant.decrypt_access_token() == f"a{i}"
        assert grant.decrypt_refresh_token() == f"r{i}"
        assert grant.is_active


def test_it_is_idempotent(keys, grant_factory):
    settings, old, new = keys
    grant_factory()
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    run()
    out, _ = run()
    assert "Re-encrypted 0 grant(s), 1 already under the first key, 0 failed." in out


def test_T10_a_row_that_does_not_decrypt_is_marked_invalid_and_reported(
    keys, grant_factory, django_capture_on_commit_callbacks
):
    settings, old, new = keys
    good = grant_factory(access_token="good")
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    lost = grant_factory(access_token="lost")  # under a key about to disappear
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]

    with django_capture_on_commit_callbacks(execute=True):
        out, err = run()

    assert "Re-encrypted 1 grant(s), 0 already under the first key, 1 failed." in out
    assert f"Grant {lost.pk}" in err
    lost.refresh_from_db()
    good.refresh_from_db()
    assert lost.status == ZoomGrant.Status.INVALID
    assert good.status == ZoomGrant.Status.ACTIVE
    assert IntegrationEvent.objects.filter(kind=IntegrationEvent.Kind.TOKEN_DECRYPT_FAILED).count() == 1


def test_revoked_grants_without_tokens_are_skipped(keys, grant_factory):
    settings, old, new = keys
    grant_factory().revoke(LossReason.UNUSED)
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    out, _ = run()
    assert "Re-encrypted 0 grant(s), 0 already under the first key, 0 failed." in out
