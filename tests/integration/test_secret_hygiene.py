"""RELIABILITY T11 across the flows: connect, link, a refused link, a forged callback, an interview made
by the real worker, Zoom's deauthorization webhook and a refused client secret. Every token, code,
verifier and secret that existed during the run is collected, then looked for in the product's logs,
the worker's log, Celery's published messages, e-mails, the support admin's pages and error pages."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from herp.models import User
from integrations import oauth
from tests.browser import Browser
from tests.integration.conftest import zoom_sign_in
from zoom.models import ZoomMeeting

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])

# The test's own HTTP client (urllib3) and the dev server's access log print the URLs the *browser*
# requests, callback query strings included; they are not the product's logs.
NOT_THE_PRODUCTS_LOGGERS = ("urllib3", "django.server")


class Secrets:
    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, *values: str | None) -> None:
        self.values.update(value for value in values if value and len(value) >= 8)


@pytest.fixture
def secrets(monkeypatch) -> Secrets:
    found = Secrets()
    found.add(settings.ZOOM_CLIENT_SECRET, *settings.ZOOM_WEBHOOK_SECRET_TOKENS)
    real_authorize, real_exchange, real_refresh = oauth.build_authorize_url, oauth.exchange_code, oauth.refresh

    def authorize(redirect_uri: str) -> oauth.AuthorizeRequest:
        request = real_authorize(redirect_uri)
        found.add(request.code_verifier)
        return request

    def exchange(code: str, redirect_uri: str, code_verifier: str) -> oauth.TokenSet:
        found.add(code, code_verifier)
        token_set = real_exchange(code, redirect_uri, code_verifier)
        found.add(token_set.access_token, token_set.refresh_token)
        return token_set

    def refresh(refresh_token: str) -> oauth.TokenSet:
        token_set = real_refresh(refresh_token)
        found.add(token_set.access_token, token_set.refresh_token)
        return token_set

    monkeypatch.setattr(oauth, "build_authorize_url", authorize)
    monkeypatch.setattr(oauth, "exchange_code", exchange)
    monkeypatch.setattr(oauth, "refresh", refresh)
    return found


@pytest.fixture
def published() -> list[str]:
    """Every Celery message this process publishes: headers and body, as sent to the broker."""
    messages: list[str] = []

    def record(sender: str | None = None, body: object = None, headers: dict | None = None, **kwargs: object) -> None:
        messages.append(json.dumps({"task": sender, "body": body, "headers": headers}, default=str))

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


def link(browser: Browser, zoom_email: str) -> Browser:
    zoom_sign_in(browser, zoom_email)
    browser.get("/accounts/zoom/").press(button_id="zoom-link")
    if "/zoom-emulator/oauth/authorize" in browser.url:
        browser.press("認可")
    return browser


def wait_until(predicate, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_T11_no_token_code_verifier_or_secret_leaks_anywhere(
    browser_for, celery_worker_process, secrets, published, caplog, settings
):
    from zoom_emulator import webhooks as emulator_webhooks
    from zoom_emulator.models import AuthorizationCode

    pages: list[str] = []
    # Operators' alerts are mailed too; the e-mails the worker sends stay in its own process.
    settings.ADMINS = [("Operators", "ops@herp.example")]
    with caplog.at_level(logging.DEBUG):
        admin = browser_for("admin@demo.example")
        zoom_sign_in(admin, "zoom-admin@demo.example")
        admin.get("/settings/integrations/").press(button_id="zoom-connect")
        admin.press("事前承認をとる").press("認可")
        pages.append(admin.html)

        recruiter1 = link(browser_for("recruiter1@demo.example"), "recruiter1@demo.example")
        pages.append(recruiter1.html)
        recruiter3 = link(browser_for("recruiter3@demo.example"), "recruiter3@personal.example")
        pages.append(recruiter3.html)
        pages.append(admin.get("/integrations/zoom/callback/?state=forged&code=forged-code-123").html)

        # An interview made by the real worker, then Zoom's deauthorization of recruiter1.
        recruiter1.get("/schedules/new/")
        starts = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
        participant = User.objects.get(email="recruiter1@demo.example")
        recruiter1.press(
            button_id="schedule-save",
            data={
                "new_candidate_name": "候補 太郎",
                "new_candidate_email": "taro@candidate.example",
                "title": "一次面接",
                "starts_at": starts,
                "duration_minutes": "45",
                "timezone": "Asia/Tokyo",
                "participants": str(participant.pk),
                "location": "zoom",
            },
        )
        wait_until(lambda: ZoomMeeting.objects.filter(status=ZoomMeeting.Status.CREATED).exists())
        pages.append(recruiter1.get(recruiter1.url).html)
        recruiter1.get("/zoom-emulator/profile/apps/").press("Remove")
        assert emulator_webhooks.wait_for_deliveries(timeout=10)
        pages.append(recruiter1.get("/accounts/zoom/").html)

        # Zoom refuses our client secret: the page and the operators' alert must not carry it.
        settings.ZOOM_CLIENT_SECRET = "wrong-client-secret-value"
        secrets.add(settings.ZOOM_CLIENT_SECRET)
        recruiter1.get("/accounts/zoom/").press(button_id="zoom-relink")
        recruiter1.press("認可")
        assert 'data-reason="invalid_client"' in recruiter1.html
        pages.append(recruiter1.html)

    secrets.add(*AuthorizationCode.objects.values_list("code", flat=True))
    assert len(secrets.values) > 10, "the run should have produced tokens, codes and verifiers to look for"

    # The support admin's pages.
    support = Browser(browser_for(None).base_url)
    support.get("/login/").press("ログイン", data={"username": "support@demo.example", "password": "herp-demo"})
    for name in (
        "integrations_zoomgrant",
        "integrations_zoominstallation",
        "integrations_integrationevent",
        "zoom_zoomuser",
        "zoom_zoommeeting",
        "zoom_webhookdelivery",
    ):
        pages.append(support.get(reverse(f"admin:{name}_changelist")).html)
    from integrations.models import ZoomGrant

    for grant in ZoomGrant.objects.all():
        pages.append(support.get(reverse("admin:integrations_zoomgrant_change", args=[grant.pk])).html)

    product_logs = "\n".join(
        record.getMessage() + (record.exc_text or "")
        for record in caplog.records
        if not record.name.startswith(NOT_THE_PRODUCTS_LOGGERS)
    )
    worker_log = Path("var/celery-worker-integration.log").read_text(encoding="utf-8", errors="replace")
    mails = "\n".join(f"{message.subject}\n{message.body}" for message in mail.outbox)
    places = {
        "product logs": product_logs,
        "worker log": worker_log,
        "Celery messages": "\n".join(published),
        "e-mails": mails,
        "pages": "\n".join(pages),
    }
    assert published, "the run should have published tasks"
    assert mail.outbox, "the run should have sent e-mails"
    for place, text in places.items():
        leaked = [value[:6] + "…" for value in secrets.values if value in text]

        assert leaked == [], f"secrets found in {place}"
        assert "zak=" not in text, f"a start URL (zak) found in {place}"
