"""RELIABILITY T07 against the emulator over real HTTP: Zoom rotates the tokens but the answer is lost
(a dropped response, or the worker killed between the HTTP answer and the commit). The next attempt
gets invalid_grant, re-reads, marks the grant invalid and the connection needs_reconnect, and tells the
admins once — no retry loop, an alert line, nothing silent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.utils import timezone

from integrations import tokens
from integrations.models import ZoomGrant, ZoomInstallation
from integrations.zoom_api import errors
from tests.integration.conftest import zoom_sign_in

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])


@pytest.fixture
def connected_grant(browser_for) -> ZoomGrant:
    admin = browser_for("admin@demo.example")
    zoom_sign_in(admin, "zoom-admin@demo.example")
    admin.get("/settings/integrations/").press(button_id="zoom-connect")
    admin.press("事前承認をとる").press("認可")
    grant = ZoomInstallation.objects.get().grant
    ZoomGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return grant


def alert_events(caplog) -> list[str]:
    return [json.loads(record.getMessage())["event"] for record in caplog.records if record.name == "herp.alerts"]


def assert_grant_lost_once(grant: ZoomGrant, caplog) -> None:
    from zoom_emulator import calllog

    refreshes_before = len(calllog.calls("oauth.token"))
    with pytest.raises(errors.GrantUnavailable):
        tokens.get_access_token(grant.pk)
    with pytest.raises(errors.GrantUnavailable):
        tokens.get_access_token(grant.pk)  # no retry loop: the dead grant is not refreshed again

    assert len(calllog.calls("oauth.token")) == refreshes_before + 1
    assert ZoomGrant.objects.get(pk=grant.pk).status == ZoomGrant.Status.INVALID
    assert ZoomInstallation.objects.get().status == ZoomInstallation.Status.NEEDS_RECONNECT
    assert alert_events(caplog).count("zoom.connection_needs_reconnect") == 1
    assert "zoom.grant_lost" in alert_events(caplog)
    admin_mails = [message for message in mail.outbox if "admin@demo.example" in message.to]
    assert len(admin_mails) == 1


def test_T07_a_dropped_refresh_answer_ends_in_needs_reconnect_told_once(connected_grant, caplog):
    from zoom_emulator import faults

    faults.rotate_then_drop()
    with pytest.raises(errors.TokenRefreshRetryable):
        tokens.get_access_token(connected_grant.pk)
    # Zoom rotated: the refresh token we still hold is dead, and we do not know it yet.
    assert ZoomGrant.objects.get(pk=connected_grant.pk).status == ZoomGrant.Status.ACTIVE

    assert_grant_lost_once(connected_grant, caplog)


KILL_AFTER_THE_ANSWER = """
import os, signal, django
django.setup()
from integrations import tokens
# Die between Zoom's answer (tokens rotated at Zoom) and our commit of the new pair.
tokens.persist_refreshed_tokens = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
tokens.get_access_token(int(os.environ["GRANT_ID"]))
"""


def test_T07_a_worker_killed_after_the_answer_before_the_commit_ends_the_same_way(connected_grant, live_server, caplog):
    database = connections["default"].settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DEBUG": "1",
        "ZOOM_EMULATOR": "1",
        "SITE_URL": live_server.url,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/{database['NAME']}",
        "GRANT_ID": str(connected_grant.pk),
    }
    worker = subprocess.run([sys.executable, "-c", KILL_AFTER_THE_ANSWER], env=env, timeout=60, capture_output=True)
    assert worker.returncode == -signal.SIGKILL
    assert live_server.url == settings.SITE_URL

    assert_grant_lost_once(connected_grant, caplog)
