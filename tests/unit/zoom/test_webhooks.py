"""POST /webhooks/zoom/ (issue 6, part 1): RELIABILITY T12 and T14–T18."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail

from integrations.models import LossReason, ZoomGrant, ZoomInstallation
from zoom import signatures
from zoom.models import WebhookDelivery, ZoomUser
from zoom.webhooks import MAX_BODY_BYTES, deliveries_unprocessed, delivery_process

URL = "/webhooks/zoom/"
ACCOUNT = "acct_webhooks_00000001"


def secret() -> str:
    return settings.ZOOM_WEBHOOK_SECRET_TOKENS[0]


def post(
    client,
    body: bytes | str | dict,
    *,
    secret_token: str | None = None,
    timestamp: str | None = None,
    content_type: str = "application/json",
    signed: bool = True,
    **headers,
):
    raw = (
        json.dumps(body, separators=(",", ":")).encode()
        if isinstance(body, dict)
        else (body.encode() if isinstance(body, str) else body)
    )
    timestamp = timestamp or str(int(time.time()))
    if signed:
        headers["HTTP_X_ZM_REQUEST_TIMESTAMP"] = timestamp
        headers["HTTP_X_ZM_SIGNATURE"] = signatures.sign(secret_token or secret(), timestamp, raw)
    return client.post(URL, data=raw, content_type=content_type, **headers)


def deauthorized(user_id: str, **extra) -> dict:
    return {
        "event": "app_deauthorized",
        "event_ts": int(time.time() * 1000),
        "payload": {
            "account_id": ACCOUNT,
            "user_id": user_id,
            "signature": "zoom-legacy-signature",
            "deauthorization_time": "2026-11-25T10:00:00.000Z",
            "client_id": settings.ZOOM_CLIENT_ID,
            **extra,
        },
    }


@pytest.fixture
def world(company, installer, connect, person, link_factory):
    """The personas' company connected by its installer (Zoom user zu_installer), and a recruiter linked
    as zu_recruiter."""
    installation = connect(company, installer, account_id=ACCOUNT, zoom_user_id="zu_installer")
    recruiter = person()
    link = link_factory(recruiter, account_id=ACCOUNT, zoom_user_id="zu_recruiter")
    return {
        "installation": installation,
        "grant": installation.grant,
        "link": link,
        "recruiter": recruiter,
        "admin": installer,
    }


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """POSTs as Zoom does, then runs what the request left for after its commit (the processing task,
    eager here, and its mails and signals), as the committed request would."""

    def make(body: bytes | str | dict, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, body, **kwargs)

    return make


def test_T12_the_installers_app_deauthorized_revokes_the_grant_and_the_connection(world, send):
    response = send(deauthorized("zu_installer"))

    assert response.status_code == 200
    grant = ZoomGrant.objects.get(pk=world["grant"].pk)
    assert grant.status == ZoomGrant.Status.REVOKED
    assert grant.access_token == ""
    assert grant.refresh_token == ""
    installation = ZoomInstallation.objects.get(pk=world["installation"].pk)
    assert installation.status == ZoomInstallation.Status.REVOKED
    delivery = WebhookDelivery.objects.get()
    assert delivery.result == WebhookDelivery.Result.REVOKED
    assert world["admin"].email in [address for message in mail.outbox for address in message.to]


def test_T12_a_persons_app_deauthorized_invalidates_their_link_and_tells_them(world, send):
    send(deauthorized("zu_recruiter"))

    link = ZoomUser.objects.get(pk=world["link"].pk)
    assert link.status == ZoomUser.Status.INVALID
    assert [message.to for message in mail.outbox] == [[world["recruiter"].email]]
    assert ZoomInstallation.objects.get(pk=world["installation"].pk).status == ZoomInstallation.Status.CONNECTED


def test_T14_the_same_delivery_twice_has_one_effect(world, send):
    body = json.dumps(deauthorized("zu_recruiter"), separators=(",", ":"))
    first = send(body)
    second = send(body)

    assert first.status_code == second.status_code == 200
    assert second.json() == {"status": "duplicate"}
    assert WebhookDelivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_T14_the_same_event_with_a_new_tracking_id_has_one_effect(world, send):
    body = json.dumps(deauthorized("zu_recruiter"), separators=(",", ":"))
    send(body, HTTP_X_ZM_TRACKINGID="first")
    send(body, HTTP_X_ZM_TRACKINGID="second")
    assert len(mail.outbox) == 1


def test_T14_a_re_sent_event_with_a_new_timestamp_is_harmless(world, send):
    send(deauthorized("zu_recruiter"))
    later = deauthorized("zu_recruiter")
    later["event_ts"] += 1000
    send(later)
    assert len(mail.outbox) == 1
    assert set(WebhookDelivery.objects.values_list("result", flat=True)) == {"revoked", "already_revoked"}


def test_T14_a_stale_timestamp_is_refused(db, client):
    stale = str(int(time.time()) - signatures.TIMESTAMP_WINDOW_SECONDS - 10)
    assert post(client, deauthorized("zu_x"), timestamp=stale).status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_T15_unsigned_url_validation_gets_no_hmac(db, client):
    forged = {"event": "endpoint.url_validation", "payload": {"plainToken": f"v0:{int(time.time())}:forged"}}
    response = post(client, forged, signed=False)

    assert response.status_code == 401
    assert "encryptedToken" not in response.content.decode()
    expected = signatures.url_validation_token(secret(), forged["payload"]["plainToken"])
    assert expected not in response.content.decode()


def test_T15_a_signed_url_validation_gets_the_right_answer(db, client):
    response = post(client, {"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}})
    assert response.status_code == 200
    assert response.json() == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": signatures.url_validation_token(secret(), "qgg8vlvZRS6UYooatFL8Aw"),
    }


@pytest.mark.parametrize("plain", ["", "x" * 1000, None, 42])
def test_T15_odd_or_oversized_plain_tokens_are_refused(db, client, plain):
    response = post(client, {"event": "endpoint.url_validation", "payload": {"plainToken": plain}})
    assert response.status_code == 400
    assert "encryptedToken" not in response.content.decode()


def test_T15_the_forged_event_is_rejected_with_the_returned_value(db, client):
    timestamp = str(int(time.time()))
    forged_body = json.dumps(deauthorized("zu_x")).encode()
    # An attacker who got the endpoint to sign "v0:{ts}:{body}" would now send its HMAC as the signature.
    oracle = signatures.url_validation_token(secret(), f"v0:{timestamp}:{forged_body.decode()}")
    response = client.post(
        URL,
        data=forged_body,
        content_type="application/json",
        HTTP_X_ZM_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_ZM_SIGNATURE=f"v0={oracle}x",
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"not json at all", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"payload": {}}', "application/json", 400),
        (b'{"event": "app_deauthorized"}', "application/json", 400),
        (b'{"event": "app_deauthorized", "payload": {"account_id": "x"}}', "application/json", 400),
        (b'{"event": "app_deauthorized", "payload": {}}', "text/plain", 415),
        (b"\xff\xfe\x00garbage", "application/json", 400),
    ],
)
def test_T16_bad_input_gets_4xx_and_changes_nothing(db, client, body, content_type, status):
    response = post(client, body, content_type=content_type)
    assert response.status_code == status
    assert not WebhookDelivery.objects.exists()


def test_T16_an_oversized_body_is_refused_before_it_is_read(db, client):
    huge = b'{"event":"x","payload":{"a":"' + b"a" * (5 * 1024 * 1024) + b'"}}'
    with mock.patch("zoom.webhooks.signatures.verify") as verify:
        response = post(client, huge)
    assert response.status_code == 413
    assert not verify.called
    assert len(huge) > MAX_BODY_BYTES


def test_T16_an_unknown_zoom_user_gets_200_and_nothing_else(world, send, caplog):
    with caplog.at_level(logging.INFO, logger="zoom.webhooks"):
        response = send(deauthorized("zu_nobody_we_know"))
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().result == WebhookDelivery.Result.UNKNOWN_USER
    assert ZoomGrant.objects.filter(status=ZoomGrant.Status.REVOKED).count() == 0
    assert len([r for r in caplog.records if "unknown Zoom user" in r.getMessage()]) == 1


def test_T16_an_already_revoked_grant_is_left_alone(world, send):
    world["grant"].revoke(LossReason.UNUSED)
    mail.outbox.clear()
    send(deauthorized("zu_installer"))
    assert WebhookDelivery.objects.get().result == WebhookDelivery.Result.ALREADY_REVOKED
    assert mail.outbox == []


def test_T16_another_apps_event_is_not_acted_on(world, send):
    send(deauthorized("zu_installer", client_id="someone-elses-app"))
    assert ZoomGrant.objects.get(pk=world["grant"].pk).status == ZoomGrant.Status.ACTIVE


def test_T17_with_the_broker_down_the_delivery_is_stored_and_the_sweeper_processes_it(
    world, send, django_capture_on_commit_callbacks
):
    with mock.patch("zoom.tasks.process_webhook_task.delay", side_effect=ConnectionError("broker down")):
        response = send(deauthorized("zu_recruiter"))

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.processed_at is None
    assert ZoomUser.objects.get(pk=world["link"].pk).status == ZoomUser.Status.ACTIVE

    WebhookDelivery.objects.update(received_at=delivery.received_at - timedelta(minutes=5))
    assert deliveries_unprocessed() == [delivery.pk]
    from zoom.tasks import webhooks_sweep_task

    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks_sweep_task() == 1
    assert ZoomUser.objects.get(pk=world["link"].pk).status == ZoomUser.Status.INVALID
    assert delivery_process(delivery.pk) is None, "processed once"


def test_T17_a_failure_to_store_is_never_a_200(db, client):
    failing = mock.patch("zoom.webhooks.WebhookDelivery.objects.get_or_create", side_effect=RuntimeError("db down"))
    with failing, pytest.raises(RuntimeError):
        post(client, deauthorized("zu_x"))


def test_T18_the_old_secret_works_during_rotation_and_not_after(world, send, settings):
    settings.ZOOM_WEBHOOK_SECRET_TOKENS = ["old-secret", "new-secret"]
    assert send(deauthorized("zu_a"), secret_token="old-secret").status_code == 200
    assert send(deauthorized("zu_b"), secret_token="new-secret").status_code == 200
    settings.ZOOM_WEBHOOK_SECRET_TOKENS = ["new-secret"]
    assert send(deauthorized("zu_c"), secret_token="old-secret").status_code == 401
    assert send(deauthorized("zu_d"), secret_token="new-secret").status_code == 200


def test_it_refuses_other_methods(db, client):
    assert client.get(URL).status_code == 405
