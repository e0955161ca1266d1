"""ZoomInstallation's guarded transitions: legal moves set every dependent field; illegal ones raise."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from integrations import signals
from integrations.models import IllegalTransition, InvalidConnection, LossReason, NotCompanyAdmin, ZoomInstallation

S = ZoomInstallation.Status


@pytest.fixture
def received():
    """Collects the signals sent, by name."""
    seen: list[tuple[str, dict]] = []
    connected = []
    for name in (
        "installation_connected",
        "installation_disconnected",
        "installation_needs_reconnect",
        "installation_revoked",
    ):
        signal = getattr(signals, name)

        def receiver(sender, name=name, **kwargs):
            seen.append((name, kwargs))

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
    yield seen
    for signal, receiver in connected:
        signal.disconnect(receiver)


def test_for_company_creates_a_not_connected_row_once(company_factory):
    company = company_factory()
    first = ZoomInstallation.objects.for_company(company)
    assert first.status == S.NOT_CONNECTED
    assert ZoomInstallation.objects.for_company(company).pk == first.pk


@pytest.mark.parametrize("start", [S.NOT_CONNECTED, S.REVOKED])
def test_connect_from_not_connected_or_revoked_moves_to_authorizing(start, installation_factory, admin_of):
    installation = installation_factory(status=start, last_error="old")
    installation.start_connect(by=admin_of(installation.company))
    installation.refresh_from_db()
    assert installation.status == S.AUTHORIZING
    assert installation.last_attempt_at is not None
    assert installation.last_error == ""


@pytest.mark.parametrize("start", [S.CONNECTED, S.NEEDS_RECONNECT, S.AUTHORIZING, S.PRE_APPROVAL_REQUESTED])
def test_a_reconnect_or_retry_keeps_the_status_and_records_the_attempt(start, installation_factory, admin_of):
    installation = installation_factory(status=start)
    installation.start_connect(by=admin_of(installation.company))
    installation.refresh_from_db()
    assert installation.status == start
    assert installation.last_attempt_at is not None


def test_connect_requires_an_admin_of_the_company(installation_factory, user_factory, admin_of, company_factory):
    installation = installation_factory(status=S.NOT_CONNECTED)
    with pytest.raises(NotCompanyAdmin):
        installation.start_connect(by=user_factory(company=installation.company))
    with pytest.raises(NotCompanyAdmin):
        installation.start_connect(by=admin_of(company_factory()))
    installation.refresh_from_db()
    assert installation.status == S.NOT_CONNECTED


@pytest.mark.parametrize("start", [S.AUTHORIZING, S.PRE_APPROVAL_REQUESTED])
def test_pre_approval_request_is_recorded_with_who_and_when(start, installation_factory, admin_of):
    installation = installation_factory(status=start)
    admin = admin_of(installation.company)
    installation.mark_pre_approval_requested(by=admin)
    installation.refresh_from_db()
    assert installation.status == S.PRE_APPROVAL_REQUESTED
    assert installation.pre_approval_requested_by == admin
    assert installation.pre_approval_requested_at is not None


@pytest.mark.parametrize("start", [S.NOT_CONNECTED, S.CONNECTED, S.NEEDS_RECONNECT, S.REVOKED])
def test_pre_approval_request_outside_an_attempt_is_illegal(start, installation_factory, admin_of):
    installation = installation_factory(status=start)
    with pytest.raises(IllegalTransition, match="pre-approval"):
        installation.mark_pre_approval_requested(by=admin_of(installation.company))


@pytest.mark.parametrize("start", [S.AUTHORIZING, S.PRE_APPROVAL_REQUESTED, S.NEEDS_RECONNECT, S.REVOKED, S.CONNECTED])
def test_complete_connects_and_sets_every_field(
    start, installation_factory, admin_of, grant_factory, received, django_capture_on_commit_callbacks
):
    installation = installation_factory(status=start)
    previous_account = installation.zoom_account_id
    admin = admin_of(installation.company)
    grant = grant_factory(company=installation.company)
    installation.pre_approval_requested_by = admin

    with django_capture_on_commit_callbacks(execute=True):
        installation.complete(grant, "acct-new", installer=admin, email="owner@acme.example")

    installation.refresh_from_db()
    assert installation.status == S.CONNECTED
    assert installation.zoom_account_id == "acct-new"
    assert installation.grant == grant
    assert installation.installer == admin
    assert installation.installer_zoom_email == "owner@acme.example"
    assert installation.connected_at is not None
    assert installation.pre_approval_requested_by is None
    assert installation.last_error == ""
    [(name, kwargs)] = received
    assert name == "installation_connected"
    assert kwargs["zoom_account_id"] == "acct-new"
    assert kwargs["previous_account_id"] == previous_account
    assert kwargs["grant_id"] == grant.pk


def test_complete_after_a_disconnect_is_illegal(installation_factory, admin_of, grant_factory):
    installation = installation_factory(status=S.NOT_CONNECTED)
    with pytest.raises(IllegalTransition):
        installation.complete(
            grant_factory(company=installation.company), "acct", installer=admin_of(installation.company), email=""
        )


def test_complete_refuses_another_company_s_grant(installation_factory, admin_of, grant_factory):
    installation = installation_factory(status=S.AUTHORIZING)
    with pytest.raises(InvalidConnection, match="grant"):
        installation.complete(grant_factory(), "acct", installer=admin_of(installation.company), email="")


def test_disconnect_clears_the_account_and_signals(
    installation_factory, admin_of, received, django_capture_on_commit_callbacks
):
    installation = installation_factory(status=S.CONNECTED)
    account_id, grant_id = installation.zoom_account_id, installation.grant_id
    admin = admin_of(installation.company)

    with django_capture_on_commit_callbacks(execute=True):
        installation.disconnect(by=admin)

    installation.refresh_from_db()
    assert installation.status == S.NOT_CONNECTED
    assert installation.zoom_account_id == ""
    assert installation.grant is None
    assert installation.installer is None
    assert installation.installer_zoom_email == ""
    assert installation.connected_at is None
    [(name, kwargs)] = received
    assert name == "installation_disconnected"
    assert kwargs["previous_account_id"] == account_id
    assert kwargs["previous_grant_id"] == grant_id
    assert kwargs["actor_id"] == admin.pk


def test_disconnect_frees_the_account_for_another_company(installation_factory, admin_of):
    first = installation_factory(status=S.CONNECTED)
    account_id = first.zoom_account_id
    first.disconnect(by=admin_of(first.company))
    installation_factory(status=S.CONNECTED, zoom_account_id=account_id)


def test_disconnect_when_not_connected_is_illegal(installation_factory, admin_of):
    installation = installation_factory(status=S.NOT_CONNECTED)
    with pytest.raises(IllegalTransition, match="disconnect"):
        installation.disconnect(by=admin_of(installation.company))


def test_signals_wait_for_the_commit(installation_factory, admin_of, received):
    installation = installation_factory(status=S.CONNECTED)
    installation.disconnect(by=admin_of(installation.company))
    # Inside the test's transaction: nothing committed, nothing sent.
    assert received == []


def test_needs_reconnect_from_connected_only_once(installation_factory):
    installation = installation_factory(status=S.CONNECTED)
    assert installation.mark_needs_reconnect(LossReason.REFRESH_REFUSED, "invalid_grant") is True
    assert installation.mark_needs_reconnect(LossReason.REFRESH_REFUSED, "invalid_grant again") is False
    installation.refresh_from_db()
    assert installation.status == S.NEEDS_RECONNECT
    assert installation.reason == LossReason.REFRESH_REFUSED
    assert installation.last_error == "invalid_grant"
    assert installation.zoom_account_id  # the company keeps its account for everyone already linked


@pytest.mark.parametrize("start", [S.NOT_CONNECTED, S.AUTHORIZING, S.PRE_APPROVAL_REQUESTED, S.REVOKED])
def test_needs_reconnect_elsewhere_is_illegal(start, installation_factory):
    with pytest.raises(IllegalTransition):
        installation_factory(status=start).mark_needs_reconnect(LossReason.OTHER)


@pytest.mark.parametrize("start", [S.CONNECTED, S.NEEDS_RECONNECT])
def test_revoked_from_connected_or_needs_reconnect(start, installation_factory):
    installation = installation_factory(status=start)
    assert installation.mark_revoked(LossReason.APP_REMOVED) is True
    assert installation.mark_revoked(LossReason.APP_REMOVED) is False
    installation.refresh_from_db()
    assert installation.status == S.REVOKED
    assert installation.reason == LossReason.APP_REMOVED
    assert installation.last_error == str(LossReason.APP_REMOVED.label)


@pytest.mark.parametrize("start", [S.NOT_CONNECTED, S.AUTHORIZING, S.PRE_APPROVAL_REQUESTED])
def test_revoked_elsewhere_is_illegal(start, installation_factory):
    with pytest.raises(IllegalTransition):
        installation_factory(status=start).mark_revoked(LossReason.OTHER)


def test_one_zoom_account_serves_one_company(installation_factory):
    installation_factory(status=S.CONNECTED, zoom_account_id="shared")
    with pytest.raises(IntegrityError), transaction.atomic():
        installation_factory(status=S.CONNECTED, zoom_account_id="shared")


def test_many_companies_may_be_without_an_account(installation_factory):
    installation_factory(status=S.NOT_CONNECTED)
    installation_factory(status=S.NOT_CONNECTED)


def test_a_connected_installation_must_have_an_account(installation_factory):
    with pytest.raises(IntegrityError), transaction.atomic():
        installation_factory(status=S.CONNECTED, zoom_account_id="")
