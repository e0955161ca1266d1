"""ZoomGrant's transitions: invalidate keeps the row, revoke wipes the tokens; both signal after commit."""

from __future__ import annotations

import pytest

from integrations import signals
from integrations.models import IllegalTransition, ZoomGrant, ZoomInstallation


@pytest.fixture
def received():
    seen: list[tuple[str, dict]] = []
    pairs = []
    for name in ("grant_invalidated", "grant_revoked"):
        signal = getattr(signals, name)

        def receiver(sender, name=name, **kwargs):
            seen.append((name, kwargs))

        signal.connect(receiver, weak=False)
        pairs.append((signal, receiver))
    yield seen
    for signal, receiver in pairs:
        signal.disconnect(receiver)


def test_invalidate_marks_the_grant_and_signals_once(grant_factory, received, django_capture_on_commit_callbacks):
    grant = grant_factory()
    with django_capture_on_commit_callbacks(execute=True):
        assert grant.invalidate("invalid_grant") is True
        assert grant.invalidate("again") is False
    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.INVALID
    assert grant.last_error == "invalid_grant"
    [(name, kwargs)] = received
    assert name == "grant_invalidated"
    assert kwargs == {
        "signal": signals.grant_invalidated,
        "grant_id": grant.pk,
        "company_id": grant.company_id,
        "zoom_user_id": grant.zoom_user_id,
        "reason": "invalid_grant",
    }


def test_a_revoked_grant_cannot_be_invalidated(grant_factory):
    grant = grant_factory()
    grant.revoke()
    with pytest.raises(IllegalTransition):
        grant.invalidate("x")


@pytest.mark.parametrize("start", [ZoomGrant.Status.ACTIVE, ZoomGrant.Status.INVALID])
def test_revoke_wipes_tokens_and_keeps_the_row(start, grant_factory, received, django_capture_on_commit_callbacks):
    grant = grant_factory(status=start)
    version = grant.token_version
    with django_capture_on_commit_callbacks(execute=True):
        assert grant.revoke() is True
        assert grant.revoke() is False
    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.REVOKED
    assert grant.access_token == ""
    assert grant.refresh_token == ""
    assert grant.expires_at is None
    assert grant.token_version == version + 1
    assert [name for name, _ in received] == ["grant_revoked"]


def test_an_invalid_installer_grant_turns_the_connection_into_needs_reconnect(
    installation_factory, django_capture_on_commit_callbacks, caplog
):
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    with django_capture_on_commit_callbacks(execute=True):
        installation.grant.invalidate("invalid_grant")
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.NEEDS_RECONNECT
    assert installation.last_error == "invalid_grant"
    assert "zoom.connection_needs_reconnect" in caplog.text


def test_a_link_only_grant_leaves_the_connection_alone(
    installation_factory, grant_factory, django_capture_on_commit_callbacks
):
    installation = installation_factory(status=ZoomInstallation.Status.CONNECTED)
    other = grant_factory(company=installation.company)
    with django_capture_on_commit_callbacks(execute=True):
        other.invalidate("invalid_grant")
    installation.refresh_from_db()
    assert installation.status == ZoomInstallation.Status.CONNECTED
