"""Drive the emulator the way the product does: over HTTP, through Django's test client."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from zoom_emulator.models import App, User

emulator_db = pytest.mark.django_db(databases=["default", "zoom_emulator"])
# Webhook deliveries start after the commit, on a thread with its own database connection: a test whose
# deliveries must reach the capture (or must be seen not to) commits its data. Each such test pays a
# flush of both databases, so tests that only read answers in this thread use ``emulator_db``.
committed_emulator_db = pytest.mark.django_db(transaction=True, databases=["default", "zoom_emulator"])

COMPANY_CALLBACK = "http://testserver/integrations/zoom/callback/"
PERSONAL_CALLBACK = "http://testserver/accounts/zoom/callback/"


def basic(app: App, secret: str | None = None) -> str:
    raw = f"{app.client_id}:{app.client_secret if secret is None else secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def pkce_pair(method: str = "S256") -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    if method == "plain":
        return verifier, verifier
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def sign_in(client: Client, email: str) -> User:
    user = User.objects.get(email=email)
    response = client.post(reverse("zoom_emulator:signin"), {"user_id": user.user_id})
    assert response.status_code == 302
    return user


def authorize_params(app: App, **overrides: Any) -> dict[str, str]:
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": COMPANY_CALLBACK, "state": "st"}
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def decide(client: Client, app: App, decision: str = "allow", **overrides: Any):
    """Open the consent page and press Allow or Deny; returns the redirect response."""
    params = authorize_params(app, **overrides)
    page = client.get(reverse("zoom_emulator:authorize"), params)
    assert page.status_code == 200, page.content
    form = dict(page.context["hidden"])
    return client.post(reverse("zoom_emulator:authorize"), {**form, "decision": decision})


def query_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def get_code(client: Client, app: App, **overrides: Any) -> str:
    response = decide(client, app, "allow", **overrides)
    assert response.status_code == 302
    return query_of(response["Location"])["code"][0]


def exchange(
    client: Client,
    app: App,
    code: str,
    *,
    redirect_uri: str = COMPANY_CALLBACK,
    verifier: str | None = None,
    secret: str | None = None,
):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier is not None:
        data["code_verifier"] = verifier
    return client.post(reverse("zoom_emulator:token"), data, HTTP_AUTHORIZATION=basic(app, secret))


def refresh(client: Client, app: App, refresh_token: str):
    return client.post(
        reverse("zoom_emulator:token"),
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=basic(app),
    )


def connect(client: Client, app: App, email: str) -> dict[str, Any]:
    """Sign in as ``email``, authorize the app and exchange the code: the token response body."""
    sign_in(client, email)
    response = exchange(client, app, get_code(client, app))
    assert response.status_code == 200, response.content
    return response.json()


def me(client: Client, access_token: str, path: str = "users/me"):
    return client.get(f"/zoom-emulator/v2/{path}", HTTP_AUTHORIZATION=f"Bearer {access_token}")
