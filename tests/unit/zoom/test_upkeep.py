"""Upkeep (issue 6, part 2) with Zoom mocked by `responses`: re-checks, stale refreshes, unused revokes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from integrations.models import ZoomGrant, ZoomInstallation
from zoom.models import ZoomMeeting, ZoomUser
from zoom.upkeep import upkeep_run

ACCOUNT = "acct_upkeep_000000001"


def me_url() -> str:
    return f"{settings.ZOOM_API_BASE_URL}/users/me"


def token_url() -> str:
    return f"{settings.ZOOM_OAUTH_BASE_URL}/oauth/token"


def revoke_url() -> str:
    return f"{settings.ZOOM_OAUTH_BASE_URL}/oauth/revoke"


def me(zoom_user_id: str, account_id: str = ACCOUNT, **extra) -> dict:
    return {
        "id": zoom_user_id,
        "account_id": account_id,
        "email": f"{zoom_user_id}@zoom.example",
        "status": "active",
        **extra,
    }


@pytest.fixture
def world(company, installer, connect, person, link_factory):
    """The personas' company connected by its installer (zu_installer, token installer-access), and a
    recruiter linked as zu_recruiter (token recruiter-access)."""
    installation = connect(
        company, installer, account_id=ACCOUNT, zoom_user_id="zu_installer", access_token="installer-access"
    )
    recruiter = person()
    link = link_factory(recruiter, account_id=ACCOUNT, zoom_user_id="zu_recruiter", access_token="recruiter-access")
    return {"company": company, "admin": installer, "installation": installation, "link": link, "recruiter": recruiter}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """One upkeep run, then what it left for after its commits (mails, alerts, signals), as in production."""

    def make():
        with django_capture_on_commit_callbacks(execute=True):
            return upkeep_run()

    return make


def answer_me(mapping: dict[str, dict]) -> None:
    """/users/me answers by bearer token: mapping of access token → body (or (status, body))."""

    def callback(request):
        token = request.headers["Authorization"].removeprefix("Bearer ")
        answer = mapping[token]
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    responses.add_callback(responses.GET, me_url(), callback=callback)


@responses.activate
def test_it_invalidates_a_link_whose_zoom_user_moved_out_of_the_account_and_tells_the_owner(world, run):
    answer_me({"installer-access": me("zu_installer"), "recruiter-access": me("zu_recruiter", account_id="acct_own")})

    report = run()

    world["link"].refresh_from_db()
    assert world["link"].status == ZoomUser.Status.INVALID
    assert world["link"].status_reason == "moved_out_of_account"
    assert report.links_invalidated == 1
    assert [message.to for message in mail.outbox] == [[world["recruiter"].email]]

    run()
    assert len(mail.outbox) == 1, "the owner is told once"


@responses.activate
def test_the_installer_moved_out_of_the_account_needs_a_reconnect_and_admins_are_told_once(world, run, caplog):
    answer_me(
        {"installer-access": me("zu_installer", account_id="acct_elsewhere"), "recruiter-access": me("zu_recruiter")}
    )

    run()
    run()

    world["installation"].refresh_from_db()
    assert world["installation"].status == ZoomInstallation.Status.NEEDS_RECONNECT
    admin_mails = [message for message in mail.outbox if world["admin"].email in message.to]
    assert len(admin_mails) == 1


@responses.activate
def test_T07_a_dead_installer_grant_turns_the_connection_needs_reconnect_once(world, run, caplog):
    installer_grant = world["installation"].grant
    ZoomGrant.objects.filter(pk=installer_grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    responses.post(token_url(), status=400, json={"reason": "Invalid Token!", "error": "invalid_grant"})
    answer_me({"recruiter-access": me("zu_recruiter")})

    run()
    run()

    world["installation"].refresh_from_db()
    assert world["installation"].status == ZoomInstallation.Status.NEEDS_RECONNECT
    assert ZoomGrant.objects.get(pk=installer_grant.pk).status == ZoomGrant.Status.INVALID
    alerts = [json.loads(r.getMessage())["event"] for r in caplog.records if r.name == "herp.alerts"]
    assert alerts.count("zoom.connection_needs_reconnect") == 1
    assert len([call for call in responses.calls if call.request.url == token_url()]) == 1, "no retry loop"


@responses.activate
def test_it_revokes_grants_that_nothing_uses_and_keeps_the_others(world, run, grant_factory):
    orphan = grant_factory(company=world["company"], zoom_user_id="zu_orphan", access_token="orphan-access")
    hosting = grant_factory(company=world["company"], zoom_user_id="zu_hosting", access_token="hosting-access")
    ZoomMeeting.objects.create(
        company=world["company"],
        host_zoom_user_id="zu_hosting",
        topic="面接",
        start_time=timezone.now() + timedelta(days=1),
        duration=30,
        status=ZoomMeeting.Status.CREATED,
    )
    responses.post(revoke_url(), json={"status": "success"})
    answer_me({"installer-access": me("zu_installer"), "recruiter-access": me("zu_recruiter")})

    report = run()

    assert report.revoked == 1
    orphan.refresh_from_db()
    assert orphan.status == ZoomGrant.Status.REVOKED
    assert orphan.access_token == ""
    assert ZoomGrant.objects.get(pk=hosting.pk).status == ZoomGrant.Status.ACTIVE
    revoke_calls = [call for call in responses.calls if call.request.url == revoke_url()]
    assert len(revoke_calls) == 1
    assert "orphan-access" in revoke_calls[0].request.body


@responses.activate
def test_an_unlinked_persons_grant_is_revoked_at_the_next_run(world, run):
    world["link"].unlink()
    responses.post(revoke_url(), json={"status": "success"})
    answer_me({"installer-access": me("zu_installer")})

    run()

    assert ZoomGrant.objects.get(zoom_user_id="zu_recruiter").status == ZoomGrant.Status.REVOKED


@responses.activate
def test_it_refreshes_a_grant_unused_for_weeks(world, run):
    grant = world["link"].grant
    ZoomGrant.objects.filter(pk=grant.pk).update(last_refreshed_at=timezone.now() - timedelta(days=30))
    ZoomGrant.objects.exclude(pk=grant.pk).update(last_refreshed_at=timezone.now())
    responses.post(
        token_url(),
        json={
            "access_token": "fresh-access",
            "refresh_token": "fresh-refresh",
            "expires_in": 3599,
            "token_type": "bearer",
        },
    )
    answer_me({"installer-access": me("zu_installer"), "fresh-access": me("zu_recruiter")})

    report = run()

    assert report.refreshed == 1
    grant.refresh_from_db()
    assert grant.decrypt_refresh_token() == "fresh-refresh"


@responses.activate
@pytest.mark.parametrize("failure", [{"status": 429, "json": {}}, {"status": 503, "json": {}}])
def test_T09_a_temporary_refresh_failure_leaves_the_tokens_untouched(world, run, failure):
    grant = world["link"].grant
    ZoomGrant.objects.filter(pk=grant.pk).update(last_refreshed_at=timezone.now() - timedelta(days=30))
    ZoomGrant.objects.exclude(pk=grant.pk).update(last_refreshed_at=timezone.now())
    responses.post(token_url(), **failure)
    answer_me({"installer-access": me("zu_installer"), "recruiter-access": me("zu_recruiter")})

    report = run()

    assert report.errors
    grant.refresh_from_db()
    assert grant.status == ZoomGrant.Status.ACTIVE
    assert grant.decrypt_access_token() == "recruiter-access"


@responses.activate
def test_the_command_runs_upkeep_by_hand(world, capsys):
    answer_me({"installer-access": me("zu_installer"), "recruiter-access": me("zu_recruiter")})
    call_command("zoom_upkeep")
    assert "rechecked=2" in capsys.readouterr().out
