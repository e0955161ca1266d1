"""IntegrationEvent: append-only, and never a token, code or verifier in its details."""

from __future__ import annotations

import pytest

from integrations.models import REDACTED, AppendOnly, IntegrationEvent


def test_record_stores_the_details(company_factory, user_factory):
    company = company_factory()
    actor = user_factory(company=company)
    event = IntegrationEvent.record(company, IntegrationEvent.Kind.CONNECTED, actor=actor, zoom_account_id="acct")
    event.refresh_from_db()
    assert event.actor == actor
    assert event.details == {"zoom_account_id": "acct"}


def test_an_event_cannot_be_changed(company_factory):
    event = IntegrationEvent.record(company_factory(), IntegrationEvent.Kind.DISCONNECTED)
    event.details = {"rewritten": True}
    with pytest.raises(AppendOnly, match="append-only"):
        event.save()


def test_an_event_cannot_be_deleted(company_factory):
    event = IntegrationEvent.record(company_factory(), IntegrationEvent.Kind.DISCONNECTED)
    with pytest.raises(AppendOnly, match="append-only"):
        event.delete()
    assert IntegrationEvent.objects.filter(pk=event.pk).exists()


def test_T11_secret_looking_keys_are_redacted_whatever_the_caller_passes(company_factory):
    event = IntegrationEvent.record(
        company_factory(),
        IntegrationEvent.Kind.CONNECT_FAILED,
        code="authcode123",
        state="st4te",
        code_verifier="verifier-abc",
        access_token="SECRET-ACC",
        nested={"refresh_token": "SECRET-REF", "client_secret": "SECRET-SEC", "reason": "invalid_grant"},
        items=[{"Authorization": "Bearer x"}],
        zoom_error_code=124,
    )
    event.refresh_from_db()
    details = event.details
    assert details["code"] == REDACTED
    assert details["state"] == REDACTED
    assert details["code_verifier"] == REDACTED
    assert details["access_token"] == REDACTED
    assert details["nested"] == {"refresh_token": REDACTED, "client_secret": REDACTED, "reason": "invalid_grant"}
    assert details["items"] == [{"Authorization": REDACTED}]
    assert details["zoom_error_code"] == 124
    for secret in ("authcode123", "st4te", "verifier-abc", "SECRET-", "Bearer x"):
        assert secret not in str(details)


def test_T11_token_shaped_values_are_redacted_under_any_key(company_factory):
    jwt = "eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.eyJ1c2VySWQiOiJhYmMifQ.c2lnbmF0dXJl"
    event = IntegrationEvent.record(company_factory(), IntegrationEvent.Kind.CONNECT_FAILED, note=jwt)
    assert event.details["note"] == REDACTED


def test_details_set_directly_are_scrubbed_too(company_factory):
    event = IntegrationEvent.objects.create(
        company=company_factory(), kind=IntegrationEvent.Kind.CONNECT_FAILED, details={"token": "t"}
    )
    event.refresh_from_db()
    assert event.details == {"token": REDACTED}
