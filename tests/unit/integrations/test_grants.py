"""The one writer for a grant that dies (integrations.grants): the transition, its audit entry, the
connection carried along, one alert and one signal per incident, all on commit."""

from __future__ import annotations

import pytest

from integrations import grants, signals
from integrations.models import IllegalTransition, IntegrationEvent, LossReason, ZoomGrant, ZoomInstallation


@pytest.fixture
def received():
    seen: list[tuple[str, dict]] = []
    pairs = []
    for name in ("grant_invalidated", "grant_revoked", "installation_needs_reconnect", "installation_revoked"):
        signal = getattr(signals, name)

        def receiver(sender, name=name, **kwargs):
            seen.append((name, kwargs))

        signal.connect(receiver, weak=False)
        pairs.append((signal, receiver))
    yield seen
    for signal, receiver in pairs:
        signal.disconnect(receiver)


def test_invalidate_marks_the_grant_records_alerts_and_signals_once(
    grant_factory, received, django_capture_on_commit_callbacks, caplog
):
    grant = grant_factory()
    with django_capture_on_commit_callbacks(execute=True):
        assert grants.grant_invalidate(grant_id=grant.pk, reason=LossReason.REFRESH_REFUSED, detail="invalid_grant")
        assert not grants.grant_invalidate(grant_id=grant.pk, reason=LossReason.REFRESH_REFUSED, detail="again")
    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.INVALID
    assert grant.reason == LossReason.REFRESH_REFUSED
    assert grant.last_error == "invalid_grant"
    [(name, kwargs)] = received
    assert name == "grant_invalidated"
    assert kwargs == {
        "signal": signals.grant_invalidated,
        "grant_id": grant.pk,
        "company_id": grant.company_id,
        "zoom_user_id": grant.zoom_user_id,
        "reason": "refresh_refused",
    }
    assert caplog.text.count("zoom.grant_lost") == 1
    [event] = IntegrationEvent.objects.filter(kind=IntegrationEvent.Kind.GRANT_INVALIDATED)
    assert event.details["reason"] == "refresh_refused"


def test_nothing_is_told_before_the_commit(grant_factory, received, caplog):
    grant = grant_factory()
    grants.grant_invalidate(grant_id=grant.pk, reason=LossReason.TOKENS_REFUSED)
    assert received == []
    assert "zoom.grant_lost" not in caplog.text


def test_invalidate_is_a_compare_and_set_on_the_token_version(grant_factory):
    grant = grant_factory(token_version=3)
    # A re-authorization stored version 4 after the caller read version 3: the new tokens win.
    ZoomGrant.objects.filter(pk=grant.pk).update(token_version=4)
    assert not grants.grant_invalidate(grant_id=grant.pk, reason=LossReason.REFRESH_REFUSED, expected_version=3)
    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.ACTIVE


def test_an_unreadable_token_is_recorded_and_alerted_as_such(grant_factory, django_capture_on_commit_callbacks, caplog):
    grant = grant_factory()
    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_invalidate(grant_id=grant.pk, reason=LossReason.TOKEN_UNREADABLE)
    assert IntegrationEvent.objects.filter(kind=IntegrationEvent.Kind.TOKEN_DECRYPT_FAILED).count() == 1
    assert "tokens.decrypt_failed" in caplog.text


def test_a_revoked_grant_cannot_be_invalidated(grant_factory):
    grant = grant_factory()
    grant.revoke(LossReason.UNUSED)
    assert not grants.grant_invalidate(grant_id=grant.pk, reason=LossReason.REFRESH_REFUSED)
    with pytest.raises(IllegalTransition):
        grant.invalidate(LossReason.REFRESH_REFUSED)


@pytest.mark.parametrize("start", [ZoomGrant.Status.ACTIVE, ZoomGrant.Status.INVALID])
def test_revoke_wipes_tokens_and_keeps_the_row(start, grant_factory, received, django_capture_on_commit_callbacks):
    grant = grant_factory(status=start)
    version = grant.token_version
    with django_capture_on_commit_callbacks(execute=True):
        assert grants.grant_revoke(grant_id=grant.pk, reason=LossReason.UNUSED) is True
        assert grants.grant_revoke(grant_id=grant.pk, reason=LossReason.UNUSED) is False
    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.REVOKED
    assert grant.reason == LossReason.UNUSED
    assert grant.access_token == ""
    assert grant.refresh_token == ""
    assert grant.expires_at is None
    assert grant.token_version == version + 1
    assert [name for name, _ in received] == ["grant_revoked"]


def test_an_invalid_installer_grant_turns_the_connection_into_needs_reconnect(
    installation_factory, received, django_capture_on_commit_callbacks, caplog
):
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_invalidate(grant_id=installation.grant_id, reason=LossReason.REFRESH_REFUSED)
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.NEEDS_RECONNECT
    assert installation.reason == LossReason.REFRESH_REFUSED
    assert caplog.text.count("zoom.connection_needs_reconnect") == 1
    assert [name for name, _ in received] == ["installation_needs_reconnect", "grant_invalidated"]


def test_a_link_only_grant_leaves_the_connection_alone(
    installation_factory, grant_factory, django_capture_on_commit_callbacks
):
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    other = grant_factory(company=installation.company)
    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_invalidate(grant_id=other.pk, reason=LossReason.REFRESH_REFUSED)
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.CONNECTED


@pytest.mark.parametrize("start", [ZoomInstallation.Status.CONNECTED, ZoomInstallation.Status.NEEDS_RECONNECT])
def test_the_installer_removing_the_app_revokes_the_connection(
    start, installation_factory, received, django_capture_on_commit_callbacks
):
    installation = installation_factory(status=start)
    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_revoke(grant_id=installation.grant_id, reason=LossReason.APP_REMOVED)
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.REVOKED
    assert installation.reason == LossReason.APP_REMOVED
    assert [name for name, _ in received] == ["installation_revoked", "grant_revoked"]


def test_an_unused_grant_revoked_by_upkeep_leaves_no_connection_behind(
    installation_factory, django_capture_on_commit_callbacks
):
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    with django_capture_on_commit_callbacks(execute=True):
        grants.grant_revoke(grant_id=installation.grant_id, reason=LossReason.UNUSED)
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.CONNECTED


def test_needs_reconnect_is_told_once(installation_factory, received, django_capture_on_commit_callbacks, caplog):
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert grants.installation_needs_reconnect(installation_id=installation.pk, reason=LossReason.LEFT_ACCOUNT)
        assert not grants.installation_needs_reconnect(installation_id=installation.pk, reason=LossReason.LEFT_ACCOUNT)
    assert [name for name, _ in received] == ["installation_needs_reconnect"]
    assert caplog.text.count("zoom.connection_needs_reconnect") == 1
